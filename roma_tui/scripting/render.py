"""Rendering shared by `roma-tui status` and `roma-tui wait`: consoles, bars, times, views.

Everything here works on monitor domain objects (`Instance`, `CreationProgress`), never on wire
models. Plain mode (output not a terminal, `NO_COLOR` set, or `TERM=dumb`) produces ASCII-only
bars and no ANSI escapes at all, so CI logs and pipes get clean text.

Imports roma_tui.monitor and rich only; never textual, httpx or roma_tui.api.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from roma_tui.monitor import present
from roma_tui.monitor.domain import CreationProgress, Instance, Status, SubService
from roma_tui.monitor.eta import EtaEstimator, RateEta
from roma_tui.monitor.present import iso_utc

__all__ = [
    "BAR_WIDTH",
    "InstanceView",
    "detail_renderable",
    "fmt_clock",
    "fmt_duration",
    "fmt_timeout",
    "instance_table",
    "iso_utc",
    "make_console",
    "plain_bar",
    "status_label",
    "view_of",
    "wants_plain",
]

BAR_WIDTH = 20
PLAIN_WIDTH = 80

_STATUS_STYLES: dict[Status, str] = {
    Status.CREATING: "yellow",
    Status.RUNNING: "green",
    Status.FAILED: "bold red",
    Status.DELETING: "magenta",
    Status.OTHER: "cyan",
    Status.UNKNOWN: "dim",
}


# -- consoles ------------------------------------------------------------------------------


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def wants_plain(
    stream: TextIO, is_tty: bool | None = None, environ: Mapping[str, str] | None = None
) -> bool:
    """True when `stream` must get plain text: not a terminal, `NO_COLOR` set, or `TERM=dumb`."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", "") != "" or env.get("TERM", "") == "dumb":
        return True
    tty = _isatty(stream) if is_tty is None else is_tty
    return not tty


def _plain_width(environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    columns = env.get("COLUMNS", "")
    return max(40, int(columns)) if columns.isdigit() else PLAIN_WIDTH


def make_console(stream: TextIO, *, plain: bool, width: int | None = None) -> Console:
    """A Rich console on `stream`; in plain mode it can emit no escape sequence whatsoever."""
    if plain:
        return Console(
            file=stream,
            force_terminal=False,
            force_interactive=False,
            force_jupyter=False,
            color_system=None,
            no_color=True,
            highlight=False,
            markup=False,
            emoji=False,
            width=width or _plain_width(),
        )
    return Console(
        file=stream,
        force_terminal=True,
        force_jupyter=False,
        highlight=False,
        markup=False,
        emoji=False,
        width=width,
    )


# -- small formatters ----------------------------------------------------------------------


def fmt_duration(span: timedelta | None) -> str:
    """Compact, at most 6 characters: `45s`, `12m05s`, `1h05m`, `2d03h`; `-` when unknown."""
    return present.duration(span, unknown="-")


def fmt_timeout(seconds: float) -> str:
    """A timeout as a person typed it: `45s`, `60m`, `90m`, `61m01s`."""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total}s"
    minutes, secs = divmod(total, 60)
    return f"{minutes}m" if secs == 0 else f"{minutes}m{secs:02d}s"


def fmt_clock(moment: datetime | None, now: datetime) -> str:
    """`12:01:43` on the same UTC day as `now`, else `03-05 12:01`; `-` when unknown."""
    if moment is None:
        return "-"
    moment = moment.astimezone(UTC)
    if moment.date() == now.astimezone(UTC).date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%m-%d %H:%M")


def status_label(status: Status, raw: str) -> str:
    """The normalised status, or the API's own word when it is not one we know."""
    if status in (Status.OTHER, Status.UNKNOWN) and raw:
        return raw.lower()
    return status.value


def plain_bar(percent: int, width: int = BAR_WIDTH) -> str:
    """`[########------------]`: ASCII only, for logs and pipes."""
    percent = max(0, min(100, percent))
    filled = percent * width // 100
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def _bar(percent: int, status: Status, plain: bool, width: int = BAR_WIDTH) -> Text:
    if plain:
        return Text(plain_bar(percent, width))
    percent = max(0, min(100, percent))
    filled = percent * width // 100
    bar = Text()
    bar.append("━" * filled, style=_STATUS_STYLES.get(status, "white"))
    bar.append("━" * (width - filled), style="grey30")
    return bar


