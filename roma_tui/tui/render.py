"""Pure rendering helpers: domain objects -> Rich `Text` (symbols, bars, durations, times).

The words and numbers come from roma_tui.monitor.present (shared with the scripting
commands); this module adds what is the TUI's own: styles, symbols, fixed-width cells.

Text from outside (instance names, descriptions, error messages, sub-service names, what the
user types, the configuration) reaches the screen one way: cleaned by `clean` (the project's
one `terminal_safe`: no escape sequence or control character survives) inside a Rich `Text`
(`safe()`, or a `Text` built from `clean()` pieces), which no widget parses as markup. A `str`
handed to a widget, a border title or a notification would be parsed as Textual markup (so
`[@click=app.quit]x` would be a button): only our own constant strings go there, and
`RomaApp.notify` cleans every message and turns markup off. tests/test_hostile_text.py feeds
every renderable hostile strings. Symbols carry the meaning and colour only reinforces it, so
the screen reads the same with NO_COLOR.
Imports rich, roma_tui.monitor and roma_tui.api.safetext only; never textual or httpx.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text

from roma_tui.api.safetext import terminal_safe
from roma_tui.monitor import present
from roma_tui.monitor.domain import Status, SubState
from roma_tui.monitor.palette import STATUS_STYLE, SUB_STYLE
from roma_tui.monitor.present import UNKNOWN, bar_fill

if TYPE_CHECKING:
    from roma_tui.monitor.view import StatusView

__all__ = [
    "STATUS_STYLE",
    "STATUS_SYMBOL",
    "SUB_STYLE",
    "SUB_SYMBOL",
    "bar",
    "clean",
    "duration",
    "percent",
    "safe",
    "short_id",
    "short_type",
    "status_text",
    "when",
]

STATUS_SYMBOL: dict[Status, str] = {
    Status.CREATING: "◐",
    Status.RUNNING: "●",
    Status.FAILED: "✖",
    Status.ERROR: "▲",
    Status.CHANGING: "◇",
    Status.FROZEN: "◆",
    Status.DELETING: "⊘",
    Status.DELETED: "⊗",
    Status.UNKNOWN: "?",
}

SUB_SYMBOL: dict[SubState, str] = {
    SubState.WAITING: "·",
    SubState.CREATING: "◐",
    SubState.DONE: "●",
    SubState.FAILED: "✖",
    SubState.STOPPED: "■",
    SubState.UNKNOWN: "?",
}

_TYPE_SHORT = {"basic": "basic", "professional": "pro", "enterprise": "ent", "platinum": "plat"}


clean = terminal_safe
"""Outside text as a `str` that cannot act on a terminal (cut to `limit` with an ellipsis),
to go into a `Text`: never straight into a widget, a title or a notification."""


def safe(value: object, style: str = "", limit: int | None = None) -> Text:
    """Outside text as a `Text`: cleaned, and never parsed as markup."""
    return Text(clean(value, limit), style=style, no_wrap=limit is not None, end="")


def short_id(instance_id: str) -> str:
    return clean(instance_id)[:8]


def short_type(kind: str | None) -> str:
    if not kind:
        return "—"
    return _TYPE_SHORT.get(kind.lower(), clean(kind, 5))


def status_text(status: StatusView) -> Text:
    """`✖ failed`: the view model's word after its symbol, in its colour."""
    return Text(
        f"{STATUS_SYMBOL[status.status]} {clean(status.word)}",
        style=STATUS_STYLE[status.status],
        no_wrap=True,
        end="",
    )


def bar(progress: int | None, width: int, style: str = "yellow") -> Text:
    """A text progress bar: full blocks, an eighth-block partial, and a dim track.

    Unknown progress is a dim "—" alone: a dotted track would suggest a bar that is empty.
    """
    if progress is None:
        return Text(UNKNOWN, style="dim", end="")
    filled = bar_fill(progress, width)
    text = Text(filled, style=style.replace("bold ", ""), end="")
    text.append("░" * (width - len(filled)), style="dim")
    return text


def percent(progress: int | None) -> str:
    """Four cells, right-aligned: ' 42%', '100%', '   —'."""
    return present.percent(progress).rjust(4)


duration = present.duration


def when(moment: datetime | None, *, date: bool = True, zone: bool = False) -> str:
    """A time in the display zone: '2025-03-06 12:01:13' (or just the time of day), with
    the zone's name when `zone` ('... UTC', '... CST'); '—'."""
    return present.wall_time(moment, date=date, zone=zone)
