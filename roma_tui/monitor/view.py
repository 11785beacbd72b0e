"""The view model: the one place where a status, a time or a reason is decided.

Pure functions of (snapshot, instance id, now). The TUI's rows and detail pane, `status` (table,
detail, `--json`) and `wait` all show what these return and compute nothing of their own, so
two screens cannot disagree about the same data.

Which status wins (one rule, applied to every instance):
1. The list (or the `/apic/` detail) says where the instance is in its life. When its word is
   known and is not a creation phase (running, error, frozen, deleting, create failed...), that
   is the status: a stale `running` in a creation-progress document never hides an ERROR, a
   Frozen or a Deleting, and a CREATE_FAILED list wins over a progress still saying creating.
2. While the list says the instance is being created, or says nothing we know, the creation
   progress decides, because the list lags behind it:
   a. failure evidence: a failed top-level or embedded status, a non-empty
      `instance.errorMessage` (Terraform's waiter for this resource reads it the same way), or a
      failed sub-service, means the creation failed;
   b. else the top level's `status` when it is a word we know, else the embedded
      `instance.status` when it is one (an unknown word falls through, never to "unknown" when
      another source knows).
3. Else the list's own creating, else unknown.

Times (one rule for instances and sub-services): a span ends at `end_time` when it is set;
once over without one, it took `taken_time` (whole minutes) when the API gave it; only while it
is genuinely running does the clock count (server time: `currentTime` corrects the local
clock's skew). A finished or failed creation's durations never grow. Once an instance is no
longer creating, its unfinished sub-services are stopped (or done, if it runs), not creating.

Stalls: a creation is stalled when its progress has not moved for far longer than usual, as
observed by a monitor: STALL_FACTOR times the usual longest still stretch (history's, else
this creation's own so far), and at least STALL_MIN; STALL_WATCHED when nothing says what is
usual. Or when nothing in it has started or ended for STALL_SILENT (what one document alone
can tell).

ETA (roma_tui.monitor.eta): while creating and not stalled, from the progress seen so far (the
snapshot's trace) and, when there is one, what creations of this type usually take (the
snapshot's `typical`, from the history); a time, a range, and each sub-service's time left.
Imports roma_tui.monitor only; never textual, rich or httpx.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from roma_tui.monitor.domain import (
    WORDS,
    CreationProgress,
    Instance,
    InstanceKey,
    Status,
    SubService,
    SubState,
    Word,
    lookup,
)
from roma_tui.monitor.eta import Eta, Typical, estimate
from roma_tui.monitor.snapshot import Snapshot
from roma_tui.monitor.trace import Trace

__all__ = [
    "STALL_FACTOR",
    "STALL_MIN",
    "STALL_SILENT",
    "STALL_WATCHED",
    "InstanceView",
    "Overview",
    "Reason",
    "StatusView",
    "SubServiceView",
    "SubState",
    "Tally",
    "ViewCache",
    "instance_view",
    "instance_views",
    "merge_instance",
    "overview",
    "resolve_status",
]

STALL_WATCHED = timedelta(minutes=30)  # progress seen unchanged this long: stalled
STALL_FACTOR = 3  # ... or this many times the usual longest still stretch,
STALL_MIN = timedelta(minutes=5)  # ... but never less than this
STALL_POINTS = 4  # a trace needs this many changes before its own stretches say what is usual
STALL_SILENT = timedelta(hours=2)  # no sub-service started or ended this long: stalled
MAX_SKEW = timedelta(days=1)  # a server clock further off than this is ignored

Source = Literal["list", "progress", "instance", "none"]

_FAILED = WORDS["createfailed"]


@dataclass(frozen=True, slots=True)
class StatusView:
    """The status shown for an instance: what it means, and which document said so."""

    status: Status
    word: str  # "creating", "failed", "error", "frozen", "delete failed", ...
    meaning: str  # "creation failed", "running abnormally", ...
    raw: str  # the deciding document's own spelling ("" when none)
    source: Source  # which document decided: the list, the progress's top level or `instance`


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an instance failed (or is in trouble), as the API said it."""

    code: str | None
    message: str | None
    sub_service: str | None = None  # the failed sub-service, when one failed

    def text(self) -> str:
        """`mqs: ROMA.00110500: EIP quota exceeded` (parts that are missing are left out)."""
        parts = [p for p in (self.sub_service, self.code, self.message) if p]
        return ": ".join(parts) if parts else "the API gave no reason"


