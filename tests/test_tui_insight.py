"""Pilot tests of the TUI's insight: the ETA with its range and the comparison with history in
the detail pane, `t` (the timeline) and `h` (the history screen), on the fake clock."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from roma_tui.clock import FakeClock
from roma_tui.demo import DEMO_REGION, demo_history, simulator_client
from roma_tui.monitor.history import HistoryStore, Recorder
from roma_tui.monitor.live import Monitor
from roma_tui.simulator import SimulatorApp
from roma_tui.tui.app import RomaApp, TuiOptions
from roma_tui.tui.history_screen import HistoryScreen
from roma_tui.tui.live_text import LiveText
from roma_tui.tui.screenshots import settle

INTERVAL = 10.0
WARP = 540.0  # into the default scenario: roma-staging is 17 minutes into its creation


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(auto_advance=False)


def make_app(sim_app: SimulatorApp, clock: FakeClock, recorder: Recorder | None) -> RomaApp:
    clock.advance(WARP)
    monitor = Monitor(
        simulator_client(sim_app, clock=clock), clock, interval=INTERVAL, recorder=recorder
    )
    options = TuiOptions(endpoint_label="demo", interval=INTERVAL, bell=False, clock=clock)
    return RomaApp(monitor, options)


@pytest.fixture
async def pilot(sim_app: SimulatorApp, fake_clock: FakeClock) -> AsyncIterator[Pilot[int]]:
    app = make_app(sim_app, fake_clock, Recorder(demo_history(fake_clock), DEMO_REGION))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.select_by_name("roma-staging")
        await settle(pilot)
        yield pilot


def part(app: RomaApp, name: str) -> str:
    return app.screen_stack[0].query_one(f"#detail-{name}", LiveText).content.plain


async def test_the_detail_shows_the_eta_range_and_how_it_compares(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    header = part(app, "header")
    assert re.search(r"elapsed 17m(?: · |\n)ETA ~12:1\d, \d+–\d+ min", header), header
    assert "17 min so far; professional in demo usually takes 25 min, p90 31" in header


async def test_t_toggles_the_timeline_and_back(pilot: Pilot[int], fake_clock: FakeClock) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    assert part(app, "subs").startswith("Sub-services")
    await pilot.press("t")
    subs = part(app, "subs")
    lines = subs.splitlines()
    assert lines[0] == "Timeline"
    assert lines[1].split()[:3] == ["0", "5m", "10m"]
    names = [line[2:].split()[0] for line in lines[2:6]]
    assert names == ["lvs", "mqs", "apic", "fdi"]
    assert lines[5].startswith("▸ fdi")  # started last, ends last
    # it stays a timeline as time goes on (the monitor polls, the bars grow)
    fake_clock.advance(60)
    app.request_poll()
    await settle(pilot)
    app.tick()
    assert part(app, "subs").startswith("Timeline")
    await pilot.press("t")
    assert part(app, "subs").startswith("Sub-services")


async def test_h_opens_the_history_and_escape_closes_it(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    await pilot.press("h")
    await pilot.pause()
    assert isinstance(app.screen, HistoryScreen)
    body = app.screen.query_one("#history-body", Static).content
    text = "\n".join(str(r) for r in getattr(body, "renderables", [body]))
    for title in ("What creations usually take", "What fails", "Past creations"):
        assert title in text
    await pilot.press("escape")
    await pilot.pause()
    assert not isinstance(app.screen, HistoryScreen)
    await pilot.press("h")
    await pilot.press("h")  # h closes it too
    await pilot.pause()
    assert not isinstance(app.screen, HistoryScreen)


async def test_without_history_the_screen_says_so_and_nothing_is_compared(
    sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    app = make_app(sim_app, fake_clock, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.select_by_name("roma-staging")
        await settle(pilot)
        assert "usually" not in part(app, "header")
        await pilot.press("h")
        await pilot.pause()
        body = app.screen.query_one("#history-body", Static).content
        shown = str(getattr(body, "renderables", [body])[0])
        assert "The history is off" in shown


async def test_the_tui_records_into_a_database_a_history_command_can_read(
    sim_app: SimulatorApp, fake_clock: FakeClock, tmp_path: Path
) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3", now=fake_clock.now())
    app = make_app(sim_app, fake_clock, Recorder(store, "demo"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.select_by_name("roma-staging")
        await settle(pilot)
    names = {r.name for r in store.creations()}
    assert "roma-staging" in names
