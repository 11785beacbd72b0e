"""Plain-text presentation of domain values, shared by the TUI and the scripting commands.

Durations, "ago" labels, percentages, timestamps and the characters of a progress bar, as
`str`: no styling here (the TUI and scripting each colour these their own way). Pure
functions of their arguments, but for one setting of the whole process: the time zone times
of day are shown in (`set_display_zone`: the machine's local zone unless `--utc`; logs and
JSON always use `iso_utc`). The current time is always passed in, never read. `printable` is
`roma_tui.api.safetext.terminal_safe`, the one function for text that cannot act on a terminal
(names, messages, anything from outside), under the name the front ends use.
Imports the standard library and roma_tui.api.safetext only: never textual, rich or httpx.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from roma_tui.api.safetext import terminal_safe as printable

__all__ = [
    "EIGHTHS",
    "SHORT_ID",
    "UNKNOWN",
    "ago",
    "ascii_bar",
    "bar_fill",
    "clamp_percent",
    "clock_time",
    "display_zone",
    "duration",
    "eta_phrase",
    "first_of",
    "iso_utc",
    "minutes",
    "percent",
    "printable",
    "set_display_zone",
    "stall_phrase",
    "usual_phrase",
    "wall_time",
]

UNKNOWN = "—"
"""What every formatter here shows for a value it does not know (callers may override)."""

EIGHTHS = " ▏▎▍▌▋▊▉"
"""Left-aligned partial blocks: EIGHTHS[n] fills n/8 of a cell (EIGHTHS[0] is a space)."""

SHORT_ID = 8
"""How much of an id the scripts show; any id argument accepts a unique prefix this long."""


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


def _whole_minutes(span: timedelta, up: bool = False, down: bool = False) -> int:
    seconds = max(0.0, span.total_seconds())
    if down:
        return int(seconds // 60)
    return int(-(-seconds // 60) if up else (seconds + 30) // 60)


def minutes(
    span: timedelta | None, *, unknown: str = UNKNOWN, bare: bool = False, down: bool = False
) -> str:
    """A span as a person says it: `<1 min`, `18 min`, `2h05m` (`bare`: `18`, no unit, for
    the second of two minute counts). Rounded; `down`: whole minutes passed, as `duration`
    counts a running time (so "10 min so far" beside "elapsed 10m", never "11 min")."""
    if span is None:
        return unknown
    whole = _whole_minutes(span, down=down)
    if whole < 1:
        return "<1 min"
    if whole < 100:
        return f"{whole}" if bare else f"{whole} min"
    return f"{whole // 60}h{whole % 60:02d}m"


def _range(low: timedelta, high: timedelta) -> str:
    """`8–14 min`, `about 5 min`, `1h40m–2h10m`, `<1 min`."""
    lo, hi = _whole_minutes(low), max(1, _whole_minutes(high, up=True))
    if hi <= 1:
        return "<1 min"
    if lo >= hi:
        return f"about {minutes(high)}"
    if hi < 100:
        return f"{lo}–{hi} min"
    return f"{minutes(low)}–{minutes(high)}"


def eta_phrase(
    at: datetime | None,
    left: timedelta | None,
    low: timedelta | None,
    high: timedelta | None,
    *,
    unknown: str = UNKNOWN,
) -> str:
    """When a creation should end (`at`, `left` from now), and the range of the time left:
    `~12:40, 8–14 min` (in the display zone; with the date when it is 12 hours or more away)."""
    if at is None or left is None or low is None or high is None:
        return unknown
    moment = _local(at)
    shown = moment.strftime("%m-%d %H:%M" if left >= timedelta(hours=12) else "%H:%M")
    return f"~{shown}, {_range(low, high)}"


def stall_phrase(quiet: timedelta, usual: timedelta | None) -> str:
    """`no progress for 6 min, usually 2`."""
    text = f"no progress for {minutes(quiet)}"
    if usual is not None:
        text += f", usually {minutes(usual, bare=_whole_minutes(quiet) < 100)}"
    return text


def usual_phrase(
    elapsed: timedelta | None,
    so_far: bool,
    kind: str,
    region: str,
    median: timedelta,
    p90: timedelta,
) -> str:
    """`18 min so far; professional in cn-north-4 usually takes 24 min, p90 31` (or `took 26
    min; ...` once over)."""
    if elapsed is None:
        head = ""
    elif so_far:
        head = f"{minutes(elapsed, down=True)} so far; "
    else:
        head = f"took {minutes(elapsed, down=True)}; "
    same_unit = _whole_minutes(median) < 100 and _whole_minutes(p90) < 100
    return (
        f"{head}{printable(kind)} in {printable(region)} usually takes {minutes(median)}, "
        f"p90 {minutes(p90, bare=same_unit)}"
    )


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


def first_of(held: int, total: int) -> str:
    """`the first 5 000 of 50 000`: how much of a list cut at a limit is shown."""
    return f"the first {held:,} of {total:,}".replace(",", " ")


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