@dataclass(frozen=True, slots=True)
class SubServiceView:
    name: str
    state: SubState
    raw: str  # the API's spelling of its status
    progress: int
    started: datetime | None
    finished: datetime | None
    took: timedelta | None  # so far while creating
    ticking: bool  # `took` grows with the clock
    error_code: str | None
    error_msg: str | None
    eta: timedelta | None = None  # time left while it is creating or waiting, when it can be said


@dataclass(frozen=True, slots=True)
class InstanceView:
    """Everything any front end shows about one instance."""

    key: InstanceKey
    instance: Instance  # the list's attributes, gaps filled from the progress's `instance`
    status: StatusView
    progress: int | None  # None when unknown (no creation progress known)
    created: datetime | None
    started: datetime | None
    finished: datetime | None
    elapsed: timedelta | None  # creation time so far, or what it took once over
    ticking: bool  # `elapsed` grows with the clock
    eta: timedelta | None  # time left, when it can honestly be said
    stalled: timedelta | None  # how long it has not moved, when that is far longer than usual
    reason: Reason | None  # why it failed, or what is wrong
    sub_services: tuple[SubServiceView, ...]
    has_progress: bool  # a creation-progress document is known
    eta_low: timedelta | None = None  # the range of `eta`
    eta_high: timedelta | None = None
    eta_at: datetime | None = None  # when it should end (local clock)
    eta_basis: str | None = None  # "progress", "history" or "progress and history"
    stall_usual: timedelta | None = None  # the usual longest still stretch, when known
    usual: Typical | None = None  # creating or running: what its type here usually takes
    slower_than_usual: bool = False  # it has taken (or takes) longer than history's p90

    @property
    def id(self) -> str:
        return self.key.id

    @property
    def name(self) -> str:
        return self.instance.name

    @property
    def over(self) -> bool:
        """The creation is no longer in progress (whatever became of it)."""
        return self.status.status is not Status.CREATING


# --- status ----------------------------------------------------------------------------------


def _view(word: Word, raw: str, source: Source) -> StatusView:
    return StatusView(word.status, word.word, word.meaning, raw, source)


def _failed_subs(prog: CreationProgress) -> tuple[SubService, ...]:
    return tuple(
        s for s in prog.sub_services if s.status is Status.FAILED or s.error_code or s.error_msg
    )


def resolve_status(listed: Instance | None, prog: CreationProgress | None) -> StatusView:
    """The status of an instance from the list (or detail) and its creation progress; the
    rule is in this module's docstring."""
    if listed is not None and listed.status.known and listed.status is not Status.CREATING:
        return _view(lookup(listed.status_raw), listed.status_raw, "list")
    if prog is not None:
        inner = prog.instance
        if prog.status is Status.FAILED:
            return _view(lookup(prog.status_raw), prog.status_raw, "progress")
        if inner is not None and inner.status is Status.FAILED:
            return _view(lookup(inner.status_raw), inner.status_raw, "instance")
        if inner is not None and inner.error_msg:
            return _view(_FAILED, inner.status_raw or prog.status_raw, "instance")
        if _failed_subs(prog):
            return _view(_FAILED, prog.status_raw, "progress")
        if prog.status.known:
            return _view(lookup(prog.status_raw), prog.status_raw, "progress")
        if inner is not None and inner.status.known:
            return _view(lookup(inner.status_raw), inner.status_raw, "instance")
    if listed is not None and listed.status.known:
        return _view(lookup(listed.status_raw), listed.status_raw, "list")
    raw = listed.status_raw if listed is not None else (prog.status_raw if prog else "")
    return _view(lookup(raw), raw, "list" if listed is not None else "none")


def _reason(
    status: Status, listed: Instance | None, prog: CreationProgress | None
) -> Reason | None:
    """Why it failed: the failed sub-service, else the progress's `instance`, else the list;
    for any other status but creating and running (the list's error, if it gave one): a
    leftover error text on a running instance is not a problem to show."""
    if status is Status.FAILED and prog is not None:
        failed = _failed_subs(prog)
        if failed:
            return Reason(failed[0].error_code, failed[0].error_msg, failed[0].name or None)
        inner = prog.instance
        if inner is not None and (inner.error_code or inner.error_msg):
            return Reason(inner.error_code, inner.error_msg)
    if status in (Status.CREATING, Status.RUNNING):
        return None
    if listed is not None and (listed.error_code or listed.error_msg):
        return Reason(listed.error_code, listed.error_msg)
    return Reason(None, None) if status is Status.FAILED else None


