"""Live monitor state: polls the API on a schedule and publishes immutable snapshots.

The `Monitor` holds the last good data of two kinds of data set ("feeds"): the instance
list, and one creation-progress feed per instance it watches. Every refresh builds a new
frozen `Snapshot` (unchanged `Instance` objects are shared, and a list that did not change
is the same tuple, so a renderer can skip them by identity) and reports `Transition`s when
an instance's creation ends.

Polling policy (all times from the injected clock, `interval` default 10 s):
- the instance list: every `interval`; it alone shows every instance's status;
- creation progress of the selected instance while it is creating: every
  `max(2 s, interval / 2)` ("fast");
- creation progress of every other instance still creating: out of a shared request budget
  of `progress_budget` requests per second (default 1): each one every
  `max(fast, n / progress_budget)` seconds ("shared"; n = creating instances not
  selected), so 3 creating are each polled at the fast interval while 300 are polled
  every 300 s, one request a second, and never more than the budget allows (a
  `roma_tui.monitor.budget.RequestBudget` of `max(1, progress_budget * fast)` requests,
  refilled at `progress_budget` per second). Requests are spread out: a tick starts only as
  many as the bucket holds, those never fetched first, then the longest overdue, so a start,
  `resume()` or `refresh_now()` with hundreds creating does not fire hundreds of requests at
  once. Details of an instance whose creation just ended (seen first in the list) have a
  budget of their own, `status`'s (`ONE_SHOT_BURST` at once, then `ONE_SHOT_RATE` a
  second): they are fetched once, and 245 creations ending together are all explained (the
  reason of each failure, the history's record) in about a minute, not in four;
- creation progress of the selected instance once running, failed or anything else: every
  `6 * interval` ("slow");
- creation progress of non-selected instances that are not creating: never.
- The first `poll_due()` fetches the list (and the selected instance's progress) only, so
  the list can be shown at once; the progress of the others follows from the next poll on.
  `refresh_progress(id)` called directly fetches at once, outside the budget.
- On an error: the feed keeps its last good data and records the error; the next try is
  after `cadence * 2 ** (failures - 1)` (`roma_tui.monitor.budget.backoff`), capped at two
  intervals for a transient fault (network, 5xx, a cut answer: the screen is live again
  within two intervals of the fault clearing), but never sooner than the server's
  `Retry-After` (itself capped at 15 minutes). Errors that waiting will not fix (401/403,
  4xx) start at 60 s and go up to 5 minutes, and an authentication failure holds *every*
  feed until then (a run of bad AK/SK signatures locks the key); `refresh_now()` does not
  lift that hold.
  A missing instance (404) on the progress feed waits 5 minutes.
- The client is expected not to retry (`RomaClient`'s default): this schedule is the one
  retry layer, so a failing poll costs one timeout, not three, before it shows.

Each creation progress seen extends that instance's `Trace` (roma_tui.monitor.trace), from
which the view model reads the ETA and stalls. With a `Recorder`, every change of a creation is
kept in the history (roma_tui.monitor.history), and the snapshot carries what creations here
usually take (`typical`), read again whenever one ends.

Snapshots: a new one only when something shown changed. A progress answer that says what the
last one said (apart from the server's clock) about an instance that is not selected updates
the schedule and publishes nothing. The JSON of an answer is kept for the selected instance
only (`Snapshot.selected_raw`, for the raw view): memory does not grow with the creations
seen; `want_raw()` fetches it when the selection moved to an instance whose answer is not held.

Refresh methods never raise `RomaError`. No Textual and no httpx here: the client is
anything with the two async methods of `InstanceSource` (`RomaClient` is one).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, Protocol

from roma_tui.api.errors import ApiError, NotFoundError, RomaError
from roma_tui.api.limits import cap_retry_after
from roma_tui.api.models import CreationProgressResponse, InstanceListResponse
from roma_tui.clock import Clock
from roma_tui.monitor.budget import (
    MAX_CONCURRENCY,
    ONE_SHOT_BURST,
    ONE_SHOT_RATE,
    PROGRESS_RATE,
    RECOVERY_INTERVALS,
    RequestBudget,
    backoff,
)
from roma_tui.monitor.domain import CreationProgress, Instance, Place, Status
from roma_tui.monitor.eta import Typical
from roma_tui.monitor.mapping import instance_from_listed, progress_from_wire
from roma_tui.monitor.snapshot import EMPTY, Feed, Snapshot
from roma_tui.monitor.trace import Trace
from roma_tui.monitor.view import instance_view, resolve_status

if TYPE_CHECKING:
    from roma_tui.monitor.history import Recorder

__all__ = [
    "MAX_BACKOFF",
    "SLOW_ANSWER",
    "InstanceSource",
    "Job",
    "Monitor",
    "Transition",
]

log = logging.getLogger("roma_tui.monitor")

MAX_BACKOFF = 300.0  # seconds: the longest wait after an error that waiting will not fix
MIN_FAST = 2.0  # seconds: the fastest creation-progress poll
SLOW_FACTOR = 6  # the selected finished instance is polled every SLOW_FACTOR * interval
PERMANENT_BASE = 60.0  # seconds: first wait after an error that waiting will not fix
NOT_FOUND_DELAY = MAX_BACKOFF  # seconds: next try after "no such instance"
SLOW_ANSWER = 5.0  # seconds: a request waiting longer for its answer is slow

_EMPTY_CREATING: Mapping[str, None] = MappingProxyType({})
_NEVER = datetime.min.replace(tzinfo=UTC)  # sorts a never-fetched feed before any due one


class InstanceSource(Protocol):
    """What the monitor needs from a client (`roma_tui.api.client.RomaClient` fits): where it
    points, and the two requests."""

    endpoint: str
    project_id: str

    async def list_instances(self, status: str | None = None) -> InstanceListResponse: ...

    async def get_creation_progress(self, instance_id: str) -> CreationProgressResponse: ...


@dataclass(frozen=True, slots=True)
class Transition:
    """An instance's creation ended: it runs, failed, or settled in another state (error,
    frozen, deleted). Its view (roma_tui.monitor.view) says why."""

    instance_id: str
    name: str
    old: Status
    new: Status


@dataclass(frozen=True, slots=True)
class Job:
    kind: Literal["instances", "progress"]
    instance_id: str | None = None


@dataclass(slots=True)
class _Watch:
    """Transition bookkeeping for one instance."""

    last: Status = Status.UNKNOWN
    was_creating: bool = False
    reported: Status | None = None


def _status(inst: Instance | None, prog: CreationProgress | None) -> Status:
    """The view model's status (one rule for the screen, the scripts and the schedule)."""
    return resolve_status(inst, prog).status


