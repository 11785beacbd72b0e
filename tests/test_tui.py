"""Pilot tests: the TUI driven against the in-process simulator on a fake clock."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import screen_lines, view_of
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Input, Static

from roma_tui.clock import FakeClock
from roma_tui.demo import simulator_client
from roma_tui.monitor.domain import Instance, Place, Status
from roma_tui.monitor.live import Monitor
from roma_tui.monitor.view import InstanceView
from roma_tui.simulator import Faults, SimulatorApp
from roma_tui.tui.app import RomaApp, TuiOptions
from roma_tui.tui.instance_list import InstanceList, fit_columns, row_cells
from roma_tui.tui.live_text import LiveText
from roma_tui.tui.render import bar, safe, status_text
from roma_tui.tui.screens import HelpScreen, ProblemScreen, RawScreen
from roma_tui.tui.screenshots import settle
from roma_tui.tui.state import STATE_FILE, UiState, load_state, save_state
from roma_tui.tui.widgets import subservice_layout

INTERVAL = 10.0
WARP = 540.0  # into the default scenario: several creating, roma-billing has failed


def make_app(sim_app: SimulatorApp, clock: FakeClock, state_dir: Path | None = None) -> RomaApp:
    monitor = Monitor(simulator_client(sim_app, clock=clock), clock, interval=INTERVAL)
    options = TuiOptions(
        endpoint_label="http://127.0.0.1 (demo)",
        profile="demo",
        auth_description="token",
        interval=INTERVAL,
        bell=False,
        state_dir=state_dir,
        clock=clock,
    )
    return RomaApp(monitor, options)


@pytest.fixture
def fake_clock() -> FakeClock:
    """The monitor's loop sleeps on it: it stands still until a test moves it."""
    return FakeClock(auto_advance=False)


@contextlib.asynccontextmanager
async def started(
    sim_app: SimulatorApp, clock: FakeClock, state_dir: Path, size: tuple[int, int]
) -> AsyncIterator[Pilot[int]]:
    """The app on `sim_app`, WARP seconds in, at `size`, once its first data is on screen."""
    clock.advance(WARP)
    async with make_app(sim_app, clock, state_dir).run_test(size=size) as pilot:
        await settle(pilot)
        yield pilot


@pytest.fixture
def app(sim_app: SimulatorApp, fake_clock: FakeClock, tmp_path: Path) -> RomaApp:
    fake_clock.advance(WARP)
    return make_app(sim_app, fake_clock, tmp_path / "state")


@pytest.fixture
async def pilot(app: RomaApp) -> AsyncIterator[Pilot[int]]:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        yield pilot


def text_of(app: RomaApp, selector: str) -> str:
    widget = app.screen_stack[0].query_one(selector)
    assert isinstance(widget, LiveText | Static)
    content = widget.content
    return content.plain if isinstance(content, Text) else str(content)


def detail(app: RomaApp) -> str:
    return text_of(app, "#detail-header") + "\n" + text_of(app, "#detail-subs")


def status_line(app: RomaApp) -> str:
    return text_of(app, "#status")


def table(app: RomaApp) -> InstanceList:
    return app.screen_stack[0].query_one(InstanceList)


def ids(app: RomaApp) -> list[str]:
    return table(app).ids


def names(app: RomaApp) -> list[str]:
    """Full names, in the order shown (the name cells may be cut with an ellipsis)."""
    t = table(app)
    views = [t.view(iid) for iid in ids(app)]
    return [v.instance.name for v in views if v is not None]


def row_of(app: RomaApp, name: str) -> dict[str, str]:
    t = table(app)
    for iid, shown in zip(ids(app), names(app), strict=True):
        if shown == name:
            return t.row_text(iid)
    raise AssertionError(f"no row named {name!r}: {names(app)}")


