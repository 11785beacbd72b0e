"""The main screen's detail pane, and the words of the status line (`feed_text`).

The detail is updated in place from the view model (roma_tui.monitor.view), and only when
what it shows has changed; its text is `LiveText`, which repaints only the lines that
changed: over SSH every repainted cell costs bytes, and an idle screen should send nothing.
Times that move with the clock are coarse (minutes) while they run; a feed that is not live
says what time its data is from, never an age that would change every second.
Imports textual, rich and roma_tui.monitor; never httpx.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from rich.text import Text

from roma_tui.monitor.domain import Instance, Status
from roma_tui.monitor.present import UNKNOWN, clock_time
from roma_tui.tui.insight import comparison_text, eta_text, stall_text
from roma_tui.tui.lines import text_key
from roma_tui.tui.live_text import LiveText
from roma_tui.tui.render import (
    STATUS_STYLE,
    SUB_STYLE,
    SUB_SYMBOL,
    bar,
    clean,
    duration,
    percent,
    status_text,
    when,
)
from roma_tui.tui.scroll import KeyScroll
from roma_tui.tui.timeline import timeline

if TYPE_CHECKING:
    from roma_tui.monitor.view import InstanceView, SubServiceView

__all__ = [
    "DetailPane",
    "detail_header",
    "feed_text",
    "subservice_layout",
    "ticking",
]


SUB_STATUS_W, SUB_STARTED_W, SUB_TOOK_W = 10, 8, 6
SUB_BAR_MIN, SUB_BAR_MAX = 6, 40


def subservice_layout(names: Sequence[str], width: int) -> tuple[int, int, bool]:
    """(name width, bar width, with the "started" column) for sub-service rows in `width`.

    A row is `name  ◐ creating ███░░  42%  12:01:13  12m05s`: every column is kept and the
    bar takes what is left, down to SUB_BAR_MIN; below that the start time goes first.
    """
    name_w = max(4, min(14, max((len(clean(n)) for n in names), default=4)))
    fixed = name_w + 2 + SUB_STATUS_W + 1 + 5 + 2 + SUB_TOOK_W  # name, status, bar, pct, took
    wide = width - fixed - 2 - SUB_STARTED_W >= SUB_BAR_MIN
    left = width - fixed - (2 + SUB_STARTED_W if wide else 0)
    return name_w, max(SUB_BAR_MIN - 2, min(SUB_BAR_MAX, left)), wide


def _took(span: timedelta | None, running: bool) -> str:
    """How long something took, exact once over; coarse (minutes) while it still runs, so
    that the label changes once a minute, not every second."""
    return duration(span, coarse=running)


def _subservice_lines(subs: Sequence[SubServiceView], width: int) -> Text:
    text = Text(end="")
    if not subs:
        text.append("No sub-services reported yet.", style="dim italic")
        return text
    name_w, bar_width, wide = subservice_layout([s.name for s in subs], width)
    head = f"{'name':<{name_w}}  {'status':<{SUB_STATUS_W}} {'progress':<{bar_width + 5}}"
    if wide:
        head += f"  {'started':<{SUB_STARTED_W}}"
    text.append(f"{head}  {'took':>{SUB_TOOK_W}}\n", style="dim")
    for sub in subs:
        style = SUB_STYLE[sub.state]
        text.append(f"{clean(sub.name, name_w):<{name_w}}  ", style="bold")
        label = f"{SUB_SYMBOL[sub.state]} {sub.state.value}"
        text.append(f"{label:<{SUB_STATUS_W}} ", style=style)
        text.append_text(bar(sub.progress, bar_width, style))
        text.append(" " + percent(sub.progress))
        if wide:
            text.append(f"  {when(sub.started, date=False):<{SUB_STARTED_W}}", style="dim")
        took = _took(sub.took, sub.ticking)
        text.append(f"  {took:>{SUB_TOOK_W}}\n", style="" if sub.ticking else "dim")
        if sub.error_code or sub.error_msg:
            text.append("↳ ", style="bold red")
            if sub.error_code:
                text.append(clean(sub.error_code), style="bold red")
                text.append(": " if sub.error_msg else "", style="red")
            if sub.error_msg:
                text.append(clean(sub.error_msg), style="red")
            text.append("\n")
    text.rstrip()
    return text


ATTRIBUTE_LABEL = 9  # "Sec.group": with a space and a UUID, 46 cells, the side pane's inside


def _attributes(inst: Instance) -> tuple[tuple[str, str], ...]:
    maintain = None
    if inst.maintain_begin or inst.maintain_end:
        # the API does not say in which zone these times of day are: show them as given
        maintain = f"{inst.maintain_begin or '?'}–{inst.maintain_end or '?'}"
    pairs = (
        ("Connect", inst.connect_address),
        ("VPC", inst.vpc_id),
        ("Subnet", inst.subnet_id),
        ("Sec.group", inst.security_group_id),
        ("Spec", inst.spec),
        ("CPU", inst.cpu_arch),
        ("Charging", inst.charging),
        ("Maintenance", maintain),
        ("Description", inst.description),
    )
    return tuple((label, clean(value)) for label, value in pairs if value not in (None, "", "#"))


def _attribute_text(pairs: Sequence[tuple[str, str]]) -> Text:
    text = Text(end="")
    for label, value in pairs:
        text.append(f"{label:<{ATTRIBUTE_LABEL}} ", style="dim")
        text.append(value + "\n")
    text.rstrip()
    return text


def ticking(view: InstanceView) -> bool:
    """Whether what is shown of `view` changes with time alone (elapsed time, ETA, the time
    taken by a sub-service still running); a finished creation's does not."""
    return view.ticking or any(sub.ticking for sub in view.sub_services)


