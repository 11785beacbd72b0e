"""Deterministic scenes of the app on the simulator, for snapshot tests and `screenshots/`.

`python -m roma_tui.tui.screenshots DIR` (what `make screenshots` runs) writes one SVG per
scene into DIR. Every scene runs on a `FakeClock` frozen at the same moment of the default
scenario, with the retry jitter seeded and the demo's history (as `--demo` has it), so the
same code always draws the same screen.
tests/test_tui_snapshots.py uses the same scenes.
Imports the simulator through roma_tui.demo (in process, no socket); never httpx itself.
"""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from roma_tui.clock import FakeClock
from roma_tui.demo import DEMO_ENDPOINT, DEMO_REGION, demo_history, simulator_client
from roma_tui.monitor.history import Recorder
from roma_tui.monitor.live import Monitor
from roma_tui.simulator import Faults, SimulatorApp, create_app
from roma_tui.tui.app import Ask, RomaApp, Started, TuiOptions
from roma_tui.tui.screens import SecretScreen

__all__ = ["SCENES", "Scene", "build", "main", "settle", "write_all"]

START = datetime(2025, 3, 6, 12, 1, 43, tzinfo=UTC)
WARP = 540.0  # seconds of scenario played before the first poll: creations mid-way, one failed
INTERVAL = 10.0

RunBefore = Callable[[Pilot[int]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Built:
    app: RomaApp
    sim: SimulatorApp | None
    clock: FakeClock


async def settle(pilot: Pilot[int]) -> None:
    """Wait until the monitor waits for its next job and the screen has caught up."""
    app = pilot.app
    assert isinstance(app, RomaApp)
    for _ in range(200):
        await pilot.pause()
        if app.settled:
            break
    await pilot.pause(0.05)  # let a layout pass requested by the last update run
    await pilot.pause()


def build(*, problem: str | None = None, faults: Faults | None = None) -> Built:
    """The app on a fresh simulator and the demo's history, on a fake clock WARP seconds into
    the scenario."""
    random.seed(7)  # the client's retry jitter
    clock = FakeClock(START, auto_advance=False)
    options = TuiOptions(
        endpoint_label=f"{DEMO_ENDPOINT} (demo)",
        profile="demo",
        auth_description="token",
        interval=INTERVAL,
        bell=False,
        clock=clock,
    )
    if problem is not None:
        return Built(RomaApp(None, options, problem=problem), None, clock)
    sim = create_app(clock=clock, speed=1.0, faults=faults, sleep=clock.skip)
    clock.advance(WARP)
    recorder = Recorder(demo_history(clock), DEMO_REGION)
    client = simulator_client(sim, clock=clock)
    monitor = Monitor(client, clock, interval=INTERVAL, recorder=recorder)
    return Built(RomaApp(monitor, options), sim, clock)


def _select(name: str) -> RunBefore:
    async def run(pilot: Pilot[int]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, RomaApp)
        app.select_by_name(name)
        await settle(pilot)

    return run


def _press(*keys: str, select: str | None = None) -> RunBefore:
    async def run(pilot: Pilot[int]) -> None:
        await settle(pilot)
        if select is not None:
            app = pilot.app
            assert isinstance(app, RomaApp)
            app.select_by_name(select)
            await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.1)  # a new screen: let it lay out and paint once

    return run


def _error_state(built: Built) -> RunBefore:
    async def run(pilot: Pilot[int]) -> None:
        await settle(pilot)
        assert built.sim is not None
        built.sim.faults = Faults(error_rate=1.0, seed=3)
        built.clock.advance(3 * INTERVAL)
        await settle(pilot)

    return run


@dataclass(frozen=True, slots=True)
class Scene:
    name: str
    size: tuple[int, int]
    make: Callable[[], tuple[RomaApp, RunBefore | None]]


def _plain(size_name: str) -> Callable[[], tuple[RomaApp, RunBefore | None]]:
    def make() -> tuple[RomaApp, RunBefore | None]:
        return build().app, settle

    return make


def _make_failure() -> tuple[RomaApp, RunBefore | None]:
    return build().app, _select("roma-billing")


def _make_help() -> tuple[RomaApp, RunBefore | None]:
    return build().app, _press("question_mark")


def _make_raw() -> tuple[RomaApp, RunBefore | None]:
    return build().app, _press("v")


def _make_timeline(*scroll: str) -> Callable[[], tuple[RomaApp, RunBefore | None]]:
    def make() -> tuple[RomaApp, RunBefore | None]:
        return build().app, _press("t", *scroll, select="roma-staging")

    return make


def _make_history() -> tuple[RomaApp, RunBefore | None]:
    return build().app, _press("h")


def _make_error() -> tuple[RomaApp, RunBefore | None]:
    built = build()
    return built.app, _error_state(built)


def _make_password() -> tuple[RomaApp, RunBefore | None]:
    """Starting, with a password login: the password field over the screen, typed into."""
    options = TuiOptions(endpoint_label="", bell=False, clock=FakeClock(START))

    def start(ask: Ask) -> Started:
        ask("IAM password for ops@acme: ")  # (the scene ends before it is answered)
        return Started(None, options, "no IAM password given")

    async def type_password(pilot: Pilot[int]) -> None:
        for _ in range(500):
            await pilot.pause(0.01)
            if isinstance(pilot.app.screen, SecretScreen):
                break
        field = pilot.app.screen.query_one(Input)
        field.cursor_blink = False  # a still cursor, for a stable picture
        await pilot.press(*"hunter2")
        await pilot.pause()

    return RomaApp(None, options, start=start), type_password


def _make_problem() -> tuple[RomaApp, RunBefore | None]:
    problem = "No credentials found for endpoint https://roma.cn-north-4.myhuaweicloud.com."
    return build(problem=problem).app, None


SCENES: tuple[Scene, ...] = (
    Scene("main-80x24", (80, 24), _plain("80x24")),
    Scene("main-120x40", (120, 40), _plain("120x40")),
    Scene("main-200x60", (200, 60), _plain("200x60")),
    Scene("failure-120x40", (120, 40), _make_failure),
    Scene("failure-80x24", (80, 24), _make_failure),
    Scene("help-80x24", (80, 24), _make_help),
    Scene("raw-120x40", (120, 40), _make_raw),
    # at 80x24 the detail pane is scrolled down to the timeline
    Scene("timeline-80x24", (80, 24), _make_timeline("enter", *["down"] * 7)),
    Scene("timeline-120x40", (120, 40), _make_timeline()),
    Scene("history-80x24", (80, 24), _make_history),
    Scene("history-120x40", (120, 40), _make_history),
    Scene("error-120x40", (120, 40), _make_error),
    Scene("problem-80x24", (80, 24), _make_problem),
    Scene("password-80x24", (80, 24), _make_password),
)


async def _shoot(scene: Scene) -> str:
    app, run_before = scene.make()
    async with app.run_test(size=scene.size) as pilot:
        if run_before is not None:
            await run_before(pilot)
        await pilot.pause()
        return app.export_screenshot(title=f"roma-tui · {scene.name}")


def write_all(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for scene in SCENES:
        path = directory / f"{scene.name}.svg"
        path.write_text(asyncio.run(_shoot(scene)), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0] if args else "screenshots")
    for path in write_all(directory):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
