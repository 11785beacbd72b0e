"""Injectable time: the system clock for real use, a fake clock for tests and snapshots.

Everything that reads the time or sleeps takes a `Clock`, so a 40-minute creation can be
replayed in seconds and screens can be frozen. Imports nothing from roma_tui; asyncio only
when something sleeps (`roma-tui --help` never pays for it).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import asyncio


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; never goes backwards."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        import asyncio

        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that only moves when told to.

    With `auto_advance` (the default) `sleep` moves the clock itself and returns at once: a
    loop that polls and sleeps (`wait`) replays a 40-minute creation instantly. Without it,
    `sleep` waits until `advance()` has moved the clock far enough: a long-lived loop (the TUI's
    monitor) then stands still between the steps a test makes. `skip` always moves the clock
    itself (the simulator's injected latency uses it).
    """

    def __init__(self, start: datetime | None = None, *, auto_advance: bool = True) -> None:
        self._now = start or datetime(2025, 3, 6, 12, 1, 43, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._mono = 0.0
        self.auto_advance = auto_advance
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds
        waiting = []
        for deadline, future in self._sleepers:
            if deadline <= self._mono:
                if not future.done():
                    future.set_result(None)
            else:
                waiting.append((deadline, future))
        self._sleepers = waiting

    async def skip(self, seconds: float) -> None:
        """Move the clock by `seconds` and let other tasks run once."""
        import asyncio

        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)

    async def sleep(self, seconds: float) -> None:
        import asyncio

        if self.auto_advance or seconds <= 0:
            await self.skip(seconds)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (self._mono + seconds, future)
        self._sleepers.append(entry)
        try:
            await future
        finally:
            if entry in self._sleepers:
                self._sleepers.remove(entry)
