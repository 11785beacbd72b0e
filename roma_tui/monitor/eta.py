"""Estimated time to the end of a creation: when, within which range, and per sub-service.

A creation ends when its last sub-service ends, so the estimate follows the sub-services:
- one that runs gets a line fitted on the changes of its progress over its recent past (the
  last half of its time so far, at least WINDOW; a Theil-Sen fit: one jump or stall does not
  swing it), else the line from its start through the moment its current progress was first
  seen; where the line reaches 100 % is when it should end. Progress comes in steps: a step is
  reached once and shown until the next, so between two changes the ETA counts down;
- with history (`Typical`: what past creations of this type in this region took), a sub-service
  less than TRUST percent along is judged by what it usually takes, at the pace this creation
  has shown so far; one not started yet starts when it usually does and takes what it usually
  takes; without history it is given the median length of the others.
Without sub-services (or when one of them cannot be judged) the same is done with the overall
progress. The range spans the ends of the different lines (up to "the current step was reached
only now") and history's median to 90th percentile, and is at least MIN_MARGIN either side,
MAX_MARGIN when nothing is done yet. Nothing is said (None) before MIN_ELAPSED or MIN_PROGRESS
without history, nor when the answer would be absurd (over MAX_REMAINING).
bench/eta.py measures it against the naive linear estimate on replayed creations.

Pure computation: must not import textual, httpx or anything that does I/O.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Literal

from roma_tui.monitor.domain import CreationProgress, Status, SubService
from roma_tui.monitor.trace import Trace

__all__ = [
    "MAX_REMAINING",
    "MIN_ELAPSED",
    "MIN_PROGRESS",
    "WINDOW",
    "Eta",
    "SubTypical",
    "Typical",
    "estimate",
]

WINDOW = timedelta(minutes=5)  # the shortest stretch of trace a rate is fitted on
MIN_ELAPSED = timedelta(seconds=60)  # without history: too early to say before this ...
MIN_PROGRESS = 2  # ... or before this many percent
MAX_REMAINING = timedelta(days=2)  # an answer beyond this is not an answer
RECENT = 0.5  # the window is this fraction of a part's time so far (at least WINDOW)
FIT_POINTS = 16  # the rate is fitted on at most this many of the latest changes
TRUST = 10  # percent: a part this far along is judged by its own progress, not by history
MIN_MARGIN = 0.1  # the range is at least this much either side of the estimate ...
MAX_MARGIN = 0.6  # ... and this much when nothing is done yet
PACE_LIMITS = (0.5, 2.0)  # how much faster or slower than usual a creation is believed to go
PACE_FROM = 20  # percent: a running sub-service this far along tells the pace

_EMPTY: Mapping[str, SubTypical] = MappingProxyType({})
Basis = Literal["progress", "history", "progress and history"]


@dataclass(frozen=True, slots=True)
class SubTypical:
    """What one sub-service usually does in a creation of this type: when it starts (after the
    creation's start) and how long it takes (medians)."""

    start: timedelta
    took: timedelta


@dataclass(frozen=True, slots=True)
class Typical:
    """What past creations of one instance type in one region took (from the history)."""

    type: str
    region: str
    count: int  # finished creations these figures come from
    median: timedelta
    p90: timedelta
    quiet: timedelta | None = None  # median of each creation's longest stretch without progress
    subs: Mapping[str, SubTypical] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class Eta:
    """Time left until a creation ends: the estimate, a range around it, and each sub-service's
    (None where nothing can be said)."""

    remaining: timedelta
    low: timedelta
    high: timedelta
    subs: tuple[tuple[str, timedelta | None], ...]
    basis: Basis


@dataclass(frozen=True, slots=True)
class _Left:
    """Seconds left for one part: the estimate and the two ends of its range."""

    mid: float
    low: float
    high: float
    history: bool = False
    progress: bool = False


def _seconds(span: timedelta) -> float:
    return span.total_seconds()


def _recent_changes(
    name: str | None, trace: Trace, seen: datetime, elapsed: float, window: float
) -> list[tuple[float, int]]:
    """The changes of the progress (overall, or the named sub-service's) seen in the last
    `window` seconds, at most FIT_POINTS, oldest first, as (seconds since the part's start,
    progress). Read from the newest point back, only as far as needed."""
    found: list[tuple[float, int]] = []
    newer: tuple[datetime, int | None] | None = None
    for point in reversed(trace.points):
        value = point.progress if name is None else point.sub(name)
        if newer is not None and newer[1] is not None and newer[1] != value:
            when = elapsed - _seconds(seen - newer[0])
            if when < elapsed - window or when <= 0 or len(found) == FIT_POINTS:
                break
            found.append((when, newer[1]))
        newer = (point.at, value)
    found.reverse()
    return found


def _slope(points: list[tuple[float, int]]) -> float | None:
    """The Theil-Sen slope of at least three points: the median of the pairwise slopes, so one
    jump or one late point does not move it much, where a least-squares line would follow."""
    slopes = [
        (p1 - p0) / (t1 - t0)
        for k, (t0, p0) in enumerate(points)
        for t1, p1 in points[k + 1 :]
        if t1 > t0
    ]
    return statistics.median(slopes) if len(points) >= 3 and slopes else None


def _observed(
    name: str | None, progress: int, elapsed: float, trace: Trace | None, seen: datetime
) -> _Left | None:
    """Seconds left for a part that has run `elapsed` seconds and shows `progress`, from its
    progress alone (None when there is nothing to go on): what is left at the rate fitted on
    its recent changes (the last half of its time, at least WINDOW), else at its rate from
    its start to the moment its current progress was first seen; less the time since that
    moment (a step of progress is reached once, then shown until the next). The range: from
    the soonest of those ends to the one that assumes the current step was reached only now."""
    if progress <= 0 or elapsed <= 0:
        return None
    left = 100 - progress
    slowest = left * elapsed / progress  # as if the current progress was reached just now
    ends = [slowest]
    likely = slowest
    if trace is not None:
        quiet = _seconds(seen - trace.reached(name))
        if elapsed > quiet:
            likely = left * (elapsed - quiet) / progress - quiet
            ends.append(likely)
        window = max(_seconds(WINDOW), elapsed * RECENT)
        points = _recent_changes(name, trace, seen, elapsed, window)
        if elapsed <= window and len(points) < FIT_POINTS:
            points.insert(0, (0.0, 0))  # its start is in the window
        slope = _slope(points[-FIT_POINTS:])
        if slope is not None and slope > 0:
            likely = left / slope - quiet
            ends.append(likely)
    return _Left(max(0.0, likely), max(0.0, min(ends)), max(ends), progress=True)


def _blend(seen: _Left | None, usual: _Left | None, weight: float) -> _Left | None:
    """`seen` weighted by `weight` (how much of the part is done), the rest from `usual`."""
    if seen is None or usual is None:
        return seen or usual
    w = min(1.0, max(0.0, weight))
    return _Left(
        w * seen.mid + (1 - w) * usual.mid,
        w * seen.low + (1 - w) * usual.low,
        w * seen.high + (1 - w) * usual.high,
        history=True,
        progress=True,
    )


def _usual(total: float, p90: float, elapsed: float, pace: float) -> _Left:
    """What the usual length (median `total`, 90th percentile `p90`) leaves after `elapsed`."""
    return _Left(
        max(0.0, total * pace - elapsed),
        max(0.0, total * pace * 0.85 - elapsed),
        max(0.0, p90 * pace - elapsed),
        history=True,
    )


def _done(sub: SubService) -> bool:
    return sub.finished is not None or sub.progress >= 100 or sub.status is Status.RUNNING


def _pace(
    prog: CreationProgress, typical: Typical, seen: Mapping[str, _Left | None], now: datetime
) -> float:
    """How much longer (> 1) or shorter than usual this creation's sub-services take: the
    median over those that finished, or are at least PACE_FROM percent done."""
    ratios: list[float] = []
    for sub in prog.sub_services:
        usual = typical.subs.get(sub.name)
        if usual is None or sub.started is None or usual.took <= timedelta(0):
            continue
        if sub.finished is not None:
            ratios.append(_seconds(sub.finished - sub.started) / _seconds(usual.took))
        elif sub.progress >= PACE_FROM and (left := seen.get(sub.name)) is not None:
            ratios.append((_seconds(now - sub.started) + left.mid) / _seconds(usual.took))
    if not ratios:
        return 1.0
    low, high = PACE_LIMITS
    return min(high, max(low, statistics.median(ratios)))


def _margin(progress: int) -> float:
    return MIN_MARGIN + (MAX_MARGIN - MIN_MARGIN) * (1 - max(0, min(100, progress)) / 100)


def _sub_left(
    sub: SubService,
    seen: _Left | None,
    usual: SubTypical | None,
    started: datetime,
    pace: float,
    fallback: float | None,
    now: datetime,
) -> _Left | None:
    """Time left for one unfinished sub-service (see the module docstring)."""
    if sub.started is None:  # not started yet
        if usual is not None:
            begin = max(0.0, _seconds(started + usual.start * pace - now))
            took = _seconds(usual.took) * pace
            return _Left(begin + took, begin + took * 0.85, begin + took * 1.3, history=True)
        if fallback is None:
            return None
        return _Left(fallback, fallback * 0.5, fallback * 1.5)
    elapsed = _seconds(now - sub.started)
    if usual is not None:
        took = _seconds(usual.took)
        return _blend(seen, _usual(took, took * 1.3, elapsed, pace), sub.progress / TRUST)
    if seen is None and fallback is not None:
        left = max(0.0, fallback - elapsed)
        return _Left(left, left * 0.5, left * 1.5)
    return seen


def _critical(
    prog: CreationProgress,
    started: datetime,
    now: datetime,
    trace: Trace | None,
    seen: datetime,
    typical: Typical | None,
) -> dict[str, _Left | None]:
    """Time left for every unfinished sub-service."""
    running = [s for s in prog.sub_services if not _done(s)]
    observed = {
        sub.name: _observed(sub.name, sub.progress, _seconds(now - sub.started), trace, seen)
        for sub in running
        if sub.started is not None
    }
    pace = _pace(prog, typical, observed, now) if typical is not None else 1.0
    lengths = [
        _seconds(s.finished - s.started)
        for s in prog.sub_services
        if s.finished is not None and s.started is not None
    ]
    for sub in running:
        left = observed.get(sub.name)
        if left is not None and sub.started is not None:
            lengths.append(_seconds(now - sub.started) + left.mid)
    fallback = statistics.median(lengths) if lengths else None
    return {
        sub.name: _sub_left(
            sub,
            observed.get(sub.name),
            typical.subs.get(sub.name) if typical is not None else None,
            started,
            pace,
            fallback,
            now,
        )
        for sub in running
    }


def estimate(
    prog: CreationProgress,
    started: datetime | None,
    now: datetime,
    *,
    trace: Trace | None = None,
    seen: datetime | None = None,
    typical: Typical | None = None,
) -> Eta | None:
    """Time left until the creation in `prog` ends, at `now` (the server's clock, like the
    document's times); `trace` holds what was seen of it so far on the local clock, `seen`
    being that clock's now (default `now`). None when it cannot honestly be said."""
    seen = seen or now
    if started is None or started > now or not 0 <= prog.progress < 100:
        return None
    elapsed = _seconds(now - started)
    if typical is None and (elapsed < _seconds(MIN_ELAPSED) or prog.progress < MIN_PROGRESS):
        return None
    lefts = _critical(prog, started, now, trace, seen, typical)
    known = [left for left in lefts.values() if left is not None]
    if known and len(known) == len(lefts):
        whole = _Left(
            max(left.mid for left in known),
            max(left.low for left in known),
            max(left.high for left in known),
            history=any(left.history for left in known),
            progress=any(left.progress for left in known),
        )
    else:  # no sub-services, or one that nothing can be said of: the overall progress
        usual = None
        if typical is not None:
            pace = _pace(prog, typical, {}, now)
            usual = _usual(_seconds(typical.median), _seconds(typical.p90), elapsed, pace)
        seen_left = _observed(None, prog.progress, elapsed, trace, seen)
        found = _blend(seen_left, usual, prog.progress / TRUST)
        if found is None:
            return None
        whole = found
    if whole.mid > _seconds(MAX_REMAINING):
        return None
    margin = _margin(prog.progress)
    low = min(whole.low, whole.mid * (1 - margin))
    high = min(max(whole.high, whole.mid * (1 + margin)), _seconds(MAX_REMAINING))
    basis: Basis = "progress"
    if whole.history:
        basis = "progress and history" if whole.progress else "history"
    return Eta(
        remaining=timedelta(seconds=round(whole.mid)),
        low=timedelta(seconds=round(max(0.0, low))),
        high=timedelta(seconds=round(high)),
        subs=tuple(
            (name, None if left is None else timedelta(seconds=round(left.mid)))
            for name, left in lefts.items()
        ),
        basis=basis,
    )
