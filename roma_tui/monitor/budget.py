"""How fast roma-tui may ask the API: a token bucket, the limits the TUI and `status` share,
and how a failing request is tried again (the TUI's monitor and `wait`, the two retry layers).

A `RequestBudget` lets `burst` requests start at once, then `rate` a second: it holds at most
`burst` tokens, refills at `rate` per second, and each request spends one. The monitor (the TUI)
spends one on the creation progress of instances nobody selected, and another, `status`'s, on
the details of creations that just ended (each fetched once: a look that must end, like
`status`); `status` on every creation progress it fetches. Both run at most
`MAX_CONCURRENCY` requests at a time.

The rates differ because their lives do. The TUI runs for days: 1 request a second
(`PROGRESS_RATE`) whatever the number of creations, so 300 creations never become 50 requests
a second and throttling. `status` is one look that must end: `ONE_SHOT_BURST` requests at once,
so a real project (a handful of creations, within any quota) is answered at once, then
`ONE_SHOT_RATE` a second, so 1000 creations cost about 3 minutes at 5 requests a second, not
1000 requests at 86 a second. Waiting for the budget sleeps on the injected clock.

A failing request is tried again after its cadence, doubled per failure (`backoff`), never
sooner than the server's Retry-After (itself capped at 15 minutes). For a transient fault (a
network error, a 5xx, a cut answer) the doubling stops at RECOVERY_INTERVALS refresh
intervals, so the screen is live again within two intervals of the fault clearing, however
long it lasted; a failure waiting will not fix backs off further (the monitor decides).
Imports roma_tui.clock and roma_tui.api.limits only.
"""

from __future__ import annotations

from roma_tui.api.limits import cap_retry_after
from roma_tui.clock import Clock

__all__ = [
    "MAX_CONCURRENCY",
    "ONE_SHOT_BURST",
    "ONE_SHOT_RATE",
    "PROGRESS_RATE",
    "RECOVERY_INTERVALS",
    "RequestBudget",
    "backoff",
]

#: Requests in flight at once, in the TUI as in `status`.
MAX_CONCURRENCY = 4
#: Progress requests a second the TUI shares among the creating instances nobody selected.
PROGRESS_RATE = 1.0
#: `status`: requests that may start at once...
ONE_SHOT_BURST = 20
#: ...then this many a second.
ONE_SHOT_RATE = 5.0

#: A transient fault's retries are at most this many refresh intervals apart.
RECOVERY_INTERVALS = 2

_EPSILON = 1e-6  # float slack when counting whole tokens


def backoff(
    cadence: float, failures: int, ceiling: float, retry_after: float | None = None
) -> float:
    """Seconds before trying again after `failures` failures in a row: `cadence` doubled for
    each failure after the first, at most `ceiling` (never less than `cadence`), never sooner
    than the server's `retry_after` (capped at 15 minutes)."""
    delay = max(cadence, min(ceiling, cadence * 2.0 ** min(max(failures, 1) - 1, 32)))
    return max(delay, cap_retry_after(retry_after) or 0.0)


class RequestBudget:
    """A token bucket on seconds from any origin (a clock's `monotonic()`, or a timestamp):
    at most `burst` tokens, `rate` more every second."""

    def __init__(self, rate: float, burst: float, *, at: float) -> None:
        if rate <= 0:
            raise ValueError("a request budget's rate must be positive")
        if burst < 1:
            raise ValueError("a request budget's burst must be at least 1")
        self.rate = float(rate)
        self.burst = float(burst)
        self._tokens = self.burst  # full: the first requests need not wait
        self._at = at

    def available(self, at: float) -> float:
        """Tokens at `at` (fractional: 0.4 is 40% of the way to the next request)."""
        return min(self.burst, self._tokens + max(0.0, at - self._at) * self.rate)

    def allowed(self, at: float) -> int:
        """How many requests may start at `at`."""
        return int(self.available(at) + _EPSILON)

    def spend(self, requests: int, at: float) -> None:
        self._tokens = self.available(at) - requests
        self._at = max(self._at, at)

    def wait(self, at: float) -> float:
        """Seconds from `at` until one more request may start (0: now)."""
        missing = 1.0 - self.available(at)
        return missing / self.rate if missing > _EPSILON else 0.0

    async def acquire(self, clock: Clock) -> None:
        """Sleep on `clock` until a request may start, and spend its token."""
        while True:
            now = clock.monotonic()
            delay = self.wait(now)
            if delay <= 0:
                self.spend(1, now)
                return
            await clock.sleep(delay)