def _status_text(status: Status, raw: str) -> Text:
    return Text(status_label(status, raw), style=_STATUS_STYLES.get(status, ""))


# -- the view both commands render -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InstanceView:
    """What `status` and `wait` show for one instance: list data and progress merged."""

    id: str
    name: str
    type: str | None
    status: Status
    status_raw: str
    progress: int | None  # None when not known (progress not fetched)
    created: datetime | None
    started: datetime | None
    finished: datetime | None
    elapsed: timedelta | None
    eta: timedelta | None  # None when unknown or not creating
    error_code: str | None
    error_msg: str | None
    sub_services: tuple[SubService, ...]


def _span(start: datetime | None, end: datetime | None) -> timedelta | None:
    if start is None or end is None:
        return None
    return max(timedelta(0), end - start)


def view_of(
    instance: Instance | None,
    progress: CreationProgress | None,
    now: datetime,
    eta: EtaEstimator | None = None,
) -> InstanceView:
    """Merge what the list said with what the progress endpoint said (progress wins)."""
    estimator = eta or RateEta()
    inner = progress.instance if progress is not None else None
    base = instance or inner
    if progress is not None:
        status, raw = progress.status, progress.status_raw
        if not raw and base is not None:
            status, raw = base.status, base.status_raw
        percent: int | None = progress.progress
        started, finished = progress.started, progress.finished
        subs = progress.sub_services
        ident = progress.instance_id or (base.id if base else "")
        name = progress.name or (base.name if base else "")
        server_now = progress.server_time or now
    else:
        assert base is not None, "view_of needs an instance or a progress"
        status, raw = base.status, base.status_raw
        percent = 100 if status is Status.RUNNING else None
        started = finished = None
        subs = ()
        ident, name = base.id, base.name
        server_now = now
    elapsed = _span(started, finished or (None if status.finished else server_now))
    remaining = None
    if status is Status.CREATING and percent is not None:
        remaining = estimator.estimate(percent, started, server_now)
    type_ = (instance.type if instance else None) or (inner.type if inner else None)
    created = (instance.created if instance else None) or (inner.created if inner else None)
    error_code = (instance.error_code if instance else None) or (
        inner.error_code if inner else None
    )
    error_msg = (instance.error_msg if instance else None) or (inner.error_msg if inner else None)
    return InstanceView(
        id=ident or (base.id if base else ""),
        name=name,
        type=type_,
        status=status,
        status_raw=raw,
        progress=percent,
        created=created,
        started=started,
        finished=finished,
        elapsed=elapsed,
        eta=remaining,
        error_code=error_code,
        error_msg=error_msg,
        sub_services=subs,
    )


# -- renderables -----------------------------------------------------------------------------


WIDE_TABLE = 110  # from this many columns on, NAME and ID get a column each


def instance_table(views: list[InstanceView], *, plain: bool, width: int) -> Table:
    """The `status` list, one instance per row.

    Below `WIDE_TABLE` columns the name and the id share the first column (name above id),
    which keeps every row inside 80 columns with full ids and full type names.
    """
    wide = width >= WIDE_TABLE
    table = Table(
        box=None,
        padding=(0, 1, 0, 0),
        pad_edge=False,
        show_edge=False,
        header_style="" if plain else "bold",
        expand=False,
    )
    if wide:
        table.add_column("NAME", overflow="fold", min_width=12, ratio=1)
        table.add_column("ID", no_wrap=True)
    else:
        table.add_column("NAME / ID", overflow="fold", min_width=36)
    table.add_column("TYPE", overflow="ellipsis", no_wrap=True, max_width=12)
    table.add_column("STATUS", overflow="ellipsis", no_wrap=True, max_width=14)
    table.add_column("PROG", justify="right", no_wrap=True)
    table.add_column("ELAPSED", justify="right", no_wrap=True)
    table.add_column("ETA", justify="right", no_wrap=True)
    for view in views:
        name = Text(view.name or "-", style="" if plain else "bold")
        ident = Text(view.id or "-", style="" if plain else "dim")
        first: list[Text] = [name, ident] if wide else [Text("\n").join([name, ident])]
        status = (
            Text(status_label(view.status, view.status_raw))
            if plain
            else _status_text(view.status, view.status_raw)
        )
        table.add_row(
            *first,
            Text(view.type or "-"),
            status,
            Text("-" if view.progress is None else f"{view.progress}%"),
            Text(fmt_duration(view.elapsed)),
            Text(fmt_duration(view.eta)),
        )
    return table


