"""The detail pane's timeline (`t`): one row per sub-service, a bar from its start to its end
(or to now, then its expected rest, dimmed), on a time axis shared from the instance's start,
so overlaps and the sub-service that holds the creation up (the one that ends last, marked
▸) show at a glance.

Every time is the view model's: starts and ends from the creation progress, a running
sub-service's time so far (`took`), and its time left (`eta`). Fits any width from 40 cells
(80-column terminals included). Pure: `timeline(view, width)` returns a Rich `Text`.
Imports rich and roma_tui.monitor only; never textual or httpx.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from rich.text import Text

from roma_tui.monitor.domain import SubState
from roma_tui.monitor.present import duration, printable
from roma_tui.tui.render import SUB_STYLE

if TYPE_CHECKING:
    from roma_tui.monitor.view import InstanceView, SubServiceView

__all__ = ["TICK_STEPS", "timeline"]

NAME_MAX = 10
RIGHT = 8  # " waiting", " 12m05s"
MIN_BAR = 20
# Tick spacings to choose from, in minutes: the smallest that keeps labels apart.
TICK_STEPS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480, 720, 1440)


@dataclass(frozen=True, slots=True)
class _Row:
    sub: SubServiceView
    start: float | None  # seconds from the instance's start
    end: float | None  # where the solid bar ends (its end, or now)
    expected: float | None  # where it is expected to end (running or waiting)


def _seconds(span: timedelta | None) -> float | None:
    return None if span is None else max(0.0, span.total_seconds())


def _rows(view: InstanceView) -> list[_Row]:
    origin = view.started
    now = _seconds(view.elapsed) if view.ticking else None
    rows = []
    for sub in view.sub_services:
        start = None
        if origin is not None and sub.started is not None:
            start = max(0.0, (sub.started - origin).total_seconds())
        end = None
        if start is not None:
            took = _seconds(sub.took)
            end = start + took if took is not None else now
        expected = None
        if sub.eta is not None and now is not None:
            expected = now + sub.eta.total_seconds()
        rows.append(_Row(sub, start, end, expected))
    return rows


def _label(minutes: int) -> str:
    if minutes == 0:
        return "0"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}"


def _axis(span: float, cells: int) -> tuple[str, list[int]]:
    """The axis labels line and the cells where the ticks are."""
    step = TICK_STEPS[-1]
    for minutes in TICK_STEPS:
        # a label and its gap take about 6 cells
        if span / (minutes * 60) * 6 <= cells:
            step = minutes
            break
    line = [" "] * cells
    ticks = []
    mark = 0
    while mark * 60 <= span:
        cell = int(mark * 60 / span * cells) if span > 0 else 0
        label = _label(mark)
        if cell + len(label) > cells:
            break
        if all(ch == " " for ch in line[max(0, cell - 1) : cell + len(label)]):
            line[cell : cell + len(label)] = label
            ticks.append(cell)
        mark += step
    return "".join(line), ticks


def timeline(view: InstanceView, width: int) -> Text:
    """The timeline of `view`'s sub-services in `width` cells."""
    text = Text(end="")
    rows = _rows(view)
    if not rows:
        text.append("No sub-services reported yet.", style="dim italic")
        return text
    if view.started is None:
        text.append("The creation's start time is not known yet.", style="dim italic")
        return text
    name_w = max(3, min(NAME_MAX, max(len(printable(r.sub.name)) for r in rows)))
    cells = max(MIN_BAR, width - 2 - name_w - 1 - RIGHT)
    ends = [x for r in rows for x in (r.end, r.expected) if x is not None]
    now = _seconds(view.elapsed) if view.ticking else None
    span = max([*ends, now or 0.0, 60.0])
    scale = cells / span
    last = max(rows, key=lambda r: (r.expected or r.end or -1.0, r.end or -1.0))
    axis, ticks = _axis(span, cells)
    text.append(" " * (2 + name_w + 1) + axis + "\n", style="dim")
    for row in rows:
        sub = row.sub
        critical = row is last and (row.end is not None or row.expected is not None)
        text.append("▸ " if critical else "  ", style="bold")
        name = printable(sub.name, name_w)
        text.append(f"{name:<{name_w}} ", style="bold" if critical else "")
        style = SUB_STYLE[sub.state]
        bar = [" "] * cells
        styles: list[str] = [""] * cells
        for tick in ticks:
            bar[tick] = "·"
            styles[tick] = "dim"
        if row.start is not None and row.end is not None:
            first = min(cells - 1, int(row.start * scale))
            stop = max(first + 1, min(cells, round(row.end * scale)))
            for cell in range(first, stop):
                bar[cell], styles[cell] = "█", style.replace("bold ", "")
        if row.expected is not None:
            begin = round(row.end * scale) if row.end is not None else None
            if begin is None:  # waiting: only where it should be over
                cell = min(cells - 1, max(0, round(row.expected * scale) - 1))
                bar[cell], styles[cell] = "◦", "dim"
            else:
                for cell in range(begin, min(cells, round(row.expected * scale))):
                    bar[cell], styles[cell] = "░", "dim"
        if now is not None:
            cell = min(cells - 1, round(now * scale))
            if bar[cell] in (" ", "·"):
                bar[cell], styles[cell] = "│", "dim"
        for ch, cell_style in zip(bar, styles, strict=True):
            text.append(ch, style=cell_style)
        right = "waiting" if sub.state is SubState.WAITING else duration(sub.took)
        text.append(f" {right:>{RIGHT - 1}}\n", style="" if sub.ticking else "dim")
    legend = "█ ran  ░ expected  ◦ expected end  │ now  ▸ ends last"
    text.append(" " * (2 + name_w + 1) + legend[: max(0, cells + RIGHT)], style="dim")
    return text