# --- times -----------------------------------------------------------------------------------


def _span(start: datetime | None, end: datetime | None) -> timedelta | None:
    if start is None or end is None:
        return None
    return max(timedelta(0), end - start)


def _minutes(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(minutes=value)


def server_now(snapshot: Snapshot, instance_id: str, now: datetime) -> datetime:
    """`now` on the server's clock, when the creation progress told us its time."""
    prog = snapshot.progress.get(instance_id)
    feed = snapshot.progress_feeds.get(instance_id)
    if prog is None or prog.server_time is None or feed is None or feed.updated is None:
        return now
    skew = prog.server_time - feed.updated
    return now if abs(skew) > MAX_SKEW else now + skew


def _sub_view(
    sub: SubService,
    status: Status,
    instance_end: datetime | None,
    now: datetime,
    eta: timedelta | None,
) -> SubServiceView:
    if sub.status is Status.FAILED or sub.error_code or sub.error_msg:
        state = SubState.FAILED
    elif sub.status is Status.RUNNING or (sub.finished is not None and sub.progress >= 100):
        state = SubState.DONE
    elif status is Status.RUNNING:
        state = SubState.DONE  # the instance runs: every part of it was created
    elif status is not Status.CREATING:
        state = SubState.STOPPED
    elif sub.started is None and sub.progress == 0:
        state = SubState.WAITING
    elif sub.status.known or sub.started is not None:
        state = SubState.CREATING
    else:
        state = SubState.UNKNOWN
    ticking = state is SubState.CREATING and sub.started is not None
    if sub.finished is not None:
        took = _span(sub.started, sub.finished)
    elif ticking:
        took = _span(sub.started, now)
    elif state is SubState.WAITING:
        took = None
    else:
        took = _minutes(sub.taken_minutes)
        if took is None and state is not SubState.DONE:
            took = _span(sub.started, instance_end)
    progress = 100 if state is SubState.DONE and status is Status.RUNNING else sub.progress
    return SubServiceView(
        name=sub.name,
        state=state,
        raw=sub.status_raw,
        progress=progress,
        started=sub.started,
        finished=sub.finished,
        took=took,
        ticking=ticking,
        error_code=sub.error_code,
        error_msg=sub.error_msg,
        eta=eta if state in (SubState.CREATING, SubState.WAITING) else None,
    )


def _last_event(prog: CreationProgress) -> datetime | None:
    moments = [prog.started]
    for sub in prog.sub_services:
        moments += (sub.started, sub.finished)
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def usual_quiet(trace: Trace | None, typical: Typical | None) -> timedelta | None:
    """The longest stretch without progress a creation like this one usually has: history's,
    else this creation's own so far (once it has changed STALL_POINTS times)."""
    if typical is not None and typical.quiet is not None:
        return typical.quiet
    if trace is not None and len(trace.points) >= STALL_POINTS and trace.longest_quiet:
        return trace.longest_quiet
    return None


def _stalled(
    prog: CreationProgress,
    trace: Trace | None,
    usual: timedelta | None,
    now: datetime,
    now_server: datetime,
) -> timedelta | None:
    quiet: list[timedelta] = []
    limit = STALL_WATCHED if usual is None else max(STALL_MIN, STALL_FACTOR * usual)
    if trace is not None and now - trace.moved >= limit:
        quiet.append(now - trace.moved)
    last = _last_event(prog)
    if last is not None and now_server - last >= STALL_SILENT:
        quiet.append(now_server - last)
    return max(quiet) if quiet else None


# --- the view --------------------------------------------------------------------------------


def merge_instance(listed: Instance | None, embedded: Instance | None) -> Instance | None:
    """The list's instance, with gaps filled from the progress's embedded `instance`."""
    if listed is None or embedded is None:
        return listed or embedded
    changes: dict[str, object] = {}
    for name in Instance.__dataclass_fields__:
        if name in ("id", "name", "status", "status_raw", "error_code", "error_msg"):
            continue
        mine = getattr(listed, name)
        if (mine is None or mine == ()) and getattr(embedded, name) not in (None, ()):
            changes[name] = getattr(embedded, name)
    if not changes:
        return listed
    return replace(listed, **changes)  # type: ignore[arg-type]


def _slower(status: Status, elapsed: timedelta | None, typical: Typical | None) -> bool:
    """The creation takes (or took, if it succeeded) longer than 9 in 10 of its kind."""
    if typical is None or elapsed is None or status not in (Status.CREATING, Status.RUNNING):
        return False
    return elapsed > typical.p90


def instance_view(snapshot: Snapshot, instance_id: str, now: datetime) -> InstanceView | None:
    """What every front end shows for one instance at `now` (local clock); None if unknown."""
    listed = snapshot.by_id.get(instance_id)
    prog = snapshot.progress.get(instance_id)
    inner = prog.instance if prog is not None else None
    inst = merge_instance(listed, inner)
    if inst is None:
        if prog is None:
            return None
        inst = Instance(prog.instance_id or instance_id, prog.name, Status.UNKNOWN, "")
    if not inst.id or not inst.name:
        inst = replace(
            inst,
            id=inst.id or instance_id,
            name=inst.name or (prog.name if prog is not None else ""),
        )
    status = resolve_status(listed, prog)
    the_status = status.status
    creating = the_status is Status.CREATING
    clock = server_now(snapshot, instance_id, now)
    typical = snapshot.typical.get(inst.type) if inst.type else None
    trace = snapshot.traces.get(instance_id)

    started = (prog.started if prog is not None else None) or inst.created
    finished = prog.finished if prog is not None else None
    if creating:
        elapsed = _span(started, clock)
    elif finished is not None:
        elapsed = _span(started, finished)
    else:
        elapsed = _minutes(prog.taken_minutes) if prog is not None else None

    eta: Eta | None = None
    quiet_usual = usual_quiet(trace, typical)
    if prog is None:
        progress: int | None = 100 if the_status is Status.RUNNING else None
        subs: tuple[SubServiceView, ...] = ()
        stalled = None
    else:
        progress = 100 if the_status is Status.RUNNING else prog.progress
        stalled = _stalled(prog, trace, quiet_usual, now, clock) if creating else None
        if creating and stalled is None:
            eta = estimate(prog, started, clock, trace=trace, seen=now, typical=typical)
        sub_eta = dict(eta.subs) if eta is not None else {}
        instance_end = finished or (started + elapsed if started and elapsed else None)
        subs = tuple(
            _sub_view(s, the_status, instance_end, clock, sub_eta.get(s.name))
            for s in prog.sub_services
        )
    return InstanceView(
        key=InstanceKey(snapshot.place, inst.id),
        instance=inst,
        status=status,
        progress=progress,
        created=inst.created,
        started=started,
        finished=finished,
        elapsed=elapsed,
        ticking=creating and elapsed is not None,
        eta=eta.remaining if eta is not None else None,
        stalled=stalled,
        reason=_reason(the_status, listed, prog),
        sub_services=subs,
        has_progress=prog is not None,
        eta_low=eta.low if eta is not None else None,
        eta_high=eta.high if eta is not None else None,
        eta_at=now + eta.remaining if eta is not None else None,
        eta_basis=eta.basis if eta is not None else None,
        stall_usual=quiet_usual if stalled is not None else None,
        usual=typical if the_status in (Status.CREATING, Status.RUNNING) else None,
        slower_than_usual=_slower(the_status, elapsed, typical),
    )


def instance_views(snapshot: Snapshot, now: datetime) -> list[InstanceView]:
    """Every listed instance (the API's order), then the selected one if the list lacks it."""
    views = [instance_view(snapshot, inst.id, now) for inst in snapshot.instances]
    selected = snapshot.selected
    if selected is not None and selected not in snapshot.by_id:
        views.append(instance_view(snapshot, selected, now))
    return [v for v in views if v is not None]


@dataclass(frozen=True, slots=True)
class Overview:
    """How a whole project stands: how many instances in each status, and how the creations
    under way are doing together (the header shows this)."""

    counts: dict[Status, int]
    creating_progress: int | None  # the average progress of the creations under way
    stalled: int  # how many of them are stalled
    all_done_at: datetime | None  # when the last of them should end, when every one has an ETA


def overview(views: Iterable[InstanceView]) -> Overview:
    views = list(views)
    counts: dict[Status, int] = {}
    for v in views:
        counts[v.status.status] = counts.get(v.status.status, 0) + 1
    return _overview(counts, [v for v in views if v.status.status is Status.CREATING])


def _overview(counts: dict[Status, int], creating: list[InstanceView]) -> Overview:
    known = [v.progress for v in creating if v.progress is not None]
    ends = [v.eta_at for v in creating]
    return Overview(
        counts=counts,
        creating_progress=round(sum(known) / len(known)) if known else None,
        stalled=sum(v.stalled is not None for v in creating),
        all_done_at=max(e for e in ends if e is not None) if ends and None not in ends else None,
    )


class Tally:
    """`overview` of a set of views that changes one view at a time: what it costs follows
    the creations under way, not every instance (a progress answer changes one view of 2000).
    `overview()` is exactly `overview(views)` of the views set."""

    def __init__(self) -> None:
        self._status: dict[str, Status] = {}
        self._counts: dict[Status, int] = {}
        self._creating: dict[str, InstanceView] = {}

    def set(self, instance_id: str, view: InstanceView | None) -> None:
        """`view` is now the view of this instance (None: it has none any more)."""
        before = self._status.pop(instance_id, None)
        if before is not None:
            left = self._counts[before] - 1
            if left:
                self._counts[before] = left
            else:
                del self._counts[before]
            self._creating.pop(instance_id, None)
        if view is None:
            return
        status = view.status.status
        self._status[instance_id] = status
        self._counts[status] = self._counts.get(status, 0) + 1
        if status is Status.CREATING:
            self._creating[instance_id] = view

    def overview(self) -> Overview:
        return _overview(dict(self._counts), list(self._creating.values()))


@dataclass(frozen=True, slots=True)
class _Memo:
    inputs: tuple[object, ...]
    now: datetime | None  # None: the view does not depend on the time
    view: InstanceView | None


class ViewCache:
    """`instance_view`, remembered per instance: computed again only when one of its inputs
    changed, or, while its creation is in progress, when `now` moved.

    The view of an instance depends only on its list entry, its creation progress, that
    progress's feed (the server's clock) and trace, what is usual (`typical`), and `now`
    (creating only); the monitor shares unchanged objects from one snapshot to the next, so
    inputs are compared by identity first. The same function computes every view, so a
    cached one is the view itself.
    """

    def __init__(self) -> None:
        self._memos: dict[str, _Memo] = {}

    def view(self, snapshot: Snapshot, instance_id: str, now: datetime) -> InstanceView | None:
        """The view at `now`, exactly as `instance_view` gives it."""
        return self._view(snapshot, instance_id, now, timely=True)

    def known(self, snapshot: Snapshot, instance_id: str, now: datetime) -> InstanceView | None:
        """The view remembered while its inputs are unchanged, whatever moment it was computed
        for (what is not a time, such as a status, a percentage or a reason, does not depend
        on it); else the view at `now`."""
        return self._view(snapshot, instance_id, now, timely=False)

    def _view(
        self, snapshot: Snapshot, instance_id: str, now: datetime, *, timely: bool
    ) -> InstanceView | None:
        inputs = (
            snapshot.place,
            snapshot.by_id.get(instance_id),
            snapshot.progress.get(instance_id),
            snapshot.progress_feeds.get(instance_id),
            snapshot.traces.get(instance_id),
            snapshot.typical,
        )
        memo = self._memos.get(instance_id)
        # equal inputs give an equal view; the tuple compares by identity first (fast)
        if (
            memo is not None
            and memo.inputs == inputs
            and (memo.now is None or not timely or memo.now == now)
        ):
            return memo.view
        view = instance_view(snapshot, instance_id, now)
        timed = view is not None and view.status.status is Status.CREATING
        self._memos[instance_id] = _Memo(inputs, now if timed else None, view)
        return view

    def forget(self, keep: Container[str]) -> None:
        """Drop what is remembered of instances not in `keep` (gone from the list)."""
        for gone in [iid for iid in self._memos if iid not in keep]:
            del self._memos[gone]
