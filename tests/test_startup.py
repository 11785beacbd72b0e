"""The TUI draws its screen before it reads the configuration (issue 11, first frame): what the
screen says meanwhile, what happens when the start-up ends well, with warnings, with a
problem or with a bug, and that the start-up's thread hands its history store to the loop."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from helpers import screen_lines
from test_tui import INTERVAL, WARP, make_app, names, status_line
from textual.pilot import Pilot

from roma_tui.clock import FakeClock
from roma_tui.simulator import SimulatorApp
from roma_tui.tui.app import Ask, MainScreen, RomaApp, Started, TuiOptions
from roma_tui.tui.screens import ProblemScreen, SecretScreen
from roma_tui.tui.screenshots import settle

FIRST = TuiOptions(endpoint_label="", bell=False)  # what run_tui knows before the start-up


def starting_app(start: Callable[[Ask], Started], clock: FakeClock | None = None) -> RomaApp:
    return RomaApp(None, FIRST if clock is None else TuiOptions("", clock=clock), start=start)


async def until_started(pilot: Pilot[int]) -> None:
    """The start-up runs in a thread: give it (real) time to hand its outcome to the loop."""
    app = pilot.app
    assert isinstance(app, RomaApp)
    for _ in range(500):
        await pilot.pause(0.01)
        if not app.starting:
            return
    raise AssertionError("the start-up never ended")


async def test_the_screen_is_drawn_before_the_start_up_ends_then_fills_in(
    sim_app: SimulatorApp, fake_clock: FakeClock, tmp_path: Path
) -> None:
    fake_clock.advance(WARP)
    ready = make_app(sim_app, fake_clock, tmp_path / "state")  # what the start-up works out
    assert ready.monitor is not None
    go = threading.Event()

    def start(ask: Ask) -> Started:
        go.wait(10)
        assert ready.monitor is not None
        return Started(ready.monitor, ready.options)

    app = starting_app(start, fake_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = "\n".join(screen_lines(app))
        assert "Reading the configuration…" in screen
        assert "Instances" in screen.split("\n")[1] and "Detail" in screen.split("\n")[1]
        assert status_line(app) == "… starting"
        # the keys of the main screen are there, dimmed, and do nothing yet
        assert app.check_action("filter", ()) is None
        assert app.check_action("quit", ()) is True
        await pilot.press("s", "r", "p", "slash", "x")
        assert app.starting and app.sort == "name"
        go.set()
        await until_started(pilot)
        await settle(pilot)
        assert app.check_action("filter", ()) is True
        assert "roma-billing" in names(app)
        assert "Reading the configuration" not in "\n".join(screen_lines(app))
        assert app.interval == INTERVAL  # the options the start-up worked out


async def test_a_start_up_problem_replaces_the_screen_and_quitting_says_so() -> None:
    app = starting_app(lambda ask: Started(None, FIRST, "no endpoint: pass --region R"))
    async with app.run_test(size=(80, 24)) as pilot:
        await until_started(pilot)
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        assert "no endpoint: pass --region R" in "\n".join(screen_lines(app))
        await pilot.press("q")
    assert app.return_value == 2  # (the command line exits 3: tests/test_cli.py)


async def test_warnings_of_the_start_up_are_notifications() -> None:
    started = Started(None, FIRST, "stop here", ("config file is readable by others",))
    app = starting_app(lambda ask: started)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_started(pilot)
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert shown == ["config file is readable by others"]


async def test_a_bug_in_the_start_up_is_a_problem_screen_not_a_hang() -> None:
    def start(ask: Ask) -> Started:
        raise KeyError("boom")

    app = starting_app(start)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_started(pilot)
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        assert "internal error: KeyError" in "\n".join(screen_lines(app))


async def test_a_password_is_asked_for_on_the_screen_and_never_shown() -> None:
    """A password login without a password: the start-up asks on the screen (getpass would
    write over Textual's screen and race it for the keys)."""
    answers: list[str] = []

    def start(ask: Ask) -> Started:
        answers.append(ask("IAM password for ops@acme: "))
        answers.append(ask("IAM password for ops@acme: "))
        return Started(None, FIRST, "stop here")

    app = starting_app(start)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(500):
            await pilot.pause(0.01)
            if isinstance(app.screen, SecretScreen):
                break
        await pilot.press(*"s3cr[et]")  # typed (or pasted) in one read
        await pilot.pause()
        screen = "\n".join(screen_lines(app))
        assert "IAM password for ops@acme:" in screen
        assert "s3cr" not in screen and "•" * 8 in screen
        await pilot.press("enter")
        for _ in range(500):
            await pilot.pause(0.01)
            if len(answers) == 1 and isinstance(app.screen, SecretScreen):
                break
        await pilot.press("x", "escape")  # the second time: cancelled
        await until_started(pilot)
        await pilot.pause()
    assert answers == ["s3cr[et]", ""]


async def test_the_first_frame_is_laid_out_for_the_terminals_width() -> None:
    """MainScreen takes its width's class when mounted, before the first frame; Textual would
    set it on the first resize, after that frame, and the screen would be sent twice."""
    app = starting_app(lambda ask: Started(None, FIRST, "stop here"))
    seen: dict[int, set[str]] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen_stack[0]
        assert isinstance(screen, MainScreen)
        for width in (80, 119, 120, 159, 160, 300):
            screen._set_breakpoint(width)
            seen[width] = {c for c in screen.classes if c in ("-narrow", "-wide", "-huge")}
        await pilot.pause()
    assert seen == {
        80: {"-narrow"},
        119: {"-narrow"},
        120: {"-wide"},
        159: {"-wide"},
        160: {"-huge"},
        300: {"-huge"},
    }
