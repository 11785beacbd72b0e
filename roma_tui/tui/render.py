"""Pure rendering helpers: domain objects -> Rich `Text` (symbols, bars, durations, times).

Everything that reaches a widget from the API goes through `safe()`, so a name like
`[bold]x` or one holding escape sequences is shown literally. Symbols carry the meaning and
colour only reinforces it, so the screen reads the same with NO_COLOR.
Imports rich and roma_tui.monitor.domain only; never textual or httpx.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from rich.text import Text

from roma_tui.monitor.domain import Status

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
_EIGHTHS = " ▏▎▍▌▋▊▉"


def clean(value: object, limit: int | None = None) -> str:
    """A string with control characters removed (whitespace ones become spaces), optionally
    cut to `limit` cells with an ellipsis."""
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
    """A text progress bar: full blocks, an eighth-block partial, and a dim track."""
    if progress is None:
        return Text("·" * width, style="dim", end="")
    p = min(100, max(0, progress))
    eighths = round(p * width * 8 / 100)
    full, part = divmod(eighths, 8)
    filled = "█" * full + (_EIGHTHS[part] if part and full < width else "")
    style = STATUS_STYLE[status] if status is not Status.FAILED else "red"
    if status is Status.OTHER or status is Status.UNKNOWN:
        style = "cyan"
    text = Text(filled, style=style, end="")
    text.append("░" * (width - len(filled)), style="dim")
    return text


def percent(progress: int | None) -> str:
    return "  —" if progress is None else f"{min(100, max(0, progress)):>3}%"


def duration(delta: timedelta | None, *, coarse: bool = False) -> str:
    """Compact: 45s, 12m05s, 3h07m, 2d04h; '—' when unknown.

    `coarse` (the list) changes at most once a minute: <1m, 12m, 3h07m. A table cell that
    changes every second repaints the whole table, over SSH, for little information.
    """
    if delta is None:
        return "—"
    seconds = max(0, int(delta.total_seconds()))
    if coarse:
        if seconds < 60:
            return "<1m"
        if seconds < 3600:
            return f"{seconds // 60}m"
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def ago(then: datetime | None, now: datetime) -> str:
    if then is None:
        return "never"
    return f"{duration(now - then)} ago"


def when(moment: datetime | None, *, date: bool = True) -> str:
    """A UTC timestamp: '2025-03-06 12:01:13' (or just the time of day)."""
    if moment is None:
        return "—"
    return moment.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")
