"""What is known at one moment: immutable snapshots of instances, their creation progress and
the health of each data set ("feed").

The `Monitor` (roma_tui.monitor.live) publishes a new `Snapshot` whenever something changes;
`status` builds one from a single round of requests (`one_shot`). Either way the view model
(roma_tui.monitor.view) turns a snapshot into what every front end shows.
Imports roma_tui.monitor.domain and the standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from roma_tui.api.errors import RomaError
from roma_tui.monitor.domain import CreationProgress, Instance, Place
from roma_tui.monitor.eta import Typical
from roma_tui.monitor.trace import Trace

__all__ = ["EMPTY", "Feed", "Snapshot", "one_shot"]

EMPTY: Mapping[Any, Any] = MappingProxyType({})
_NOWHERE = Place("", "")


@dataclass(frozen=True, slots=True)
class Feed:
    """Health of one data set: when it last succeeded, the last error, the next try."""

    next_due: datetime
    updated: datetime | None = None  # last success (local clock)
    error: RomaError | None = None  # the last try's error; None after a success
    failures: int = 0  # consecutive failed tries

    def age(self, now: datetime) -> timedelta | None:
        """Time since the last success; None if it never succeeded."""
        return None if self.updated is None else now - self.updated

    def stale(self, now: datetime, interval: float) -> bool:
        """True when the data is older than two intervals, or it never came and a try failed."""
        if self.updated is None:
            return self.failures > 0
        return now - self.updated > timedelta(seconds=2 * interval)


def _empty() -> Mapping[Any, Any]:
    return EMPTY


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything known at one moment. Immutable; a new one is built for every change."""

    list_feed: Feed
    place: Place = _NOWHERE
    instances: tuple[Instance, ...] = ()  # in the API's order
    progress: Mapping[str, CreationProgress] = field(default_factory=_empty)
    progress_feeds: Mapping[str, Feed] = field(default_factory=_empty)
    # what each creation progress did while we watched (local clock): when it last moved
    traces: Mapping[str, Trace] = field(default_factory=_empty)
    paused: bool = False
    selected: str | None = None
    by_id: Mapping[str, Instance] = field(default_factory=_empty)
    # what creations of each instance type usually take here (from the history), by type
    typical: Mapping[str, Typical] = field(default_factory=_empty)
    # the selected instance's last creation-progress answer, as received (None: not held);
    # no other instance's is kept, so memory does not grow with the creations seen
    selected_raw: Mapping[str, Any] | None = None
    # how many instances the server says the project has: more than `instances` holds when the
    # list was cut at roma_tui.api.limits.MAX_INSTANCES (None: it did not say)
    total: int | None = None

    def instance(self, instance_id: str) -> Instance | None:
        return self.by_id.get(instance_id)

    @property
    def cut(self) -> tuple[int, int] | None:
        """(instances held, instances the server has) when the list holds fewer than the
        server says it has (it was cut at the limit); None when it holds them all."""
        held = len(self.instances)
        if self.total is None or self.total <= held:
            return None
        return held, self.total


def one_shot(
    place: Place,
    instances: Iterable[Instance],
    progress: Mapping[str, CreationProgress],
    at: datetime,
    traces: Mapping[str, Trace] | None = None,
    typical: Mapping[str, Typical] | None = None,
    total: int | None = None,
) -> Snapshot:
    """A snapshot of one round of requests made at `at` (for `status` and `wait`); without
    `traces`, every progress is taken to have been seen (and moved) first at `at`; `total`:
    the server's count of instances."""
    listed = tuple(instances)
    fetched = Feed(next_due=at, updated=at)
    seen = {iid: Trace.first(prog, at) for iid, prog in progress.items()}
    seen.update({iid: trace for iid, trace in (traces or {}).items() if iid in progress})
    return Snapshot(
        list_feed=fetched,
        place=place,
        instances=listed,
        progress=MappingProxyType(dict(progress)),
        progress_feeds=MappingProxyType(dict.fromkeys(progress, fetched)),
        traces=MappingProxyType(seen),
        by_id=MappingProxyType({inst.id: inst for inst in listed}),
        typical=MappingProxyType(dict(typical or {})),
        total=total,
    )