async def poll(pilot: Pilot[int], clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    app = pilot.app
    assert isinstance(app, RomaApp)
    app.request_poll()
    await settle(pilot)


# --- main screen -------------------------------------------------------------------------


def live(app: RomaApp) -> bool:
    """The status line says the data is live, and nothing more (no time that would change
    with every poll)."""
    return status_line(app).strip() == "● live"


async def test_list_shows_every_instance_with_status_symbols(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    shown = names(app)
    assert len(shown) == 12
    assert shown == sorted(shown, key=str.casefold)  # default sort: name
    assert row_of(app, "roma-billing")["status"] == "✖ failed"
    assert row_of(app, "roma-prod-beijing")["status"] == "● running"
    assert row_of(app, "roma-2222")["status"] == "◐ creating"
    assert "100%" in row_of(app, "roma-prod-beijing")["progress"]
    assert live(app)


async def test_selection_moves_the_detail(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    first = names(app)[0]
    assert app.selected_id is not None
    assert detail(app).startswith(first)
    await pilot.press("j")
    await settle(pilot)
    second = names(app)[1]
    assert detail(app).startswith(second)
    assert "Sub-services" in detail(app)
    await pilot.press("k")
    await settle(pilot)
    assert detail(app).startswith(first)


async def test_detail_lists_sub_services_and_attributes(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    assert app.select_by_name("roma-2222")
    await settle(pilot)
    text = detail(app)
    assert "b037d389-62a4-464a-8461-c88797ad4f23" in text
    lines = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert "mqs" in lines and "lvs" in lines
    assert "%" in lines["mqs"]
    attrs = app.screen_stack[0].query_one("#detail-attrs", LiveText)
    assert attrs.display


async def test_progress_advances_with_the_clock(pilot: Pilot[int], fake_clock: FakeClock) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    app.select_by_name("roma-2222")
    await settle(pilot)

    def percent() -> int:
        cell = row_of(app, "roma-2222")["progress"]
        return int(cell.split()[-1].rstrip("%"))

    before = percent()
    await poll(pilot, fake_clock, 120)
    after = percent()
    assert after > before
    assert f"{after:>3}%" in detail(app)


async def test_failure_details_are_shown_in_full(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    assert app.select_by_name("roma-billing")
    await settle(pilot)
    text = detail(app)
    assert "✖ failed" in text
    assert "ROMA.00110016" in text
    assert "insufficient ECS quota" in text  # error_msg, not just the code
    assert "fdi" in text


async def test_filter_by_name_and_status_and_escape_clears(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    await pilot.press("slash")
    box = app.screen_stack[0].query_one("#filter", Input)
    assert box.has_focus
    await pilot.press(*"prod")
    await settle(pilot)
    assert names(app) == ["roma-prod-beijing", "roma-prod-shanghai"]
    assert "q" not in box.value  # typing is not taken as a key binding
    box.value = "failed"
    await settle(pilot)
    assert set(names(app)) == {"roma-billing", "roma-legacy-migration"}
    await pilot.press("escape")
    await settle(pilot)
    assert len(names(app)) == 12
    assert not box.display


async def test_sort_cycles_and_is_remembered(pilot: Pilot[int], tmp_path: Path) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    await pilot.press("s")
    await settle(pilot)
    assert app.sort == "status"
    statuses = [row_of(app, n)["status"] for n in names(app)]
    assert statuses[0] == "✖ failed" and statuses[-1] == "● running"
    await pilot.press("s")
    await settle(pilot)
    assert app.sort == "progress"
    await pilot.press("s")
    await settle(pilot)
    assert app.sort == "created"
    assert app.monitor is not None
    assert load_state(tmp_path / "state", app.monitor.place).sort == "created"


async def test_the_sort_shows_its_column_and_direction_and_reverses(
    pilot: Pilot[int], tmp_path: Path
) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    header = screen_lines(app)[1:3]
    assert "sort: name ↑" in header[0] and "Name ↑" in header[1]
    ascending = names(app)
    await pilot.press("S")  # shift+s: the other way round
    await settle(pilot)
    assert names(app) == ascending[::-1]
    header = screen_lines(app)[1:3]
    assert "sort: name ↓" in header[0] and "Name ↓" in header[1] and "Status ↑" not in header[1]
    assert app.monitor is not None
    saved = load_state(tmp_path / "state", app.monitor.place)
    assert (saved.sort, saved.reverse) == ("name", True)
    await pilot.press("s")  # another sort starts in its own direction
    await settle(pilot)
    header = screen_lines(app)[1:3]
    assert "sort: status ↑" in header[0] and "Status ↑" in header[1] and "Name ↓" not in header[1]
    statuses = [row_of(app, n)["status"] for n in names(app)]
    assert statuses[0] == "✖ failed"
    await pilot.press("S")
    await settle(pilot)
    statuses = [row_of(app, n)["status"] for n in names(app)]
    assert statuses[-1] == "✖ failed" and "Status ↓" in screen_lines(app)[2]


async def test_pause_stops_polling_and_resume_restarts(
    pilot: Pilot[int], fake_clock: FakeClock
) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    app.select_by_name("roma-2222")
    await settle(pilot)
    before = row_of(app, "roma-2222")["progress"]
    await pilot.press("p")
    await settle(pilot)
    assert "paused" in status_line(app)
    await poll(pilot, fake_clock, 120)
    assert row_of(app, "roma-2222")["progress"] == before
    await pilot.press("p")
    await settle(pilot)
    assert "paused" not in status_line(app)
    assert row_of(app, "roma-2222")["progress"] != before


async def test_refresh_now_fetches_without_waiting(
    pilot: Pilot[int], fake_clock: FakeClock
) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    fake_clock.advance(3)  # nothing is due yet
    assert app.monitor is not None
    assert app.monitor.due() == []
    await pilot.press("r")
    await settle(pilot)
    assert live(app)
    assert app.monitor.snapshot.list_feed.updated == fake_clock.now()


async def test_copy_puts_the_selected_id_on_the_clipboard(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    app.select_by_name("roma-2222")
    await settle(pilot)
    await pilot.press("c")
    assert app.clipboard == "b037d389-62a4-464a-8461-c88797ad4f23"


async def test_raw_view_shows_the_last_progress_response(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    app.select_by_name("roma-2222")
    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)
    assert isinstance(app.screen, RawScreen)
    raw = app.screen.query_one("#raw-json", Static).content
    assert isinstance(raw, Text)
    data = json.loads(raw.plain)
    assert data["instance_id"] == "b037d389-62a4-464a-8461-c88797ad4f23"
    assert "item" in data
    await pilot.press("escape")
    await settle(pilot)
    assert not isinstance(app.screen, RawScreen)


async def test_raw_view_fetches_an_answer_that_is_not_kept(
    pilot: Pilot[int], sim_app: SimulatorApp
) -> None:
    """Only the selected instance's JSON is kept: for one selected after its last answer,
    the raw view says it is on its way and shows it when it comes."""
    app = pilot.app
    assert isinstance(app, RomaApp) and app.monitor is not None
    app.select_by_name("roma-staging")  # creating: polled while another one was selected
    await settle(pilot)
    assert app.monitor.snapshot.selected_raw is None
    release = asyncio.Event()

    async def hang(seconds: float) -> None:
        await release.wait()

    sim_app.sim.sleep = hang  # the answer takes its time
    sim_app.faults = Faults(latency=1.0)
    await pilot.press("v")
    assert isinstance(app.screen, RawScreen)
    shown = app.screen.query_one("#raw-json", Static)
    assert "Fetching" in str(shown.content)
    sim_app.faults = Faults()
    release.set()
    await settle(pilot)
    raw = shown.content
    assert isinstance(raw, Text)
    assert json.loads(raw.plain)["instance_id"] == "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e"


async def test_help_screen_opens_and_closes(pilot: Pilot[int]) -> None:
    app = pilot.app
    await pilot.press("question_mark")
    await settle(pilot)
    assert isinstance(app.screen, HelpScreen)
    await pilot.press("escape")
    await settle(pilot)
    assert not isinstance(app.screen, HelpScreen)


async def test_stale_data_is_marked_while_the_api_hangs(
    pilot: Pilot[int], fake_clock: FakeClock, sim_app: SimulatorApp
) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    release = asyncio.Event()

    async def hang(seconds: float) -> None:
        await release.wait()

    sim_app.sim.sleep = hang  # every request now waits until released
    sim_app.faults = Faults(latency=1.0)
    fake_clock.advance(3 * INTERVAL)
    await pilot.pause()  # a poll starts, and hangs
    app.tick()  # what the 1 s label timer does: the labels age
    await pilot.pause()
    assert not app.settled
    assert "list 12:10:43" in status_line(app)  # the time the data is from
    assert "stale" in status_line(app)
    assert app.screen_stack[0].has_class("-stale")
    sim_app.faults = Faults()
    release.set()
    await settle(pilot)
    assert "stale" not in status_line(app)
    assert not app.screen_stack[0].has_class("-stale")


async def test_a_paused_screen_stands_still(pilot: Pilot[int], fake_clock: FakeClock) -> None:
    """Paused, nothing moves on with time: no age, elapsed time or ETA, and no repaint."""
    app = pilot.app
    assert isinstance(app, RomaApp)
    app.select_by_name("roma-2222")  # creating: its elapsed time counts seconds
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    shown = (status_line(app), detail(app), row_of(app, "roma-2222"))
    assert "list 12:10:43" in shown[0]  # a time, not an age that would have to tick
    painted = table(app).paints
    fake_clock.advance(125)
    app.tick()  # what the 1 s label timer does
    await pilot.pause()
    assert (status_line(app), detail(app), row_of(app, "roma-2222")) == shown
    assert table(app).paints == painted
    await pilot.press("p")
    await settle(pilot)
    assert live(app)  # resuming polls at once


async def test_a_finished_detail_is_not_redrawn_every_second(
    pilot: Pilot[int], fake_clock: FakeClock
) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    app.select_by_name("roma-billing")  # failed: its detail no longer changes with time
    await settle(pilot)
    header = app.screen_stack[0].query_one("#detail-header", LiveText)
    subs = app.screen_stack[0].query_one("#detail-subs", LiveText)
    before = (header.content, subs.content)
    fake_clock.advance(2)
    app.tick()
    await pilot.pause()
    assert (header.content, subs.content) == before
    assert header.content is before[0] and subs.content is before[1]  # not even re-set
    app.select_by_name("roma-2222")  # creating: its elapsed time moves, once a minute
    await settle(pilot)
    seen = [detail(app).split("elapsed", 1)[1].split()[0]]
    for _ in range(60):
        fake_clock.advance(1)
        app.tick()
        seen.append(detail(app).split("elapsed", 1)[1].split()[0])
    assert seen[-1] != seen[0]
    assert len(set(seen)) == 2  # one change in a minute, not sixty


async def test_a_failing_refresh_keeps_the_data_and_recovers(
    pilot: Pilot[int], fake_clock: FakeClock, sim_app: SimulatorApp
) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    before = names(app)
    sim_app.faults = Faults(error_rate=1.0)
    await poll(pilot, fake_clock, 3 * INTERVAL)
    line = status_line(app)
    assert "failing" in line
    assert "HTTP 5" in line  # the error's one-liner
    assert "retry 12:" in line  # when, not a countdown that would tick
    assert "last good" in line
    assert names(app) == before  # last good data stays on screen
    assert app.screen_stack[0].has_class("-stale")

    sim_app.faults = Faults()
    await pilot.press("r")
    await settle(pilot)
    line = status_line(app)
    assert "failing" not in line and "live" in line
    assert not app.screen_stack[0].has_class("-stale")


async def test_auth_failure_is_a_one_line_state(
    pilot: Pilot[int], fake_clock: FakeClock, sim_app: SimulatorApp
) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    sim_app.faults = Faults(token_ttl=1)
    await poll(pilot, fake_clock, 3 * INTERVAL)
    assert "✖" in status_line(app)
    assert app.is_running


async def test_selection_and_sort_survive_a_restart(
    sim_app: SimulatorApp, fake_clock: FakeClock, tmp_path: Path
) -> None:
    fake_clock.advance(WARP)
    state = tmp_path / "state"
    first = make_app(sim_app, fake_clock, state)
    async with first.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first.select_by_name("roma-staging")
        await pilot.press("s")
        await settle(pilot)
    second = make_app(sim_app, fake_clock, state)
    async with second.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert second.sort == "status"
        assert detail(second).startswith("roma-staging")


async def test_small_terminal_stacks_and_resizing_keeps_working(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    assert app.screen_stack[0].has_class("-wide")
    await pilot.resize_terminal(80, 24)
    await settle(pilot)
    assert app.screen_stack[0].has_class("-narrow")
    await pilot.press("j")
    await settle(pilot)
    assert detail(app).startswith(names(app)[1])
    await pilot.resize_terminal(200, 60)
    await settle(pilot)
    assert app.screen_stack[0].has_class("-huge")
    assert len(names(app)) == 12


async def test_problem_screen_instead_of_a_traceback(fake_clock: FakeClock) -> None:
    app = RomaApp(
        None,
        TuiOptions(endpoint_label="", clock=fake_clock),
        problem="No credentials found.",
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        text = str(app.screen.query_one("#problem-box", Static).content)
        assert "No credentials found." in text
        assert "--demo" in text and "roma-tui config" in text
        await pilot.press("r")  # main-screen keys do nothing here
        await pilot.press("q")
    assert app.return_value == 2


# --- pure parts ----------------------------------------------------------------------------


def test_api_strings_are_never_markup() -> None:
    text = safe("[bold]evil\x1b[31m\x07name")
    assert text.plain == "[bold]evilname"
    assert not text.spans


def cells(view: InstanceView, width: int = 77) -> dict[str, str]:
    """A row's cells by column, as drawn in a list `width` cells wide."""
    columns = fit_columns(width, name_width=12)
    return {c.key: cell.plain for c, cell in zip(columns, row_cells(view, columns), strict=True)}


def test_rows_read_without_colour() -> None:
    inst = Instance(id="abc12345-xyz", name="n", status=Status.FAILED, status_raw="CREATE_FAILED")
    view = replace(view_of(inst), progress=40)
    row = {key: cell.strip() for key, cell in cells(view).items()}
    assert row["status"] == "✖ failed"
    assert row["id"] == "abc12345"
    assert "40%" in row["progress"] and "█" in row["progress"]
    assert row["progress"].endswith("40%") and row["progress"][-4] == " "  # bar, space, percent
    weird = view_of(replace(inst, status=Status.UNKNOWN, status_raw="Weird"))
    assert status_text(weird.status).plain == "? weird"
    unknown = view_of(inst)
    assert unknown.progress is None
    assert cells(unknown)["progress"].strip() == "—"  # no empty-looking dotted bar
    assert bar(None, 4).plain == "—"


def test_progress_and_elapsed_never_touch() -> None:
    inst = Instance(id="abc12345-xyz", name="n", status=Status.RUNNING, status_raw="RUNNING")
    view = replace(view_of(inst), elapsed=timedelta(minutes=19))
    assert view.progress == 100
    for width in (60, 77, 120):
        row = cells(view, width)
        columns = {c.key: c.width for c in fit_columns(width, name_width=12)}
        assert row["progress"].endswith("100%")
        assert all(len(row[key]) == columns[key] for key in row)  # each cell fills its column
        assert row["elapsed"].strip() == "19m"


def test_subservice_rows_keep_the_started_column_in_the_side_pane() -> None:
    # the side-by-side detail (52 columns, 49 inside) and the stacked one at 80 columns
    for width in (49, 48, 76):
        name_w, bar_w, wide = subservice_layout(["lvs", "mqs", "apic"], width)
        assert wide and bar_w >= 6
        assert name_w + 2 + 10 + 1 + bar_w + 5 + 2 + 8 + 2 + 6 <= width
    assert not subservice_layout(["lvs"], 40)[2]  # really narrow: the start time goes


def test_state_file_round_trip_and_corruption(tmp_path: Path) -> None:
    prod, lab = Place("https://roma.prod", "p" * 32), Place("https://roma.lab", "l" * 32)
    save_state(tmp_path, prod, UiState(selected="abc", sort="progress", filter="billing"))
    save_state(tmp_path, lab, UiState(selected="xyz"))
    assert load_state(tmp_path, prod) == UiState(selected="abc", sort="progress", filter="billing")
    assert load_state(tmp_path, lab) == UiState(selected="xyz")  # each place its own
    assert (tmp_path / STATE_FILE).stat().st_mode & 0o777 == 0o600
    (tmp_path / STATE_FILE).write_text("{not json", encoding="utf-8")
    assert load_state(tmp_path, prod) == UiState()
    bogus = {"places": {"https://roma.prod " + "p" * 32: {"sort": "bogus", "selected": 3}}}
    (tmp_path / STATE_FILE).write_text(json.dumps(bogus), encoding="utf-8")
    assert load_state(tmp_path, prod) == UiState()
    assert load_state(None, prod) == UiState()


async def test_a_snapshot_or_selection_still_queued_when_the_app_quits_is_dropped(
    app: RomaApp, caplog: pytest.LogCaptureFixture
) -> None:
    """Quitting, Textual removes the screen's widgets while the monitor's last snapshot (and
    the selection it moves) may still be in the queue: handled then, they would query widgets
    that are gone (a traceback in the log, or out of a handler)."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert not app.is_running
    with caplog.at_level(logging.DEBUG, logger="roma_tui"):
        app._safe_render()
        app._row_highlighted(InstanceList.Highlighted(InstanceList(), "some-id"))
    assert caplog.records == []