def _map_list(response: InstanceListResponse) -> list[Instance]:
    return [instance_from_listed(listed) for listed in response.instances]


def _same_progress(before: CreationProgress | None, after: CreationProgress) -> bool:
    """The two answers say the same, apart from the server's clock at the time."""
    return before is not None and replace(before, server_time=after.server_time) == after


def _unexpected(exc: Exception, what: str) -> RomaError:
    """A bug or an unforeseen answer must not stop the monitor: make it a feed error."""
    log.debug("unexpected error while refreshing %s", what, exc_info=exc)
    return RomaError(f"Unexpected error while reading {what}: {type(exc).__name__}. See the log.")


@dataclass
class _State:
    instances: tuple[Instance, ...] = ()
    by_id: Mapping[str, Instance] = field(default_factory=dict)
    # ids the list says are creating, in the list's order (an ordered set)
    creating: Mapping[str, None] = field(default_factory=lambda: _EMPTY_CREATING)
    progress: dict[str, CreationProgress] = field(default_factory=dict)
    progress_feeds: dict[str, Feed] = field(default_factory=dict)
    watch: dict[str, _Watch] = field(default_factory=dict)
    # per instance: what its creation progress did while we watched (local clock)
    traces: dict[str, Trace] = field(default_factory=dict)
    # per instance: its status, and the list entry and progress it was decided from (the
    # schedule asks for the status of every creating instance at every wake-up)
    statuses: dict[str, tuple[Instance | None, CreationProgress | None, Status]] = field(
        default_factory=dict
    )
    total: int | None = None  # the server's count of instances (the list may be cut)