class DetailPane(KeyScroll):
    """The selected instance: header (what is wrong first), overall bar, one row per
    sub-service (or their timeline), attributes."""

    can_focus = True
    timeline = False  # `t`: the sub-services on a time axis instead of bars

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._last: tuple[InstanceView | None, Text | None] | None = None
        self._input: object = None

    def on_resize(self) -> None:
        """Bars and columns depend on the width: draw again once this layout pass is over
        (a layout requested during the pass would be lost)."""
        self.call_after_refresh(self._redraw)

    def _redraw(self) -> None:
        self._input = None
        if self._last is not None:
            view, note = self._last
            self.show(view, progress_note=note)

    def on_mount(self) -> None:
        # the header right below shows the name: the frame only says what the pane is
        self.border_title = "Detail"

    def compose(self) -> Iterable[LiveText]:
        yield LiveText(id="detail-header")
        yield LiveText(id="detail-subs")
        yield LiveText(id="detail-attrs")

    def _set(self, part: str, text: Text) -> None:
        widget = self.query_one(f"#detail-{part}", LiveText)
        widget.update(text)
        widget.display = bool(text.plain)

    def show(self, view: InstanceView | None, *, progress_note: Text | None = None) -> None:
        self._last = (view, progress_note)
        width = self.scrollable_content_region.width or max(20, self.size.width - 3)
        # the same input draws the same text: most seconds there is nothing to do at all
        note_key = text_key(progress_note) if progress_note is not None else None
        given = (view, width, note_key, self.timeline)
        if given == self._input:
            return
        self._input = given
        if view is None:
            self._set("header", Text("No instance selected.", style="dim italic"))
            self._set("subs", Text())
            self._set("attrs", Text())
            return
        self._set("header", detail_header(view, width, progress_note))
        if not view.has_progress:
            subs = Text("Creation progress not loaded yet.", style="dim italic")
        elif self.timeline:
            subs = Text("Timeline\n", style="bold", end="")
            subs.append_text(timeline(view, width - 1))
        else:
            subs = Text("Sub-services\n", style="bold", end="")
            # a margin on the right, like the attributes' UUIDs
            subs.append_text(_subservice_lines(view.sub_services, width - 1))
        self._set("subs", subs)
        self._set("attrs", _attribute_text(_attributes(view.instance)))


def _trouble(view: InstanceView) -> Text:
    """What is wrong, if anything: a failure and its reason, a stall. First in the header,
    so that at 80x24 it shows without scrolling."""
    text = Text(end="")
    status = view.status.status
    if status not in (Status.CREATING, Status.RUNNING):
        style = STATUS_STYLE[status]
        text.append(view.status.meaning, style=style)
        if view.reason is not None:
            text.append(": ", style=style)
            text.append(clean(view.reason.text()), style=style.replace("bold ", ""))
        text.append("\n")
    stall = stall_text(view)
    if stall is not None:
        text.append_text(stall)
        text.append("\n")
    return text


