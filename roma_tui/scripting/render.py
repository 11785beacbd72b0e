"""Rendering shared by `roma-tui status` and `roma-tui wait`: consoles, bars, tables, details.

Everything here renders the view model's `InstanceView` (roma_tui.monitor.view): the words,
times and reasons are the ones the TUI shows; only their layout is this module's. Plain
mode (output not a terminal, `NO_COLOR` set, or `TERM=dumb`) produces ASCII-only
bars and no ANSI escapes at all, so CI logs and pipes get clean text.

Imports roma_tui.monitor and rich only; never textual, httpx or roma_tui.api.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from roma_tui.monitor import present
from roma_tui.monitor.domain import Status
from roma_tui.monitor.palette import STATUS_STYLE, SUB_STYLE
from roma_tui.monitor.present import SHORT_ID, eta_phrase, printable, stall_phrase, usual_phrase
from roma_tui.monitor.view import InstanceView, StatusView

__all__ = [
    "BAR_WIDTH",
    "detail_renderable",
    "fmt_clock",
    "fmt_duration",
    "fmt_timeout",
    "instance_lines",
    "is_terminal",
    "make_console",
    "wants_plain",
]

BAR_WIDTH = 20
PLAIN_WIDTH = 80


# -- consoles ------------------------------------------------------------------------------


def is_terminal(stream: TextIO) -> bool:
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
    tty = is_terminal(stream) if is_tty is None else is_tty
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
    return present.clock_time(moment, now, unknown="-")


def _bar(percent: int, style: str, plain: bool, width: int = BAR_WIDTH) -> Text:
    if plain:
        return Text(present.ascii_bar(percent, width))
    filled = present.clamp_percent(percent) * width // 100
    bar = Text()
    bar.append("━" * filled, style=style.replace("bold ", ""))
    bar.append("━" * (width - filled), style="grey30")
    return bar


def _status_text(status: StatusView, plain: bool) -> Text:
    return Text(printable(status.word), style="" if plain else STATUS_STYLE[status.status])


# -- renderables -----------------------------------------------------------------------------


_GAP = "  "


def _short_reason(view: InstanceView) -> str:
    if view.reason is None:
        return ""
    return printable(view.reason.text())


def instance_lines(views: list[InstanceView], *, plain: bool, width: int | None) -> list[Text]:
    """The `status` list: a header, then one line per instance, so that `grep` and `awk` can
    work on it (`roma-tui status | grep failed | awk '{print $2}'` gives the ids).

    Columns: NAME, ID (the full id; on a terminal too narrow for it, its first 8 characters,
    which every id argument accepts), TYPE, STATUS, PROG, ELAPSED, ETA, and the reason of a
    failure (or of any other trouble) last. `width` None (a pipe) never cuts anything; on a
    terminal a long name gives way first, then the reason is cut (or left to `status ID`).
    """
    names = [printable(v.name) or "-" for v in views]
    reasons = [_short_reason(v) for v in views]
    cells = [
        [
            printable(v.instance.type or "-"),
            v.status.word,
            "-" if v.progress is None else f"{v.progress}%",
            fmt_duration(v.elapsed),
            fmt_duration(v.eta) if v.status.status is Status.CREATING else "-",
        ]
        for v in views
    ]
    head = ["TYPE", "STATUS", "PROG", "ELAPSED", "ETA"]
    right = {2, 3, 4}  # numbers are right-aligned

    def widths(rows: list[list[str]], header: list[str]) -> list[int]:
        return [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    ids = [printable(v.id) for v in views]
    name_w = max(len(n) for n in ["NAME", *names])
    rest_w = sum(widths(cells, head)) + len(_GAP) * len(head)
    if width is not None and name_w + len(_GAP) + max(map(len, ["ID", *ids])) + rest_w > width:
        ids = [i[:SHORT_ID] for i in ids]
    id_w = max(len(i) for i in ["ID", *ids])
    if width is not None:  # a long name gives way first, down to 12 characters
        name_w = max(12, min(name_w, width - len(_GAP) - id_w - rest_w))
    col_w = widths(cells, head)

    def line(name: str, ident: str, values: list[str], reason: str) -> str:
        name = name if len(name) <= name_w else name[: name_w - 1] + "…"
        parts = [name.ljust(name_w), ident.ljust(id_w)]
        for i, (value, w) in enumerate(zip(values, col_w, strict=True)):
            parts.append(value.rjust(w) if i in right else value.ljust(w))
        text = _GAP.join(parts)
        return f"{text}{_GAP}{reason}" if reason else text.rstrip()

    lines = [line("NAME", "ID", head, "REASON" if any(reasons) else "")]
    lines += [line(n, i, c, r) for n, i, c, r in zip(names, ids, cells, reasons, strict=True)]
    out: list[Text] = []
    for index, text in enumerate(lines):
        if width is not None and len(text) > width:
            text = text[: width - 1] + "…"
        styled = Text(text, no_wrap=True, overflow="ignore")
        if not plain:
            if index == 0:
                styled.stylize("bold")
            else:
                view = views[index - 1]
                start = name_w + len(_GAP) * 3 + id_w + col_w[0]
                styled.stylize(STATUS_STYLE[view.status.status], start, start + col_w[1])
        out.append(styled)
    return out


def _header(view: InstanceView, plain: bool) -> list[RenderableType]:
    title = Text()
    title.append(printable(view.name) or "-", style="" if plain else "bold")
    title.append("  ")
    title.append(printable(view.id) or "-")
    facts = Text("  ")
    if view.instance.type:
        facts.append(printable(view.instance.type))
        facts.append(", ")
    facts.append_text(_status_text(view.status, plain))
    if view.progress is not None:
        facts.append(f" {view.progress}%")
    if view.started is not None:
        facts.append(f", started {present.iso_utc(view.started)}")
    if view.elapsed is not None:
        facts.append(f", {'elapsed' if view.ticking else 'took'} {fmt_duration(view.elapsed)}")
    if view.status.status is Status.CREATING:
        eta = eta_phrase(view.eta_at, view.eta, view.eta_low, view.eta_high, unknown="unknown")
        facts.append(f", ETA {eta}")
    lines: list[RenderableType] = [title, facts]
    if view.stalled is not None:
        stall = stall_phrase(view.stalled, view.stall_usual)
        lines.append(Padding(Text(f"stalled: {stall}"), (0, 0, 0, 2)))
    if view.usual is not None:
        lines.append(Padding(_usual_text(view, plain), (0, 0, 0, 2)))
    if view.status.status not in (Status.CREATING, Status.RUNNING):
        line = Text(printable(view.status.meaning))
        if view.reason is not None:
            line.append(": " + printable(view.reason.text()))
        lines.append(Padding(line, (0, 0, 0, 2)))
    return lines


def _usual_text(view: InstanceView, plain: bool) -> Text:
    """`18 min so far; professional in cn-north-4 usually takes 24 min, p90 31`."""
    usual = view.usual
    assert usual is not None
    phrase = usual_phrase(
        view.elapsed, view.ticking, usual.type, usual.region, usual.median, usual.p90
    )
    if view.slower_than_usual:
        return Text(f"{phrase}: slower than usual", style="" if plain else "yellow")
    return Text(phrase, style="" if plain else "dim")


def _error_line(indent: int, code: str | None, msg: str | None, plain: bool) -> Padding:
    """`error CODE: message`, wrapped under itself (hanging indent) when it is long."""
    line = Text()
    line.append("error ", style="" if plain else "bold red")
    line.append(printable(code or "(no code)"))
    if msg:
        line.append(": ")
        line.append(printable(msg))
    return Padding(line, (0, 0, 0, indent))


def detail_renderable(view: InstanceView, now: datetime, *, plain: bool) -> Group:
    """An instance header, then one line per sub-service: bar, percent, status, start, time."""
    parts: list[RenderableType] = _header(view, plain)
    if not view.sub_services:
        parts.append(Text("  (no sub-services reported)" if view.has_progress else ""))
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
        + "TIME".ljust(7)
        + "LEFT",
        style="" if plain else "dim",
    )
    parts.append(head)
    for sub in view.sub_services:
        line = Text("  ")
        name = printable(sub.name)
        name = name if len(name) <= name_width else name[: name_width - 1] + "~"
        line.append(name.ljust(name_width))
        line.append(" ")
        style = SUB_STYLE[sub.state]
        line.append_text(_bar(sub.progress, style, plain))
        line.append(f" {sub.progress:>3}% ")
        line.append(sub.state.value.ljust(9), style="" if plain else style)
        line.append(fmt_clock(sub.started, now).ljust(12))
        line.append(fmt_duration(sub.took).ljust(7))
        if sub.eta is not None:
            line.append(fmt_duration(sub.eta))
        line.no_wrap = True
        line.overflow = "ellipsis"
        parts.append(line)
        if sub.error_code or sub.error_msg:
            parts.append(_error_line(name_width + 3, sub.error_code, sub.error_msg, plain))
    return Group(*parts)
