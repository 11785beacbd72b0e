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

__all__ = ["EMPTY", "Feed", "Movement", "Snapshot", "moved", "one_shot"]

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
    # when the creation progress last moved, as far as we saw (local clock): the first time the
    # current percentages were seen
    moved: Mapping[str, datetime] = field(default_factory=_empty)
    paused: bool = False
    selected: str | None = None
    by_id: Mapping[str, Instance] = field(default_factory=_empty)

    def instance(self, instance_id: str) -> Instance | None:
        return self.by_id.get(instance_id)


Movement = tuple[tuple[int, tuple[tuple[str, int], ...]], datetime]
"""What a creation progress looked like (its percentages), and since when it looked so."""


def moved(prog: CreationProgress, at: datetime, before: Movement | None) -> Movement:
    """The movement record after seeing `prog` at `at`: unchanged percentages keep their
    time, any change restarts it. Whoever watches a creation over time (the monitor, `wait`)
    keeps one per instance; the view model tells a stall from it."""
    looks = (prog.progress, tuple((s.name, s.progress) for s in prog.sub_services))
    if before is not None and before[0] == looks:
        return before
    return looks, at


def one_shot(
    place: Place,
    instances: Iterable[Instance],
    progress: Mapping[str, CreationProgress],
    at: datetime,
    movements: Mapping[str, Movement] | None = None,
) -> Snapshot:
    """A snapshot of one round of requests made at `at` (for `status` and `wait`); without
    `movements`, every progress is taken to have moved at `at`."""
    listed = tuple(instances)
    fetched = Feed(next_due=at, updated=at)
    since = {iid: at for iid in progress}
    since.update({iid: m[1] for iid, m in (movements or {}).items() if iid in progress})
    return Snapshot(
        list_feed=fetched,
        place=place,
        instances=listed,
        progress=MappingProxyType(dict(progress)),
        progress_feeds=MappingProxyType(dict.fromkeys(progress, fetched)),
        moved=MappingProxyType(since),
        by_id=MappingProxyType({inst.id: inst for inst in listed}),
    )