def _header(view: InstanceView, plain: bool) -> list[RenderableType]:
    title = Text()
    title.append(view.name or "-", style="" if plain else "bold")
    title.append("  ")
    title.append(view.id or "-")
    facts = Text("  ")
    if view.type:
        facts.append(view.type)
        facts.append(", ")
    facts.append_text(
        Text(status_label(view.status, view.status_raw))
        if plain
        else _status_text(view.status, view.status_raw)
    )
    if view.progress is not None:
        facts.append(f" {view.progress}%")
    if view.started is not None:
        facts.append(f", started {iso_utc(view.started)}")
    if view.elapsed is not None:
        word = "took" if view.status.finished else "elapsed"
        facts.append(f", {word} {fmt_duration(view.elapsed)}")
    if view.status is Status.CREATING:
        facts.append(f", ETA {fmt_duration(view.eta) if view.eta else 'unknown'}")
    lines: list[RenderableType] = [title, facts]
    told = {(s.error_code, s.error_msg) for s in view.sub_services}
    failed = view.status is Status.FAILED and (view.error_code or view.error_msg)
    if failed and (view.error_code, view.error_msg) not in told:
        lines.append(_error_line(2, view.error_code, view.error_msg, plain))
    return lines


def _error_line(indent: int, code: str | None, msg: str | None, plain: bool) -> Padding:
    """`error CODE: message`, wrapped under itself (hanging indent) when it is long."""
    line = Text()
    line.append("error ", style="" if plain else "bold red")
    line.append(code or "(no code)")
    if msg:
        line.append(": ")
        line.append(msg)
    return Padding(line, (0, 0, 0, indent))


def detail_renderable(view: InstanceView, now: datetime, *, plain: bool) -> Group:
    """An instance header, then one line per sub-service: bar, percent, status, start, time."""
    parts: list[RenderableType] = _header(view, plain)
    if not view.sub_services:
        parts.append(Text("  (no sub-services reported)" if view.progress is not None else ""))
        return Group(*parts)
    name_width = max(3, min(12, max(len(s.name) for s in view.sub_services)))
    bar_width = BAR_WIDTH + (2 if plain else 0)
    head = Text(
        "  "
        + "SUB".ljust(name_width)
        + " "
        + "PROGRESS".ljust(bar_width)
        + "    % "
        + "STATUS".ljust(9)
        + "STARTED".ljust(12)
        + "TIME",
        style="" if plain else "dim",
    )
    parts.append(head)
    for sub in view.sub_services:
        line = Text("  ")
        name = sub.name if len(sub.name) <= name_width else sub.name[: name_width - 1] + "~"
        line.append(name.ljust(name_width))
        line.append(" ")
        line.append_text(_bar(sub.progress, sub.status, plain))
        line.append(f" {sub.progress:>3}% ")
        label = status_label(sub.status, sub.status_raw)
        if plain:
            line.append(label.ljust(9))
        else:
            line.append_text(_status_text(sub.status, sub.status_raw))
            line.append(" " * max(1, 9 - len(label)))
        line.append(fmt_clock(sub.started, now).ljust(12))
        span = _span(sub.started, sub.finished or (None if sub.status.finished else now))
        line.append(fmt_duration(span) if sub.started else "-")
        line.no_wrap = True
        line.overflow = "ellipsis"
        parts.append(line)
        if sub.error_code or sub.error_msg:
            parts.append(_error_line(name_width + 3, sub.error_code, sub.error_msg, plain))
    return Group(*parts)
