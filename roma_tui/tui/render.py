"""Pure rendering helpers: domain objects -> Rich `Text` (symbols, bars, durations, times).

The words and numbers come from roma_tui.monitor.present (shared with the scripting
commands); this module adds what is the TUI's own: styles, symbols, fixed-width cells.

Everything that reaches a widget from the API goes through `safe()`, so a name like
`[bold]x` or one holding escape sequences is shown literally. Symbols carry the meaning and
colour only reinforces it, so the screen reads the same with NO_COLOR.
Imports rich and roma_tui.monitor only; never textual or httpx.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from rich.text import Text

from roma_tui.monitor import present
from roma_tui.monitor.domain import Status
from roma_tui.monitor.present import UNKNOWN, bar_fill

__all__ = [
    "STATUS_STYLE",
    "STATUS_SYMBOL",
    "ago",
    "bar",
    "clean",
    "duration",
    "percent",
    "safe",
    "short_id",
    "short_type",
    "status_label",
    "status_text",
    "when",
]

STATUS_SYMBOL: dict[Status, str] = {
    Status.CREATING: "◐",
    Status.RUNNING: "●",
    Status.FAILED: "✖",
    Status.DELETING: "⊘",
    Status.OTHER: "◇",
    Status.UNKNOWN: "?",
}

STATUS_STYLE: dict[Status, str] = {
    Status.CREATING: "yellow",
    Status.RUNNING: "green",
    Status.FAILED: "bold red",
    Status.DELETING: "magenta",
    Status.OTHER: "cyan",
    Status.UNKNOWN: "dim",
}

_TYPE_SHORT = {"basic": "basic", "professional": "pro", "enterprise": "ent", "platinum": "plat"}


def clean(value: object, limit: int | None = None) -> str:
    """A string with control characters removed (whitespace ones become spaces), optionally
    cut to `limit` cells with an ellipsis."""
    text = str(value)
    if not text.isprintable():  # the common case needs no work: no control or odd spaces
        text = "".join(
            " " if ch.isspace() else ch
            for ch in str(value)
            if ch.isspace() or not unicodedata.category(ch).startswith("C")
        )
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text


def safe(value: object, style: str = "", limit: int | None = None) -> Text:
    """API text as a `Text` (never parsed as markup)."""
    return Text(clean(value, limit), style=style, no_wrap=limit is not None, end="")


def short_id(instance_id: str) -> str:
    return clean(instance_id)[:8]


def short_type(kind: str | None) -> str:
    if not kind:
        return "—"
    return _TYPE_SHORT.get(kind.lower(), clean(kind, 5))


def status_label(status: Status, raw: str) -> str:
    """The word shown next to the symbol: ours for the creation states, the API's otherwise."""
    if status in (Status.OTHER, Status.UNKNOWN):
        return clean(raw, 12).lower() or status.value
    return status.value


def status_text(status: Status, raw: str = "") -> Text:
    return Text(
        f"{STATUS_SYMBOL[status]} {status_label(status, raw)}",
        style=STATUS_STYLE[status],
        no_wrap=True,
        end="",
    )


def bar(progress: int | None, width: int, status: Status = Status.CREATING) -> Text:
    """A text progress bar: full blocks, an eighth-block partial, and a dim track.

    Unknown progress is a dim "—" alone: a dotted track would suggest a bar that is empty.
    """
    if progress is None:
        return Text(UNKNOWN, style="dim", end="")
    filled = bar_fill(progress, width)
    style = STATUS_STYLE[status] if status is not Status.FAILED else "red"
    if status is Status.OTHER or status is Status.UNKNOWN:
        style = "cyan"
    text = Text(filled, style=style, end="")
    text.append("░" * (width - len(filled)), style="dim")
    return text


def percent(progress: int | None) -> str:
    """Four cells, right-aligned: ' 42%', '100%', '   —'."""
    return present.percent(progress).rjust(4)


duration = present.duration
ago = present.ago


def when(moment: datetime | None, *, date: bool = True) -> str:
    """A UTC timestamp: '2025-03-06 12:01:13' (or just the time of day); '—'."""
    return present.utc_time(moment, date=date)
