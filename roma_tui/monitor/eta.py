"""Estimated time to the end of an instance's creation.

Callers depend on the `EtaEstimator` protocol only, so a history-based estimator (typical
creation times per instance type) can replace `RateEta` without touching them.
Pure computation: must not import textual, httpx or anything that does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


class EtaEstimator(Protocol):
    def estimate(self, progress: int, started: datetime | None, now: datetime) -> timedelta | None:
        """Time left until creation ends, or None when it cannot honestly be said."""
        ...


@dataclass(frozen=True, slots=True)
class RateEta:
    """Extrapolates the rate of progress so far: remaining = elapsed * (100 - p) / p.

    Unknown (None) when nothing has happened yet (p <= 0), when it is over (p >= 100), when
    the start time is unknown or in the future, or when it is too early to say: less than
    `min_progress` percent done or less than `min_elapsed` since the start, where one
    percent's worth of noise would swing the answer by many minutes.
    The result is rounded to whole seconds.
    """

    min_progress: int = 2
    min_elapsed: timedelta = timedelta(seconds=60)

    def estimate(self, progress: int, started: datetime | None, now: datetime) -> timedelta | None:
        if started is None or progress <= 0 or progress >= 100:
            return None
        if progress < self.min_progress:
            return None
        elapsed = now - started
        if elapsed < self.min_elapsed:
            return None
        remaining = elapsed.total_seconds() * (100 - progress) / progress
        return timedelta(seconds=round(remaining))
