"""Keys never misfire: delivered as terminals deliver them, several in one read (a paste, SSH
batching keystrokes), on the fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from helpers import press_batch
from test_tui import WARP, make_app, names, started
from textual.pilot import Pilot
from textual.widgets import Footer, Input

from roma_tui.clock import FakeClock
from roma_tui.simulator import Faults, SimulatorApp
from roma_tui.tui.app import RomaApp
from roma_tui.tui.screens import HelpScreen, RawScreen
from roma_tui.tui.screenshots import settle
from roma_tui.tui.scroll import KeyScroll


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(auto_advance=False)


@pytest.fixture
async def pilot(
    sim_app: SimulatorApp, fake_clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Pilot[int]]:
    async with started(sim_app, fake_clock, tmp_path / "state", (80, 24)) as pilot:
        yield pilot


def app_of(pilot: Pilot[int]) -> RomaApp:
    assert isinstance(pilot.app, RomaApp)
    return pilot.app


def filter_box(app: RomaApp) -> Input:
    return app.screen_stack[0].query_one("#filter", Input)


@pytest.mark.parametrize(
    ("keys", "typed"),
    [
        (["slash", "s", "q"], "sq"),  # used to sort, then quit
        (["slash", "p", "r", "o", "d"], "prod"),  # used to pause and refresh
        (["slash", "b", "i", "l", "slash", "x"], "bil/x"),  # in the box `/` is a character
    ],
)
async def test_everything_typed_after_slash_goes_to_the_filter(
    pilot: Pilot[int], keys: list[str], typed: str
) -> None:
    app = app_of(pilot)
    sort, paused = app.sort, app.monitor is not None and app.monitor.paused
    await press_batch(pilot, *keys)
    await settle(pilot)
    assert app.is_running
    assert filter_box(app).value == typed == app.filter_text
    assert (app.sort, app.monitor is not None and app.monitor.paused) == (sort, paused)


async def test_a_filter_typed_in_one_read_filters(pilot: Pilot[int]) -> None:
    app = app_of(pilot)
    await press_batch(pilot, "slash", *"billing", "enter")
    await settle(pilot)
    assert names(app) == ["roma-billing"]
    assert not filter_box(app).has_focus  # enter went back to the list


def scroll_y(box: KeyScroll) -> int:
    return round(box.scroll_y)


async def test_batched_keys_scroll_as_many_lines_in_every_scroll_view(pilot: Pilot[int]) -> None:
    app = app_of(pilot)
    app.select_by_name("roma-billing")  # a long detail at 80x24
    await settle(pilot)
    await press_batch(pilot, "enter")  # focus the detail pane
    detail = app.screen_stack[0].query_one("#detail", KeyScroll)
    assert detail.has_focus and detail.max_scroll_y >= 5
    await press_batch(pilot, "down", "down", "j", "down", "j")
    assert scroll_y(detail) == 5
    await press_batch(pilot, "k", "up")
    assert scroll_y(detail) == 3
    await press_batch(pilot, "G")
    assert scroll_y(detail) == detail.max_scroll_y
    await press_batch(pilot, "g")
    assert scroll_y(detail) == 0

    for key, screen_type, box_id in (
        ("v", RawScreen, "#raw-box"),
        ("question_mark", HelpScreen, "#help-box"),
    ):
        await press_batch(pilot, "escape")
        await settle(pilot)
        await press_batch(pilot, key)
        await settle(pilot)
        assert isinstance(app.screen, screen_type)
        box = app.screen.query_one(box_id, KeyScroll)
        assert box.max_scroll_y >= 4, box_id
        await press_batch(pilot, "down", "down", "down", "down")
        assert scroll_y(box) == 4, box_id
        await press_batch(pilot, "end")
        assert scroll_y(box) == box.max_scroll_y
        await press_batch(pilot, "home", "pagedown")
        assert scroll_y(box) == min(box.max_scroll_y, box.scrollable_content_region.height - 1)
        await press_batch(pilot, "escape")
        await settle(pilot)
        assert not isinstance(app.screen, screen_type)


def footer_keys(app: RomaApp) -> list[str]:
    footer = app.screen_stack[0].query_one(Footer)
    return [str(item.description) for item in footer.query("FooterKey").results()]  # type: ignore[attr-defined]


async def test_the_footer_says_resume_while_paused(pilot: Pilot[int]) -> None:
    app = app_of(pilot)
    assert "Pause" in footer_keys(app) and "Resume" not in footer_keys(app)
    await press_batch(pilot, "p")
    await settle(pilot)
    assert app.monitor is not None and app.monitor.paused
    assert "Resume" in footer_keys(app) and "Pause" not in footer_keys(app)
    await press_batch(pilot, "p")
    await settle(pilot)
    assert not app.monitor.paused
    assert "Pause" in footer_keys(app)


@pytest.mark.parametrize("key", ["ctrl+c", "ctrl+q", "q"])
async def test_ctrl_c_quits_like_q(pilot: Pilot[int], key: str) -> None:
    app = app_of(pilot)
    await press_batch(pilot, key)
    await pilot.pause()
    assert not app.is_running or app._exit_renderables is not None or app.return_value == 0


async def test_the_palette_lists_roma_tui_commands_first(pilot: Pilot[int]) -> None:
    app = app_of(pilot)
    titles = [command.title for command in app.get_system_commands(app.screen)]
    assert titles[0] == "Refresh now"
    assert titles.index("Help") < titles.index("Quit")


# -- context, errors a user can act on ------------------------------------------------------


def header_text(app: RomaApp) -> str:

    from roma_tui.tui.header import ContextHeader

    return app.screen_stack[0].query_one("#context", ContextHeader).text


async def test_the_header_says_what_is_watched_and_how_things_stand(pilot: Pilot[int]) -> None:
    app = app_of(pilot)
    await pilot.resize_terminal(160, 40)
    await settle(pilot)
    line = header_text(app)
    assert app.monitor is not None
    assert f"project {app.monitor.place.project_id[:8]}" in line
    assert "profile demo" in line and "token" in line and "every 10s" in line
    views = list(app._views.values())
    for word, symbol in (("failed", "✖"), ("creating", "◐"), ("running", "●")):
        count = sum(v.status.status.value == word for v in views)
        assert f"{symbol} {count} {word}" in line
    assert line.index("failed") < line.index("creating") < line.index("running")
    assert "all done ~" in line  # when the creations under way should all be done
    await pilot.resize_terminal(80, 24)
    await settle(pilot)
    narrow = header_text(app)
    assert narrow.startswith("profile demo") and "failed" in narrow and "running" in narrow
    assert "token" not in narrow and len(narrow) <= 80  # the context gives way first
    # narrower: the counts lose their words before the context loses its first part
    await pilot.resize_terminal(60, 24)
    await settle(pilot)
    narrower = header_text(app)
    assert narrower.startswith("profile demo") and "failed" not in narrower, narrower
    for word, symbol in (("failed", "✖"), ("creating", "◐"), ("running", "●")):
        count = sum(v.status.status.value == word for v in views)
        assert f"{symbol} {count}" in narrower
    assert len(narrower) <= 60


async def test_a_rejected_token_is_not_an_empty_project(
    sim_app: SimulatorApp, fake_clock: FakeClock, tmp_path: Path
) -> None:
    import httpx
    from pydantic import SecretStr

    from roma_tui.api.auth import TokenAuth
    from roma_tui.api.client import RomaClient
    from roma_tui.monitor.live import Monitor
    from roma_tui.tui.app import TuiOptions

    refused = RomaClient(
        "http://127.0.0.1",
        sim_app.sim.credentials.project_id,
        TokenAuth(SecretStr("not-the-token")),
        transport=httpx.ASGITransport(app=sim_app),
        clock=fake_clock,
    )
    options = TuiOptions(endpoint_label="", auth_description="token", clock=fake_clock)
    app = RomaApp(Monitor(refused, fake_clock, interval=10), options)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        from textual.widgets import Static

        box = app.screen_stack[0].query_one("#list-empty", Static)
        assert box.display
        said = str(box.content.plain if hasattr(box.content, "plain") else box.content)
        assert "Authentication failed" in said and "HTTP 401" in said
        assert "roma-tui config" in said and "Next try at" in said


async def test_e_lists_the_last_errors_with_their_request_ids(
    sim_app: SimulatorApp, fake_clock: FakeClock, tmp_path: Path
) -> None:
    from textual.widgets import DataTable

    from roma_tui.tui.errors_screen import ErrorsScreen

    async with started(sim_app, fake_clock, tmp_path, (120, 40)) as pilot:
        app = pilot.app
        assert isinstance(app, RomaApp)
        sim_app.faults = Faults(error_rate=1.0)
        fake_clock.advance(30)
        await settle(pilot)
        line = str(app.screen_stack[0].query_one("#status").render())
        assert "(request " in line and "…" not in line.split("(request ", 1)[1][:32]
        await press_batch(pilot, "e")
        await settle(pilot)
        assert isinstance(app.screen, ErrorsScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count >= 1
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        row = next(r for r in rows if r[1] == "list")
        assert row[2].startswith("5") and len(row[4]) == 32
        table.move_cursor(row=rows.index(row))
        await press_batch(pilot, "c")
        assert app.clipboard == row[4]
        await press_batch(pilot, "escape")
        await settle(pilot)
        assert not isinstance(app.screen, ErrorsScreen)


async def test_the_filter_is_remembered_for_its_place(
    sim_app: SimulatorApp, fake_clock: FakeClock, tmp_path: Path
) -> None:
    fake_clock.advance(WARP)
    first = make_app(sim_app, fake_clock, tmp_path)
    async with first.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press_batch(pilot, "slash", *"prod", "enter")
        await settle(pilot)
    second = make_app(sim_app, fake_clock, tmp_path)
    async with second.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert second.filter_text == "prod"
        assert names(second) == ["roma-prod-beijing", "roma-prod-shanghai"]


def test_help_and_readme_name_every_key_the_app_binds() -> None:
    from textual.binding import Binding

    from roma_tui.tui.screens import KEYS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    in_help = {key for keys, _ in KEYS for key in keys.split()}
    from roma_tui.tui.app import MainScreen

    names = {"slash": "/", "question_mark": "?"}
    for binding in [*RomaApp.BINDINGS, *MainScreen.BINDINGS]:
        assert isinstance(binding, Binding)
        for key in binding.key.split(","):
            if key == "escape":
                continue  # back: said by each screen's own footer
            shown = names.get(key, key)
            assert shown in in_help, f"help does not name {shown!r}"
            assert f"`{shown}`" in readme, f"README does not name {shown!r}"
