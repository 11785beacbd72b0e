"""Hostile text everywhere: whatever a server sends or a user types is shown, never obeyed.

Every renderable of the TUI gets strings that would act if anything parsed them as markup or
passed them to the terminal (`[/]` that closes nothing, `[@click=app.quit]`, an action writing a
file, OSC 0 / OSC 52 sequences, a bidi override, CJK, a very long string): as instance names,
ids, descriptions, specs, zones, sub-service names, error codes and messages, a server's error
body (the status line and the detail's progress note), notifications, the configuration shown
in the list's border, the problem screen, typed into the filter (keys delivered in one batch, as
a terminal does) and into the command palette. The app must keep running, show the text
literally (made terminal-safe), offer no clickable action anywhere on screen, run none, and
write no file. `status` and `wait` get the same strings.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import press_batch, screen_lines
from test_tui import poll
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from roma_tui.api.auth import TokenAuth
from roma_tui.api.client import NO_RETRY, RomaClient
from roma_tui.api.safetext import terminal_safe
from roma_tui.clock import FakeClock
from roma_tui.demo import DEMO_ENDPOINT
from roma_tui.monitor.live import Monitor
from roma_tui.monitor.mapping import clean_text
from roma_tui.scripting import run_status, run_wait
from roma_tui.simulator import Scenario, SimulatorApp, create_app
from roma_tui.simulator.scenario import InstanceSpec, SubServiceSpec
from roma_tui.tui.app import RomaApp, TuiOptions
from roma_tui.tui.instance_list import InstanceList
from roma_tui.tui.screens import ProblemScreen, RawScreen
from roma_tui.tui.screenshots import settle

OSC_TITLE = "\x1b]0;PWNED-TITLE\x07osc-title"
OSC_CLIPBOARD = "\x1b]52;c;Y3VybCBldmlsLnNo\x07osc-clip"
HOSTILE = (
    "[/][/bold]oops[",
    "[@click=app.quit]quit-me[/]",
    "[@click=app.screenshot('a.svg','.')]x",
    OSC_TITLE,
    OSC_CLIPBOARD,
    "\u202eevil-bidi",
    "数据集成实例-漢字",
    "long-" + "L" * 5000,
)
#: What may never reach the screen: the characters that act on a terminal...
NEVER_SHOWN = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e")
#: ...and the payloads of escape sequences, which go with them (the raw view shows them,
#: harmlessly: behind the JSON escape `\u001b` of the character that started them).
PAYLOADS = ("PWNED-TITLE", "Y3VybCBldmlsLnNo", "]0;", "]52;")
INTERVAL = 10.0
TOAST_SHOWN = 0.3  # real seconds: a toast slides in before it is on screen


def shown(text: str, width: int = 6) -> str:
    """The part of `text` every place that shows it has room for (the list's name column:
    12 cells, 6 CJK characters): its first `width` characters once terminal-safe."""
    return terminal_safe(text)[:width]


def hostile_scenario() -> Scenario:
    """One instance per hostile string, which names everything of it; the even ones fail 20 s
    after the start (a notification with the name and the reason), the odd ones run after
    10 minutes."""
    instances = []
    for i, text in enumerate(HOSTILE):
        failing = i % 2 == 0
        subs = (
            SubServiceSpec(
                text,
                0,
                600,
                step=5,
                fail_after=30 if failing else None,
                error_code=text,
                error_msg=text,
            ),
            SubServiceSpec("mqs", 0, 300, step=5),
        )
        instances.append(
            InstanceSpec(
                id=f"00000000-0000-4000-8000-{i:012d}",
                name=text,
                type="basic",
                sub_services=subs,
                created=-10.0,
                description=text,
                spec_code=text,
                available_zones=(text,),
            )
        )
    # an id no server should send: it is shown, and asked for, literally
    instances.append(
        InstanceSpec(
            id="[@click=app.quit]id",
            name="odd-id",
            type="basic",
            sub_services=(SubServiceSpec("lvs", 0, 60),),
        )
    )
    return Scenario("hostile", tuple(instances))


class HostileGateway:
    """The simulator behind a gateway that, while `error` is set, answers every API request
    with a 503 whose Huawei error body is that text."""

    def __init__(self, app: SimulatorApp) -> None:
        self.app = app
        self.error: str | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.error is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error_code": self.error, "error_msg": self.error}).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def client_for(gateway: HostileGateway, clock: FakeClock) -> RomaClient:
    credentials = gateway.app.sim.credentials
    return RomaClient(
        DEMO_ENDPOINT,
        credentials.project_id,
        TokenAuth(credentials.token),
        transport=httpx.ASGITransport(app=gateway),
        clock=clock,
        retry=NO_RETRY,
    )


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory: `app.screenshot('a.svg','.')` would write there."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(auto_advance=False)


@pytest.fixture
def gateway(clock: FakeClock) -> HostileGateway:
    return HostileGateway(create_app(hostile_scenario(), clock=clock, sleep=clock.skip))


@pytest.fixture
async def pilot(
    gateway: HostileGateway, clock: FakeClock, tmp_path: Path, workdir: Path
) -> AsyncIterator[Pilot[int]]:
    monitor = Monitor(client_for(gateway, clock), clock, interval=INTERVAL)
    options = TuiOptions(
        endpoint_label=HOSTILE[1],
        profile=HOSTILE[0],
        auth_description=OSC_TITLE,
        interval=INTERVAL,
        bell=False,
        state_dir=tmp_path / "state",
        clock=clock,
    )
    app = RomaApp(monitor, options)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        yield pilot
    assert app.return_value == 0  # ended by the test's `q`, not by a name


async def paste(pilot: Pilot[int], text: str) -> None:
    """What a terminal's bracketed paste delivers: the text in one event."""
    event = events.Paste(text)
    event.set_sender(pilot.app)
    pilot.app._driver.send_message(event)  # as the driver does
    await pilot.pause()