class Monitor:
    """Polls instances and creation progress; holds the last good data as a `Snapshot`."""

    def __init__(
        self,
        client: InstanceSource,
        clock: Clock,
        interval: float = 10.0,
        max_concurrency: int = MAX_CONCURRENCY,
        progress_budget: float = PROGRESS_RATE,
        recorder: Recorder | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        if progress_budget <= 0:
            raise ValueError("progress_budget must be positive")
        self._client = client
        self._clock = clock
        self.interval = float(interval)
        self.max_concurrency = max_concurrency
        self.progress_budget = float(progress_budget)
        self._sem = asyncio.Semaphore(max_concurrency)
        # the shared progress requests, and the details of creations that just ended (on the
        # clock's timestamps)
        self._budget = RequestBudget(self.progress_budget, self.burst, at=clock.now().timestamp())
        self._ends = RequestBudget(ONE_SHOT_RATE, ONE_SHOT_BURST, at=clock.now().timestamp())
        self._s = _State()
        self._list_feed = Feed(next_due=clock.now())
        self._selected: str | None = None
        self._raw: tuple[str, Mapping[str, Any]] | None = None  # the selected's last answer
        self._paused = False
        self._hold_until: datetime | None = None  # after an auth failure: nobody polls
        self._inflight: dict[Job, datetime] = {}  # requests on their way, since when
        self._once: set[str] = set()  # fetch this progress once, whatever the cadence
        self._list_seq = 0  # list requests started
        self._list_applied = 0  # newest list request whose answer was applied
        self._wake: asyncio.Event | None = None
        self.sleeping = False  # `run` is waiting for the next job
        self.place = Place(client.endpoint, client.project_id)
        self.recorder = recorder  # the history, when creations are recorded
        self._typical: Mapping[str, Typical] = recorder.typical() if recorder else EMPTY
        self._snapshot = Snapshot(
            list_feed=self._list_feed, place=self.place, typical=self._typical
        )

    # --- reading -------------------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def selected(self) -> str | None:
        return self._selected

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def fast_interval(self) -> float:
        """Seconds between creation-progress polls of an instance still creating."""
        return max(MIN_FAST, self.interval / 2)

    @property
    def slow_interval(self) -> float:
        """Seconds between creation-progress polls of the selected, finished instance."""
        return SLOW_FACTOR * self.interval

    @property
    def shared_interval(self) -> float:
        """Seconds between creation-progress polls of a creating instance that is not
        selected: the fast interval, or slower when that would exceed the request budget."""
        s = self._s
        others = len(s.creating) - (self._selected in s.creating)
        return max(self.fast_interval, others / self.progress_budget)

    @property
    def burst(self) -> float:
        """The most shared progress requests that may start in one go."""
        return max(1.0, self.progress_budget * self.fast_interval)

    def progress_interval(self, instance_id: str) -> float | None:
        """How often this instance's creation progress is polled; None when it is not."""
        inst = self._s.by_id.get(instance_id)
        if inst is None and instance_id != self._selected:
            return None
        status = self._status_of(instance_id, inst)
        if status is Status.CREATING:
            return self.fast_interval if instance_id == self._selected else self.shared_interval
        if instance_id == self._selected:
            return self.slow_interval
        return None

    def _status_of(self, instance_id: str, inst: Instance | None) -> Status:
        """The view model's status of this instance, decided again only when its list entry
        or its creation progress is another object."""
        prog = self._s.progress.get(instance_id)
        known = self._s.statuses.get(instance_id)
        if known is not None and known[0] is inst and known[1] is prog:
            return known[2]
        status = _status(inst, prog)
        self._s.statuses[instance_id] = (inst, prog, status)
        return status

    def list_stale(self, now: datetime | None = None) -> bool:
        return self._list_feed.stale(now or self._clock.now(), self.interval)

    def waiting(
        self, instance_id: str | None = None, now: datetime | None = None
    ) -> timedelta | None:
        """How long the list's request (or this instance's progress request) has waited for its
        answer, once that is SLOW_ANSWER or more; None when none is that slow. A slow server
        is said while it is slow, not only once the read timeout gives up on it."""
        job = Job("instances") if instance_id is None else Job("progress", instance_id)
        sent = self._inflight.get(job)
        if sent is None:
            return None
        waited = (now or self._clock.now()) - sent
        return waited if waited >= timedelta(seconds=SLOW_ANSWER) else None

    def progress_stale(self, instance_id: str, now: datetime | None = None) -> bool:
        """Stale only matters for a feed that is being polled."""
        feed = self._s.progress_feeds.get(instance_id)
        every = self.progress_interval(instance_id)
        if feed is None or every is None:
            return False
        return feed.stale(now or self._clock.now(), every)

    # --- control -------------------------------------------------------------------------

    def select(self, instance_id: str | None) -> None:
        """Watch this instance's creation progress (due at once if never fetched)."""
        if instance_id == self._selected:
            return
        self._selected = instance_id
        if self._raw is not None and self._raw[0] != instance_id:
            self._raw = None  # only the selected instance's answer is kept
        self._publish()
        self.wake()

    def want_raw(self) -> None:
        """Fetch the selected instance's creation progress now if its answer is not held
        (the raw view asks; the answer comes as `Snapshot.selected_raw`)."""
        selected = self._selected
        if selected is None or self._raw is not None:
            return
        feed = self._s.progress_feeds.get(selected)
        if feed is not None:
            self._s.progress_feeds[selected] = replace(feed, next_due=self._clock.now())
        self.wake()

    def pause(self) -> None:
        if not self._paused:
            self._paused = True
            log.debug("polling paused")
            self._publish()

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            log.debug("polling resumed")
            self._all_due_now()

    def refresh_now(self) -> None:
        """Make every feed due now. An authentication hold stays (see `held_until`): lifting
        it on a key press would send a rejected AK/SK signature again, and again."""
        self._all_due_now()

    def held_until(self, now: datetime | None = None) -> datetime | None:
        """When the hold after an authentication failure ends; None when nothing is held."""
        hold = self._hold_until
        return hold if hold is not None and (now or self._clock.now()) < hold else None

    def _all_due_now(self) -> None:
        now = self._clock.now()
        self._list_feed = replace(self._list_feed, next_due=now)
        feeds = self._s.progress_feeds
        for iid in self._progress_candidates():
            if iid in feeds:
                feeds[iid] = replace(feeds[iid], next_due=now)
        self._publish()
        self.wake()

    # --- schedule ------------------------------------------------------------------------

    def _progress_candidates(self) -> Iterable[str]:
        """Ids whose creation progress is polled (O(creating) per call)."""
        s = self._s
        sel = self._selected
        if sel is not None and (sel in s.by_id or self._list_feed.updated is None):
            yield sel
        for iid in s.creating:
            if iid != sel and self.progress_interval(iid) is not None:
                yield iid
        for iid in self._once:
            if iid != sel and iid not in s.creating:
                yield iid

    def due(self, now: datetime | None = None) -> list[Job]:
        """The jobs whose time has come and that the budgets allow (none while paused or held
        after an authentication failure): the list, the selected instance's progress, as many
        details of creations that just ended as their budget holds, then as many other
        progress jobs as the shared budget holds, never fetched first, then the longest
        overdue."""
        now = now or self._clock.now()
        if self._paused or (self._hold_until is not None and now < self._hold_until):
            return []
        jobs: list[Job] = []
        job = Job("instances")
        if self._list_feed.next_due <= now and job not in self._inflight:
            jobs.append(job)
        feeds = self._s.progress_feeds
        once = self._once
        shared: list[tuple[datetime, Job]] = []
        ends: list[Job] = []
        for iid in self._progress_candidates():
            feed = feeds.get(iid)
            job = Job("progress", iid)
            if (feed is not None and feed.next_due > now) or job in self._inflight:
                continue
            if iid == self._selected:
                jobs.append(job)
            elif iid in once:
                ends.append(job)
            else:
                shared.append((_NEVER if feed is None else feed.next_due, job))
        if ends:
            jobs.extend(ends[: self._ends.allowed(now.timestamp())])
        if shared:
            allowed = self._budget.allowed(now.timestamp())
            if allowed < len(shared):
                shared.sort(key=lambda entry: entry[0])  # stable: list order among equals
            jobs.extend(job for _, job in shared[:allowed])
        return jobs

    def next_wakeup(self) -> datetime:
        """When the next job falls due (now + interval while paused)."""
        now = self._clock.now()
        if self._paused:
            return now + timedelta(seconds=self.interval)
        times: list[datetime] = []
        if Job("instances") not in self._inflight:
            times.append(self._list_feed.next_due)
        feeds = self._s.progress_feeds
        shared: datetime | None = None  # the earliest due shared progress job
        ends: datetime | None = None  # the earliest due details of a creation that ended
        for iid in self._progress_candidates():
            if Job("progress", iid) in self._inflight:
                continue
            feed = feeds.get(iid)
            at = now if feed is None else feed.next_due
            if iid == self._selected:
                times.append(at)
            elif iid in self._once:
                ends = at if ends is None else min(ends, at)
            elif shared is None or at < shared:
                shared = at
        for first, budget in ((shared, self._budget), (ends, self._ends)):
            if first is not None:
                wait = budget.wait(now.timestamp())  # for the budget to allow one more
                times.append(max(first, now + timedelta(seconds=wait)) if wait > 0 else first)
        wake = min(times) if times else now + timedelta(seconds=self.interval)
        if self._hold_until is not None and wake < self._hold_until:
            wake = self._hold_until
        return wake

    async def poll_due(self) -> list[Transition]:
        """Run every due job the budget allows (at most `max_concurrency` requests at once).

        When the list was among them, the jobs it made due (instances that started
        creating, details of one that just ended) run at once too, not a tick later;
        except on the first load, which returns with the list so that it can be shown.
        """
        transitions: list[Transition] = []
        first_load = self._list_feed.updated is None
        for _ in range(2):
            now = self._clock.now()
            jobs = self.due(now)
            if not jobs:
                break
            others = [j.instance_id for j in jobs if j.kind == "progress"]
            others = [iid for iid in others if iid != self._selected]
            ends = sum(iid in self._once for iid in others)
            if ends:
                self._ends.spend(ends, now.timestamp())
            if len(others) > ends:
                self._budget.spend(len(others) - ends, now.timestamp())
            results = await asyncio.gather(*(self._run(job) for job in jobs))
            transitions.extend(t for ts in results for t in ts)
            if Job("instances") not in jobs or first_load:
                break
        return transitions

    async def _run(self, job: Job) -> list[Transition]:
        if job.kind == "instances":
            return await self.refresh_instances()
        assert job.instance_id is not None
        return await self.refresh_progress(job.instance_id)

    async def run(
        self, on_update: Callable[[Snapshot, list[Transition]], object] | None = None
    ) -> None:
        """Poll forever: run due jobs, call `on_update`, sleep until the next one is due.

        `select`, `resume`, `refresh_now` and `wake` wake it early. Cancel the task to stop.
        `sleeping` is True while it waits for the next job (tests wait for that).
        """
        self._wake = asyncio.Event()
        delivered: Snapshot | None = None  # every snapshot reaches `on_update`, also one
        # published while the loop slept (`select`, `pause`: they wake it to deliver it)
        try:
            while True:
                transitions = await self.poll_due()
                if on_update is not None and (transitions or self._snapshot is not delivered):
                    delivered = self._snapshot
                    on_update(delivered, transitions)
                delay = (self.next_wakeup() - self._clock.now()).total_seconds()
                if delay > 0:
                    await self._sleep_or_wake(delay)
                else:
                    await asyncio.sleep(0)
        finally:
            self._wake = None

    async def _sleep_or_wake(self, delay: float) -> None:
        wake = self._wake
        assert wake is not None
        if wake.is_set():
            wake.clear()
            return
        sleeper = asyncio.ensure_future(self._clock.sleep(delay))
        waker = asyncio.ensure_future(wake.wait())
        self.sleeping = True
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.sleeping = False
            sleeper.cancel()
            waker.cancel()
            wake.clear()

    def wake(self) -> None:
        """Make `run` look at the schedule now (it sleeps until the next job otherwise)."""
        if self._wake is not None:
            self._wake.set()

    # --- refreshing ----------------------------------------------------------------------

    async def refresh_instances(self) -> list[Transition]:
        """Fetch the instance list now. Never raises RomaError."""
        job = Job("instances")
        self._inflight[job] = self._clock.now()
        self._list_seq += 1
        seq = self._list_seq
        started = time.perf_counter()
        try:
            async with self._sem:
                response = await self._client.list_instances()
            # thousands of instances take tens of milliseconds to map: in a thread, so that the
            # event loop (keys, the screen) gets its turn every few milliseconds meanwhile
            listed = await asyncio.to_thread(_map_list, response)
            if seq < self._list_applied:
                return []  # a newer answer is already in
            self._list_applied = seq
            transitions = self._apply_list(listed, response.total)
        except RomaError as exc:
            if seq > self._list_applied:
                self._list_failed(exc)
            return []
        except Exception as exc:
            if seq > self._list_applied:
                self._list_failed(_unexpected(exc, "the instance list"))
            return []
        finally:
            self._inflight.pop(job, None)
        log.debug(
            "instance list: %d instances, %d transitions in %.0f ms",
            len(self._s.instances),
            len(transitions),
            (time.perf_counter() - started) * 1000,
        )
        return transitions

    def _apply_list(self, listed: Iterable[Instance], total: int | None) -> list[Transition]:
        """O(n): share unchanged objects, drop vanished instances, spot transitions; `total`:
        the server's count of instances."""
        s = self._s
        old = s.by_id
        now = self._clock.now()
        instances: list[Instance] = []
        by_id: dict[str, Instance] = {}
        creating: dict[str, None] = {}  # an ordered set: the list's order
        transitions: list[Transition] = []
        for inst in listed:
            if not inst.id or inst.id in by_id:
                continue  # no id to key it by, or a duplicate from shifting pages
            prev = old.get(inst.id)
            if prev is not None and prev == inst:
                inst = prev
            instances.append(inst)
            by_id[inst.id] = inst
            if inst.status is Status.CREATING:
                creating[inst.id] = None
            t = self._observe(inst.id, inst.name, _status(inst, s.progress.get(inst.id)))
            if t is not None:
                transitions.append(t)
                # the list saw it first: fetch the details of how it ended
                self._once.add(inst.id)
                feed = s.progress_feeds.get(inst.id)
                if feed is not None:
                    s.progress_feeds[inst.id] = replace(feed, next_due=now)
        for gone in [iid for iid in old if iid not in by_id]:
            log.debug("instance %s is gone from the list", gone)
            s.progress.pop(gone, None)
            s.progress_feeds.pop(gone, None)
            s.watch.pop(gone, None)
            s.traces.pop(gone, None)
            s.statuses.pop(gone, None)
            self._once.discard(gone)
        same = len(instances) == len(s.instances) and all(
            a is b for a, b in zip(instances, s.instances, strict=True)
        )
        if not same:  # else the same objects stay: a reader sees the list did not change
            s.instances = tuple(instances)
            s.by_id = MappingProxyType(by_id)
            s.creating = MappingProxyType(creating)
        s.total = total
        self._hold_until = None
        self._list_feed = Feed(next_due=now + timedelta(seconds=self.interval), updated=now)
        self._publish()
        return transitions

    def _list_failed(self, error: RomaError) -> None:
        now = self._clock.now()
        failures = self._list_feed.failures + 1
        delay = self._backoff(self.interval, failures, error)
        self._list_feed = replace(
            self._list_feed,
            error=error,
            failures=failures,
            next_due=now + timedelta(seconds=delay),
        )
        log.debug(
            "instance list failed (%d in a row), next try in %.0f s: %s", failures, delay, error
        )
        self._publish()

    async def refresh_progress(self, instance_id: str) -> list[Transition]:
        """Fetch one instance's creation progress now. Never raises RomaError."""
        job = Job("progress", instance_id)
        self._inflight[job] = self._clock.now()
        try:
            async with self._sem:
                response = await self._client.get_creation_progress(instance_id)
            prog = progress_from_wire(response)
            raw = response.raw
        except RomaError as exc:
            self._progress_failed(instance_id, exc)
            return []
        except Exception as exc:
            self._progress_failed(instance_id, _unexpected(exc, "the creation progress"))
            return []
        finally:
            self._inflight.pop(job, None)
            self._once.discard(instance_id)
        return self._apply_progress(instance_id, prog, raw)

    def _dropped(self, instance_id: str) -> bool:
        """The list no longer has this instance (it went while we asked): forget the answer."""
        return self._list_feed.updated is not None and instance_id not in self._s.by_id

    def _apply_progress(
        self, instance_id: str, prog: CreationProgress, raw: Mapping[str, Any] | None = None
    ) -> list[Transition]:
        s = self._s
        now = self._clock.now()
        self._hold_until = None
        if self._dropped(instance_id):
            return []
        last, feed = s.progress.get(instance_id), s.progress_feeds.get(instance_id)
        s.progress[instance_id] = prog
        before = s.traces.get(instance_id)
        trace = s.traces[instance_id] = (
            before.observe(prog, now) if before is not None else Trace.first(prog, now)
        )
        inst = s.by_id.get(instance_id)
        name = inst.name if inst is not None and inst.name else prog.name
        transition = self._observe(instance_id, name, _status(inst, prog))
        every = self.progress_interval(instance_id) or self.slow_interval
        s.progress_feeds[instance_id] = Feed(next_due=now + timedelta(seconds=every), updated=now)
        log.debug("creation progress %s: %s %d%%", instance_id, prog.status.value, prog.progress)
        selected = instance_id == self._selected
        if selected and raw is not None:
            self._raw = (instance_id, raw)
        news = (
            selected
            or transition is not None
            or feed is None
            or feed.error is not None
            or not _same_progress(last, prog)
        )
        if news:
            self._publish()
        if self.recorder is not None and (trace is not before or transition is not None):
            self._record(instance_id, trace, now)
        return [transition] if transition is not None else []

    def _record(self, instance_id: str, trace: Trace, now: datetime) -> None:
        """Keep what the view model says of this creation in the history; once one ends, what
        is usual may have changed."""
        recorder = self.recorder
        view = instance_view(self._snapshot, instance_id, now)
        if recorder is None or view is None or not recorder.record(view, trace, now):
            return
        typical = recorder.typical()
        if typical != self._typical:
            self._typical = typical
            self._publish()

    def _progress_failed(self, instance_id: str, error: RomaError) -> None:
        if self._dropped(instance_id):
            return
        now = self._clock.now()
        feeds = self._s.progress_feeds
        feed = feeds.get(instance_id) or Feed(next_due=now)
        failures = feed.failures + 1
        if isinstance(error, NotFoundError) or (isinstance(error, ApiError) and error.not_found):
            delay = max(NOT_FOUND_DELAY, self._retry_after(error))
        else:
            delay = self._backoff(
                self.progress_interval(instance_id) or self.slow_interval, failures, error
            )
        feeds[instance_id] = replace(
            feed, error=error, failures=failures, next_due=now + timedelta(seconds=delay)
        )
        log.debug(
            "creation progress %s failed (%d in a row), next try in %.0f s: %s",
            instance_id,
            failures,
            delay,
            error,
        )
        self._publish()

    @staticmethod
    def _retry_after(error: RomaError) -> float:
        """The server's Retry-After in seconds, 0 without one, never over 15 minutes."""
        if isinstance(error, ApiError):
            return cap_retry_after(error.retry_after) or 0.0
        return 0.0

    def _backoff(self, cadence: float, failures: int, error: RomaError) -> float:
        """Seconds to the next try: doubling from the cadence, capped, >= Retry-After."""
        if error.transient:
            delay = backoff(
                cadence, failures, RECOVERY_INTERVALS * self.interval, self._retry_after(error)
            )
        else:
            base = max(cadence, PERMANENT_BASE)
            delay = backoff(base, failures, MAX_BACKOFF, self._retry_after(error))
        if isinstance(error, ApiError) and error.auth_failed:
            hold = self._clock.now() + timedelta(seconds=delay)
            if self._hold_until is None or hold > self._hold_until:
                self._hold_until = hold
        return delay

    # --- transitions ---------------------------------------------------------------------

    def _observe(self, instance_id: str, name: str, status: Status) -> Transition | None:
        """Record a status seen by either source; a Transition when creation just ended."""
        watch = self._s.watch.get(instance_id)
        if watch is None:
            if status is not Status.CREATING:
                return None  # never seen creating: nothing to remember (the common case)
            watch = self._s.watch[instance_id] = _Watch()
        old = watch.last
        watch.last = status
        if status is Status.CREATING:
            if watch.reported is None:
                watch.was_creating = True
            return None
        if status is Status.DELETING:
            watch.was_creating = False
            return None
        if not status.settled or not watch.was_creating or watch.reported is status:
            return None
        watch.was_creating = False
        watch.reported = status
        log.debug("instance %s: %s -> %s", instance_id, old.value, status.value)
        return Transition(instance_id, name, old, status)

    # --- publishing ----------------------------------------------------------------------

    def _publish(self) -> None:
        s = self._s
        self._snapshot = Snapshot(
            list_feed=self._list_feed,
            place=self.place,
            instances=s.instances,
            progress=MappingProxyType(dict(s.progress)),
            progress_feeds=MappingProxyType(dict(s.progress_feeds)),
            traces=MappingProxyType(dict(s.traces)),
            paused=self._paused,
            selected=self._selected,
            by_id=s.by_id,
            typical=self._typical,
            selected_raw=raw[1] if (raw := self._raw) and raw[0] == self._selected else None,
            total=s.total,
        )
