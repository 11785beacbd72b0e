"""What a creation's progress did over time, as seen by whoever watched it: a bounded trace.

A `Trace` keeps the change points of one creation progress: the first moment each new look
(overall percentage and every sub-service's) was seen, on the local clock. Between two points
the progress stood still, so the points alone say both how fast it went and for how long it did
not move. Whoever watches a creation over time (the monitor, `wait`) keeps one per instance and
feeds it every answer (`observe`); the view model reads the ETA and stalls from it.

Bounded: at most MAX_POINTS points. When full, the older half is thinned (every other point
goes) while the first point and the most recent ones stay as they were, so memory is flat
however long a creation takes, and the recent past, which the rate is fitted on, keeps its
detail.
Imports roma_tui.monitor.domain and the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from roma_tui.monitor.domain import CreationProgress

__all__ = ["MAX_POINTS", "Point", "Trace"]

MAX_POINTS = 120
_KEEP_RECENT = MAX_POINTS // 2  # never thinned


@dataclass(frozen=True, slots=True)
class Point:
    """How the creation looked from `at` on (until the next point)."""

    at: datetime
    progress: int
    subs: tuple[tuple[str, int], ...]  # (name, progress) of every sub-service

    def sub(self, name: str) -> int | None:
        for sub_name, progress in self.subs:
            if sub_name == name:
                return progress
        return None


def _looks(prog: CreationProgress) -> tuple[int, tuple[tuple[str, int], ...]]:
    return prog.progress, tuple((s.name, s.progress) for s in prog.sub_services)


@dataclass(frozen=True, slots=True)
class Trace:
    """The change points of one creation's progress, oldest first (never empty), and the
    longest stretch it has stood still so far (between two changes: the current one is not
    over yet)."""

    points: tuple[Point, ...]
    longest_quiet: timedelta = timedelta(0)

    @classmethod
    def first(cls, prog: CreationProgress, at: datetime) -> Trace:
        progress, subs = _looks(prog)
        return cls((Point(at, progress, subs),))

    @property
    def moved(self) -> datetime:
        """When the progress last changed, as far as we saw (the first sight of its look)."""
        return self.points[-1].at

    @property
    def last(self) -> Point:
        return self.points[-1]

    def observe(self, prog: CreationProgress, at: datetime) -> Trace:
        """The trace after seeing `prog` at `at`: itself when nothing changed (so a caller can
        tell by identity), else one point longer (thinned when full)."""
        progress, subs = _looks(prog)
        last = self.points[-1]
        if (progress, subs) == (last.progress, last.subs) or at < last.at:
            return self
        points = (*self.points, Point(at, progress, subs))
        if len(points) > MAX_POINTS:
            old, recent = points[1:-_KEEP_RECENT], points[-_KEEP_RECENT:]
            points = (points[0], *old[1::2], *recent)
        return Trace(points, max(self.longest_quiet, at - last.at))

    def reached(self, name: str | None = None) -> datetime:
        """When the current progress (overall, or the named sub-service's) was first seen."""
        points = self.points
        current = points[-1].progress if name is None else points[-1].sub(name)
        first = points[-1].at
        for point in reversed(points[:-1]):
            if (point.progress if name is None else point.sub(name)) != current:
                break
            first = point.at
        return first

    def at(self, moment: datetime) -> Point | None:
        """How the creation looked at `moment`; None before the first point."""
        found: Point | None = None
        for point in self.points:
            if point.at > moment:
                break
            found = point
        return found