def assert_harmless(app: RomaApp, workdir: Path, *, raw: bool = False) -> str:
    """The app runs, nothing unsafe is on screen (`raw`: the payloads of escape sequences
    may be, shown as text), no file was written; returns the screen as text."""
    assert app.is_running
    text = "\n".join(screen_lines(app))
    for bad in NEVER_SHOWN if raw else NEVER_SHOWN + PAYLOADS:
        assert bad not in text
    assert list(workdir.iterdir()) == []
    return text


def assert_nothing_clickable(app: RomaApp) -> None:
    """No cell of the screen carries an action a click would run (what `[@click=...]` parsed
    as markup makes)."""
    width, height = app.size
    screen = app.screen
    for y in range(height):
        for x in range(width):
            meta = screen.get_style_at(x, y).meta
            assert "@click" not in meta, (x, y, meta)


async def test_every_renderable_shows_hostile_text_literally(
    pilot: Pilot[int], clock: FakeClock, gateway: HostileGateway, workdir: Path
) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    # the list, the border with the configuration
    text = assert_harmless(app, workdir)
    assert_nothing_clickable(app)
    for hostile in HOSTILE:
        assert shown(hostile) in text, HOSTILE.index(hostile)
    assert shown(HOSTILE[0]) in text and "osc-title" in text  # profile, auth description
    # the notification when creations end (the even ones fail after 20 s, the odd ones run),
    # naming them; then the detail of each instance (name, id, spec, zones, sub-service,
    # description, reason)
    await poll(pilot, clock, 30)
    await pilot.pause(TOAST_SHOWN)
    failed = assert_harmless(app, workdir)
    assert "4 failed" in failed and shown(HOSTILE[0], 15) in failed  # the toast
    assert_nothing_clickable(app)
    app.clear_notifications()
    await poll(pilot, clock, 600)
    await pilot.pause(TOAST_SHOWN)
    ended = assert_harmless(app, workdir)
    assert "5 finished" in ended and shown(HOSTILE[1], 15) in ended  # and odd-id
    assert_nothing_clickable(app)
    app.clear_notifications()
    table = app.screen_stack[0].query_one("#instances", InstanceList)
    for i, hostile in enumerate(HOSTILE):
        assert app.select_by_name(clean_text(hostile) or "")
        await pilot.pause()
        text = assert_harmless(app, workdir)
        # the row, the detail's header and sub-service, and more (zones, description, reason)
        assert text.count(shown(hostile)) >= 4, i
        await pilot.press("v")  # the raw view: its title and the JSON
        await pilot.pause()
        assert isinstance(app.screen, RawScreen)
        raw = assert_harmless(app, workdir, raw=True)
        assert shown(hostile) in raw or json.dumps(hostile)[1:7] in raw
        if i < 2:
            assert_nothing_clickable(app)
        await pilot.press("escape")
        await pilot.pause()
    assert app.select_by_name("odd-id")
    await pilot.pause()
    assert "[@click=app.quit]id" in assert_harmless(app, workdir)
    # a click on every row of the list selects it, nothing else
    for row in range(len(HOSTILE) + 1):
        await pilot.click(table, offset=(3, row + 1))
        await pilot.press("escape")
    assert assert_harmless(app, workdir)
    # the server's words in the status line and the detail's progress note
    for hostile in HOSTILE[:5]:
        gateway.error = hostile
        app.action_refresh()
        await poll(pilot, clock, 1)
        app.clear_notifications()  # "Refreshing…" sits over the status line
        await pilot.pause()
        text = assert_harmless(app, workdir)
        assert "✖ failing" in text and shown(hostile, 8) in text, HOSTILE.index(hostile)
    assert_nothing_clickable(app)
    gateway.error = None
    await pilot.press("q")