def _lines(parts: Sequence[tuple[Text, int]], width: int) -> Text:
    """The parts on one line, " · " between them, where they fit in `width`; each on its own
    line where they do not (a narrow pane). Each part comes with the most cells it may take
    (a time that runs grows): the lines break the same way whatever the part says, so the
    header does not change height, and the screen is not laid out again, as times move."""
    text = Text(end="")
    line = 0
    for part, most in parts:
        if not part.plain:
            continue
        if line and line + 3 + most <= width:
            text.append(" · ", style="dim")
            line += 3
        elif line:
            text.append("\n")
            line = 0
        text.append_text(part)
        line += most
    text.append("\n")
    return text


TOOK_MOST = len("elapsed 99d23h")  # the most cells "elapsed …" / "took …" takes
ETA_MOST = len("ETA ~03-07 12:40, 100–120 min")  # and "ETA …"


def detail_header(view: InstanceView, width: int, note: Text | None = None) -> Text:
    """Name and status, what is wrong, id and kind, times, the overall bar: on as few lines
    as the width allows, so that at 80x24 a failure's reason shows without scrolling."""
    inst, status = view.instance, view.status.status
    header = Text(end="")
    header.append(clean(inst.name or "—", width), style="bold")  # one line: the rest must show
    header.append("  ")
    header.append_text(status_text(view.status))
    header.append("\n")
    header.append_text(_trouble(view))
    kind = " · ".join(
        clean(v) for v in (inst.type, inst.spec, ", ".join(inst.available_zones)) if v
    )
    ident, kinds = Text(clean(inst.id), style="dim"), Text(kind)
    header.append_text(_lines([(ident, ident.cell_len), (kinds, kinds.cell_len)], width))
    created = Text("created ", style="dim")
    created.append(when(view.created, zone=True), style="")
    took = Text("elapsed " if view.ticking else "took ", style="dim")
    took.append(_took(view.elapsed, view.ticking), style="")
    times = [(created, created.cell_len), (took, max(took.cell_len, TOOK_MOST))]
    if status is Status.CREATING:
        eta = Text("ETA ", style="dim")
        eta.append_text(eta_text(view))
        times.append((eta, max(eta.cell_len, ETA_MOST)))
    header.append_text(_lines(times, width))
    if view.progress is None:
        header.append("progress ", style="dim")
        header.append(UNKNOWN)
    else:
        header.append_text(bar(view.progress, max(10, min(60, width - 6)), STATUS_STYLE[status]))
        header.append(" " + percent(view.progress), style="bold")
    comparison = comparison_text(view)
    if comparison is not None:
        header.append("\n")
        header.append_text(comparison)
    if note is not None and note.plain:
        header.append("\n")
        header.append_text(note)
    return header


def feed_text(
    label: str,
    updated: datetime | None,
    error: str | None,
    next_due: datetime | None,
    now: datetime,
    stale: bool,
    *,
    compact: bool = False,
    frozen: bool = False,
    waiting: timedelta | None = None,
) -> Text:
    """'list 12:01:43', 'list 12:01:43 ⚠ stale', 'list ✖ <error> · retry 12:02:03 · last good
    12:01:43': the time the data is from, never an age that would tick every second. With
    `waiting` (a request slow to answer): '... · ⏳ slow: no answer for 25s'.

    `frozen` (paused): nothing is retried, so no retry time.
    """
    text = Text(end="")
    text.append(f"{label} ", style="dim")
    slow = f" · ⏳ slow: no answer for {duration(waiting)}" if waiting is not None else ""
    if error is not None:
        text.append("✖ ", style="bold red")
        text.append(clean(error, 240 if compact else None), style="red")
        if slow and not frozen:  # the next try is on its way, and slow too
            text.append(slow, style="bold yellow")
        elif next_due is not None and not frozen:
            text.append(f" · retry {clock_time(next_due, now)}", style="dim")
        if updated is not None:
            text.append(
                f" · last good {clock_time(updated, now)}", style="yellow" if stale else "dim"
            )
        return text
    text.append(clock_time(updated, now, unknown="not yet"), style="bold yellow" if stale else "")
    if slow and not frozen:  # why it is getting stale
        text.append(slow, style="bold yellow")
    elif stale:
        text.append(" ⚠ stale", style="bold yellow reverse")
    return text
