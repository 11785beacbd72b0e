"""Benchmark 3: RomaApp on the large scenario against a bare Textual app showing one DataTable
of the same rows: start-up to the first full screen, then CPU and output bytes while idle.

Both apps run under `run_test` with a driver that renders like a real terminal but counts the
bytes instead of writing them (Textual's headless driver skips rendering altogether). RomaApp's
start-up includes its first poll of the in-process simulator; the bare app gets its rows ready.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot
from textual.widgets import DataTable

from bench.fixtures import check, large_sim
from bench.harness import Case, Sample, Settings, Skip
from roma_tui.clock import FakeClock, SystemClock
from roma_tui.demo import simulator_client
from roma_tui.monitor.domain import Instance
from roma_tui.monitor.live import Monitor

INTERVAL = 10.0
HEADERS = ("Name", "ID", "Type", "Status", "Created", "Address", "Arch")
Ready = Callable[[Pilot[Any]], Awaitable[None]]


class CountingDriver(HeadlessDriver):
    """A headless driver that lets the app render, and counts what it would send."""

    latest: ClassVar[CountingDriver | None] = None

    def __init__(self, app: App[Any], **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.bytes = 0
        self.last_write = 0.0
        CountingDriver.latest = self

    @property
    def is_headless(self) -> bool:
        return False  # or App._display would not render at all

    def write(self, data: str) -> None:
        self.bytes += len(data.encode("utf-8"))
        self.last_write = time.perf_counter()


class BareTable(App[None]):
    """The least a Textual app can do to show the same rows: one DataTable, filled on mount."""

    def __init__(self, rows: list[tuple[Text, ...]]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*HEADERS)
        table.add_rows(self._rows)


def bare_row(inst: Instance) -> tuple[Text, ...]:
    created = inst.created.strftime("%Y-%m-%d %H:%M") if inst.created else ""
    cells = (inst.name, inst.id[:8], inst.type, inst.status_raw, created)
    return tuple(Text(c or "") for c in (*cells, inst.connect_address, inst.cpu_arch))


async def session(app: App[Any], ready: Ready, settings: Settings) -> Sample:
    """Start `app`, wait until `ready`, then leave it idle for `settings.idle` seconds.

    "start-up" ends at the last write before `ready` returned: the first complete screen.
    """
    app.driver_class = CountingDriver
    started = time.perf_counter()
    async with app.run_test(headless=False, size=settings.size) as pilot:
        ready_ms = (time.perf_counter() - started) * 1000
        await ready(pilot)
        await pilot.pause()
        driver = CountingDriver.latest
        check(driver is not None and driver.bytes > 0, f"{type(app).__name__} drew nothing")
        assert driver is not None
        start_ms = (driver.last_write - started) * 1000
        start_bytes = driver.bytes
        driver.bytes = 0
        cpu = time.process_time()
        await asyncio.sleep(settings.idle)
        idle_cpu = time.process_time() - cpu
        idle_bytes = driver.bytes
    return {
        "ready": ready_ms,
        "start-up": start_ms,
        "start-up output": start_bytes / 1024,
        "idle CPU": idle_cpu / settings.idle * 100,
        "idle output": idle_bytes / settings.idle,
    }


async def cases(settings: Settings, stack: AsyncExitStack) -> list[Case]:
    try:
        from roma_tui.tui.app import RomaApp, TuiOptions
        from roma_tui.tui.screenshots import settle
    except ImportError as exc:
        raise Skip(f"the TUI is not importable yet ({exc})") from exc
    n = settings.instances

    # the bare app's rows: the same instances, mapped once by a throw-away monitor
    clock = FakeClock()
    async with simulator_client(large_sim(n, clock), clock=clock) as client:
        monitor = Monitor(client, clock)
        await monitor.refresh_instances()
    rows = [bare_row(inst) for inst in monitor.snapshot.instances]
    check(len(rows) == n, f"expected {n} rows, got {len(rows)}")

    async def bare() -> Sample:
        async def ready(pilot: Pilot[Any]) -> None:
            await pilot.pause()

        return await session(BareTable(rows), ready, settings)

    async def roma() -> Sample:
        system = SystemClock()
        async with simulator_client(large_sim(n, system), clock=system) as client:
            options = TuiOptions(
                endpoint_label="bench", interval=INTERVAL, bell=False, clock=system
            )
            app = RomaApp(Monitor(client, system, interval=INTERVAL), options)
            return await session(app, settle, settings)

    width, height = settings.size
    return [
        Case(
            name=f"TUI, {n} instances",
            baseline_label="bare App + DataTable",
            baseline=bare,
            subject_label="RomaApp",
            subject=roma,
            units={
                "ready": "ms",
                "start-up": "ms",
                "start-up output": "KiB",
                "idle CPU": "%",
                "idle output": "B/s",
            },
            note=f"{width}x{height}, {settings.idle:g} s idle; ready = run_test ready, start-up ="
            " first poll done and drawn",
        )
    ]