async def test_typed_filter_and_palette_text_is_only_text(pilot: Pilot[int], workdir: Path) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    # issue 12, item 2: "[/" typed into the filter (one read, as a terminal sends it) crashed
    await press_batch(pilot, *"/[/")
    box = app.screen_stack[0].query_one("#filter", Input)
    assert box.value == "[/"
    text = assert_harmless(app, workdir)
    assert "filter: [/" in text
    assert_nothing_clickable(app)
    rows = app.screen_stack[0].query_one("#instances", InstanceList).row_count
    assert rows == 2  # the two names with "[/"
    for hostile in HOSTILE[1:3] + HOSTILE[5:7]:
        await pilot.press("escape")
        await press_batch(pilot, "/", *hostile)
        assert box.value == terminal_safe(hostile)  # a bidi override is no key: not typed
        assert_harmless(app, workdir)
    # pasted, escapes and all
    for hostile in HOSTILE[3:]:
        await pilot.press("escape")
        await press_batch(pilot, "/")
        await paste(pilot, hostile)
        assert box.value.endswith(terminal_safe(hostile)[-6:])
        assert_harmless(app, workdir, raw=True)  # what was pasted shows: no escape acts
    await pilot.press("escape", "escape")
    # the command palette: the same text typed as a query
    for hostile in HOSTILE[:3]:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await press_batch(pilot, *hostile)
        text = assert_harmless(app, workdir)
        assert hostile[:10] in text
        if hostile == HOSTILE[1]:
            assert_nothing_clickable(app)
        await press_batch(pilot, "enter")  # run whatever matches: never what the text names
        assert_harmless(app, workdir)
        await pilot.press("escape")
        await pilot.pause()
    await pilot.press("question_mark")  # the help over all of it
    await pilot.pause()
    assert "Keys" in assert_harmless(app, workdir)
    await pilot.press("escape", "q")


async def test_notifications_are_never_markup(pilot: Pilot[int], workdir: Path) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    for hostile in HOSTILE[:5]:
        app.notify(f"{hostile}\n{hostile}", title=hostile)
    await pilot.pause(TOAST_SHOWN)
    text = assert_harmless(app, workdir)
    assert text.count("[@click=app.quit]quit-me[/]") >= 3  # two lines and the title
    assert_nothing_clickable(app)
    await pilot.press("q")


@pytest.mark.parametrize("problem", HOSTILE, ids=range(len(HOSTILE)))
async def test_problem_screen_shows_hostile_text(
    problem: str, clock: FakeClock, workdir: Path
) -> None:
    app = RomaApp(None, TuiOptions(endpoint_label=problem, clock=clock), problem=problem)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        assert shown(problem, 8) in assert_harmless(app, workdir)
        assert_nothing_clickable(app)
        await pilot.press("q")
    assert app.return_value == 2


# -- the scripts ----------------------------------------------------------------------------------


def assert_plain_and_literal(output: str) -> None:
    for bad in NEVER_SHOWN + PAYLOADS:
        assert bad not in output
    assert "Traceback" not in output


async def test_status_and_wait_print_hostile_text_literally(
    gateway: HostileGateway, clock: FakeClock
) -> None:
    clock.auto_advance = True
    client = client_for(gateway, clock)
    clock.advance(30)  # the even ones have failed
    for ids in ([], [f"00000000-0000-4000-8000-{i:012d}" for i in range(len(HOSTILE))]):
        out, err = io.StringIO(), io.StringIO()
        await run_status(client, clock, ids, as_json=False, status=None, out=out, err=err)
        assert_plain_and_literal(out.getvalue() + err.getvalue())
        assert "[@click=app.quit]quit-me[/]" in out.getvalue()
        assert "[/][/bold]oops[" in out.getvalue()
    out, err = io.StringIO(), io.StringIO()
    code = await run_wait(
        client,
        clock,
        "00000000-0000-4000-8000-000000000002",
        timeout=60,
        interval=10,
        out=out,
        err=err,
        is_tty=False,
    )
    assert code == 1  # it failed, and says so with its name and reason, literally
    assert_plain_and_literal(out.getvalue() + err.getvalue())
    assert "[@click=app.screenshot('a.svg','.')]x" in err.getvalue()
    gateway.error = HOSTILE[1] + OSC_CLIPBOARD
    out, err = io.StringIO(), io.StringIO()
    await run_status(client, clock, [], as_json=True, status=None, out=out, err=err)
    assert_plain_and_literal(out.getvalue() + err.getvalue())
    assert "[@click=app.quit]quit-me[/]" in err.getvalue()
    await client.aclose()
