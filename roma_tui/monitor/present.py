"""Plain-text presentation of domain values, shared by the TUI and the scripting commands.

Durations, "ago" labels, percentages, timestamps and the characters of a progress bar, as
`str`: no styling here (the TUI and scripting each colour these their own way). Pure
functions of their arguments, but for one setting of the whole process: the time zone times
of day are shown in (`set_display_zone`: the machine's local zone unless `--utc`; logs and
JSON always use `iso_utc`). The current time is always passed in, never read.
Imports the standard library only: never textual, rich or httpx.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, tzinfo

__all__ = [
    "EIGHTHS",
    "UNKNOWN",
    "ago",
    "ascii_bar",
    "bar_fill",
    "clamp_percent",
    "clock_time",
    "display_zone",
    "duration",
    "iso_utc",
    "percent",
    "printable",
    "set_display_zone",
    "wall_time",
]

UNKNOWN = "—"
"""What every formatter here shows for a value it does not know (callers may override)."""

EIGHTHS = " ▏▎▍▌▋▊▉"
"""Left-aligned partial blocks: EIGHTHS[n] fills n/8 of a cell (EIGHTHS[0] is a space)."""


def printable(value: object, limit: int | None = None) -> str:
    """`value` as text that cannot act on a terminal or a screen: every control character
    (Unicode category C*: C0 and C1 controls, so no escape sequence can start; bidi
    overrides such as U+202E; zero-width format characters) is removed, whitespace ones become
    a space. Cut to `limit` characters with an ellipsis when longer. Markup is not this
    function's business: the TUI never parses these strings as markup, and scripts print
    them literally."""
    text = value if isinstance(value, str) else str(value)
    # Fast path: a printable string has no control characters and no whitespace but " "
    if not text.isprintable():
        text = "".join(
            " " if ch.isspace() else ch
            for ch in text
            if ch.isspace() or not unicodedata.category(ch).startswith("C")
        )
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text


def clamp_percent(progress: int) -> int:
    """`progress` forced into 0..100."""
    return min(100, max(0, progress))


def duration(delta: timedelta | None, *, coarse: bool = False, unknown: str = UNKNOWN) -> str:
    """A span in at most 6 characters: `45s`, `12m05s`, `3h07m`, `2d04h`; `unknown` if None.

    `coarse` changes at most once a minute (`<1m`, `12m`, `3h07m`, `2d04h`): for labels
    where a change every second would repaint for little information. Negative spans are 0.
    """
    if delta is None:
        return unknown
    seconds = max(0, int(delta.total_seconds()))
    if coarse and seconds < 3600:
        return "<1m" if seconds < 60 else f"{seconds // 60}m"
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def ago(then: datetime | None, now: datetime, *, unknown: str = "never") -> str:
    """`5s ago` during the first minute, then coarse: `3m ago`, `1h05m ago`, `2d04h ago`.

    Seconds only while they matter (a refresh every few seconds); after that the label
    changes at most once a minute.
    """
    if then is None:
        return unknown
    seconds = max(0, int((now - then).total_seconds()))
    span = timedelta(seconds=seconds)
    return f"{duration(span, coarse=seconds >= 60)} ago"


def percent(progress: int | None, *, unknown: str = UNKNOWN) -> str:
    """`42%` (clamped to 0..100), or `unknown`."""
    return unknown if progress is None else f"{clamp_percent(progress)}%"


def iso_utc(moment: datetime | None) -> str | None:
    """`2025-03-06T12:01:43Z`, or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_ZONE: tzinfo | None = None  # None: the machine's local time zone


def set_display_zone(zone: tzinfo | None) -> None:
    """Show times of day in `zone` (UTC for `--utc`), or in local time (None)."""
    global _ZONE
    _ZONE = zone


def display_zone() -> tzinfo | None:
    return _ZONE


def _local(moment: datetime) -> datetime:
    return moment.astimezone(_ZONE) if _ZONE is not None else moment.astimezone()


def wall_time(
    moment: datetime | None, *, date: bool = True, zone: bool = False, unknown: str = UNKNOWN
) -> str:
    """`2025-03-06 20:01:13` in the display zone (only `20:01:13` without the date), with the
    zone's name after it (`CST`, `UTC`) when `zone`; `unknown` when None."""
    if moment is None:
        return unknown
    local = _local(moment)
    text = local.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")
    return f"{text} {local.tzname() or local.strftime('%z')}" if zone else text


def clock_time(moment: datetime | None, now: datetime, *, unknown: str = UNKNOWN) -> str:
    """`12:01:43` on the same day as `now` (display zone), else `03-05 12:01`; `unknown`."""
    if moment is None:
        return unknown
    moment = _local(moment)
    if moment.date() == _local(now).date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%m-%d %H:%M")


def bar_fill(progress: int, width: int) -> str:
    """The filled part of a `width`-cell bar: full blocks, then one partial (eighths) block.

    At most `width` characters; the caller draws the rest of the track.
    """
    if width <= 0:
        return ""
    eighths = round(clamp_percent(progress) * width * 8 / 100)
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part and full < width else "")


def ascii_bar(progress: int, width: int = 20) -> str:
    """`[########------------]`: ASCII only, for logs and pipes (`width` inner cells)."""
    filled = clamp_percent(progress) * width // 100
    return "[" + "#" * filled + "-" * (width - filled) + "]"
