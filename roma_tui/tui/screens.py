"""Screens over the main view: the `?` help, the raw JSON view, the problem screen, and the
password prompt of the start-up.

The problem screen is what a person sees instead of a traceback when roma-tui cannot start
(no credentials, an invalid endpoint): what is wrong, how to fix it, and that `--demo` exists.
Imports textual and rich; never httpx or the monitor's internals.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle, Vertical
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Static

from roma_tui.monitor.domain import Status
from roma_tui.tui.render import STATUS_STYLE, STATUS_SYMBOL, clean
from roma_tui.tui.scroll import KeyScroll

__all__ = ["KEYS", "HelpScreen", "ProblemScreen", "RawScreen", "SecretScreen", "raw_json"]

KEYS: tuple[tuple[str, str], ...] = (
    ("↑ ↓  j k", "move through the instances"),
    ("enter", "focus the detail pane (tab / shift+tab move focus)"),
    ("/", "filter by name, id or status (escape clears)"),
    ("s / S", "cycle the sort: name, status, progress, created / reverse it"),
    ("r", "refresh now"),
    ("p", "pause / resume polling"),
    ("c", "copy the selected instance id (OSC 52)"),
    ("v", "raw JSON of the last creation-progress response"),
    ("e", "the last errors, with their request ids (c copies one)"),
    ("t", "sub-services as a timeline, or as bars"),
    ("h", "history: past creations, what they usually take, what fails"),
    ("ctrl+p", "command palette"),
    ("?", "this help"),
    ("q  ctrl+c  ctrl+q", "quit"),
)

_MEANINGS = {
    Status.CREATING: "creating",
    Status.RUNNING: "running (creation done)",
    Status.FAILED: "creation failed",
    Status.ERROR: "running abnormally, or an operation on it failed",
    Status.CHANGING: "updating, restarting, rolling back or starting",
    Status.FROZEN: "frozen (usually an unpaid bill): not usable until unfrozen",
    Status.DELETING: "being deleted",
    Status.DELETED: "deleted (or in the recycle bin)",
    Status.UNKNOWN: "a status roma-tui does not know (the API's word is shown)",
}


def _help_text() -> Iterable[Any]:
    keys = Table.grid(padding=(0, 2))
    keys.add_column(style="bold", no_wrap=True)
    keys.add_column()
    for key, what in KEYS:
        keys.add_row(key, what)
    yield Text("Keys", style="bold underline")
    yield keys
    yield Text()
    yield Text("Status symbols", style="bold underline")
    symbols = Table.grid(padding=(0, 2))
    symbols.add_column(no_wrap=True)
    symbols.add_column()
    for status, meaning in _MEANINGS.items():
        symbols.add_row(Text(STATUS_SYMBOL[status], style=STATUS_STYLE[status]), meaning)
    yield symbols
    yield Text()
    yield Text(
        "Times are local (UTC with --utc). Data older than two refresh intervals is marked "
        "stale; when a refresh fails the last good data stays on screen and the status line "
        "says why and when the next try is.",
        style="dim",
    )


class SecretScreen(ModalScreen[str]):
    """Asks for a secret (the IAM password) on the screen, which is Textual's once the app runs:
    typed into a password field (never shown), given back on enter; escape gives nothing."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "dismiss('')", "Cancel"),
    ]

    def __init__(self, prompt: str) -> None:
        super().__init__()
        self._prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="secret-box") as box:
            box.border_title = "roma-tui needs a password"
            box.border_subtitle = "enter to sign in · esc to cancel"
            yield Static(Text(clean(self._prompt.strip()), end=""))
            yield Input(password=True, id="secret")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [  # noqa: RUF012
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        from rich.console import Group

        with KeyScroll(id="help-box") as box:
            box.border_title = "roma-tui help"
            box.border_subtitle = "esc to close · arrows, j/k, PgUp/PgDn, g/G scroll"
            yield Static(Group(*_help_text()))

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()


def raw_json(raw: object) -> str:
    """Pretty JSON as the server sent it, harmless: every character that could act on a
    terminal (an escape, a bidi override, any control or format character) is written as its
    JSON escape (`\\u001b`, `\\u202e`), so the view shows what was sent and obeys none of it."""
    text = json.dumps(raw, indent=2, ensure_ascii=False, sort_keys=False, default=str)
    return "\n".join(
        line if clean(line) == line else "".join(_escaped(ch) for ch in line)
        for line in text.split("\n")
    )


def _escaped(char: str) -> str:
    return char if clean(char) == char else json.dumps(char)[1:-1]


class RawScreen(ModalScreen[None]):
    """The last creation-progress response, as the server sent it. roma-tui keeps the
    selected instance's only; when it is not held yet, the screen says it is on its way and
    `show` fills it in when it comes."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape,q,v", "dismiss", "Close"),
    ]

    def __init__(
        self, title: str, raw: object | None, instance_id: str | None = None, *, coming: bool
    ) -> None:
        super().__init__()
        self._title = title
        self._raw = raw
        self._coming = coming
        self.instance_id = instance_id

    @property
    def waiting(self) -> bool:
        """Still waiting for the answer it asked for."""
        return self._raw is None and self._coming

    def compose(self) -> ComposeResult:
        with KeyScroll(id="raw-box") as box:
            box.border_title = Text(self._title)  # a Text: never parsed as markup
            box.border_subtitle = "esc to close · arrows, j/k, PgUp/PgDn, g/G scroll"
            yield Static(self._content(), id="raw-json")

    def _content(self) -> Text:
        if self._raw is None:
            what = (
                "Fetching the creation-progress response…"
                if self._coming
                else "No creation-progress response received yet."
            )
            return Text(what, style="dim italic")
        from rich.syntax import Syntax  # pygments: loaded when the raw view first opens

        code = raw_json(self._raw)
        highlighted = Syntax(code, "json", theme="ansi_dark").highlight(code)
        highlighted.rstrip()
        return highlighted

    def show(self, raw: object) -> None:
        """The answer came."""
        self._raw = raw
        self.query_one("#raw-json", Static).update(self._content())

    def on_mount(self) -> None:
        self.query_one("#raw-box").focus()


PROBLEM_HELP = """\
roma-tui needs an endpoint, a project id and credentials:

• environment variables: ROMA_TUI_TOKEN, or HUAWEICLOUD_SDK_AK,
  HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_PROJECT_ID (the Terraform
  names HW_ACCESS_KEY, HW_SECRET_KEY, HW_PROJECT_ID work too);
• a token in a file: --token-file PATH, with --endpoint URL (or
  --region) and --project-id ID;
• a profile in the config file: --profile NAME (--config PATH).

`roma-tui config` shows what was found and where it came from.
`roma-tui --demo` opens the app on the built-in simulator: no account."""


class ProblemScreen(Screen[None]):
    """A calm explanation instead of a traceback."""

    BINDINGS = [  # noqa: RUF012
        Binding("q,escape", "app.quit", "Quit"),
    ]

    def __init__(self, problem: str) -> None:
        super().__init__()
        self._problem = problem

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            box: Widget = Static(self._message(), id="problem-box")
            box.border_title = "roma-tui cannot start"
            box.border_subtitle = "q to quit"
            yield box
        yield Footer()

    def _message(self) -> Text:
        text = Text(end="")
        text.append("✖ ", style="bold red")
        text.append(clean(self._problem), style="bold")
        text.append("\n\n")
        text.append(PROBLEM_HELP)
        return text
