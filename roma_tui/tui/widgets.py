"""The main screen's widgets: the instance table, the detail pane and the status line.

Each widget is updated in place from a monitor `Snapshot`, and only when what it shows has
changed: over SSH every repainted cell costs bytes, and an idle screen should send nothing.
Imports textual, rich and roma_tui.monitor; never httpx.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey, RowKey

from roma_tui.monitor.domain import Instance, Status
from roma_tui.monitor.present import UNKNOWN
from roma_tui.monitor.view import InstanceView, SubServiceView
from roma_tui.tui.insight import comparison_text, eta_text, stall_text
from roma_tui.tui.render import (
    STATUS_STYLE,
    SUB_STYLE,
    SUB_SYMBOL,
    ago,
    bar,
    clean,
    duration,
    percent,
    safe,
    short_id,
    short_type,
    status_text,
    when,
)
from roma_tui.tui.scroll import KeyScroll
from roma_tui.tui.timeline import timeline

__all__ = [
    "COLUMNS",
    "DetailPane",
    "InstanceTable",
    "RowText",
    "StatusLine",
    "instance_row",
    "progress_cell",
    "text_key",
]


class RowText(Text):
    """A cell `Text` that remembers its row's sort rank (DataTable.sort sees only cells)."""

    rank: int = 0


def text_key(text: Text) -> tuple[str, str, tuple[Any, ...]]:
    """What a `Text` looks like, style included (Text.__eq__ ignores the base style)."""
    return (text.plain, str(text.style), tuple(text.spans))


# (key, label, width). Each cell starts with one space (cell_padding is 0): narrow columns
# keep an 80-column terminal readable. The name column's width adapts to the table's width;
# when the names would get too short (the list beside the detail at 120 columns), the bar
# shrinks from 8 to 6 cells and "Elapsed" (at most 5 characters below it) becomes "Time".
BAR_WIDTH, BAR_NARROW = 8, 6
COMPACT: dict[str, tuple[str, int]] = {
    "progress": ("Progress", BAR_NARROW + 7),
    "elapsed": ("Time", 6),
}
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("name", "Name", 18),
    ("id", "ID", 9),
    ("type", "Type", 6),
    ("status", "Status", 11),
    ("progress", "Progress", BAR_WIDTH + 7),  # " ████████ 100% "
    ("elapsed", "Elapsed", 8),
    ("eta", "ETA", 6),
)
NAME_MIN, NAME_COMFORT, NAME_MAX = 12, 16, 48


def _cell(text: str | Text, style: str = "") -> Text:
    cell = Text(" ", style=style, no_wrap=True, end="")
    if isinstance(text, Text):
        cell.append_text(text)
    else:
        cell.append(text)
    return cell


def progress_cell(progress: int | None, status: Status, bar_width: int, style: str = "") -> Text:
    """' ████▌░░░  57% ' (a space on both sides, so it never touches the next column), or
    ' —' when the progress is unknown."""
    if progress is None:
        return _cell(Text(UNKNOWN, style=style or "dim"))
    cell = _cell(bar(progress, bar_width, STATUS_STYLE[status]))
    cell.append(f" {percent(progress)} ", style=style)
    return cell


def instance_row(
    view: InstanceView, name_width: int, bar_width: int = BAR_WIDTH
) -> tuple[Text, ...]:
    inst = view.instance
    status = view.status.status
    failed = status is Status.FAILED
    base = "bold red" if failed else ""
    name = RowText(" " + clean(inst.name or "—", name_width - 1), style=base, no_wrap=True, end="")
    elapsed, eta = row_clock(view)
    return (
        name,
        _cell(safe(short_id(inst.id)), "bold red" if failed else "dim"),
        _cell(short_type(inst.type), base),
        _cell(status_text(view.status)),
        progress_cell(view.progress, status, bar_width, base),
        _cell(elapsed, base),
        _cell(eta, base),
    )


class InstanceTable(DataTable[Text]):
    """Every instance of the project, one row per id, diffed cell by cell on refresh."""

    BINDINGS = [  # noqa: RUF012
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("enter", "app.focus_detail", "Detail", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            cursor_type="row", cursor_foreground_priority="renderable", cell_padding=0, **kwargs
        )
        self._cells: dict[str, tuple[tuple[str, str, tuple[Any, ...]], ...]] = {}
        self._order: list[str] = []
        self._views: dict[str, InstanceView] = {}
        self._inputs: dict[str, tuple[object, ...]] = {}
        self._last: list[InstanceView] = []
        self.name_width = COLUMNS[0][2]
        self.bar_width = BAR_WIDTH

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(Text(" " + label, style="bold"), key=key, width=width)

    def on_resize(self) -> None:
        if self.fit_columns(self.size.width):
            self.sync(self._last)

    def fit_columns(self, available: int) -> bool:
        """Give the name column whatever width is left (compact columns when that is too
        little); True when a width changed."""
        others = sum(w for _, _, w in COLUMNS[1:]) + 1  # + the vertical scrollbar
        compact = available - others < NAME_COMFORT
        layout = {key: (label, w) for key, label, w in COLUMNS[1:]}
        if compact:
            layout.update(COMPACT)
            others = sum(w for _, w in layout.values()) + 1
        width = max(NAME_MIN, min(NAME_MAX, available - others))
        bar_width = BAR_NARROW if compact else BAR_WIDTH
        if width == self.name_width and bar_width == self.bar_width:
            return False
        self.name_width, self.bar_width = width, bar_width
        layout["name"] = (COLUMNS[0][1], width)
        for key, column in self.columns.items():
            label, column.width = layout[str(key.value)]
            column.label = Text(" " + label, style="bold")
        self._cells.clear()  # re-render every row at the new widths
        self._inputs.clear()
        self._require_update_dimensions = True
        self.refresh()
        return True

    def selected_id(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
        except Exception:
            return None
        return None if key.value is None else str(key.value)

    def select_id(self, instance_id: str) -> bool:
        try:
            row = self.get_row_index(instance_id)
        except Exception:
            return False
        self.move_cursor(row=row, scroll=True)
        return True

    def sync(self, views: Sequence[InstanceView]) -> None:
        """Make the table show `views`, in that order, touching only what changed."""
        self._last = list(views)
        wanted = [v.instance.id for v in views]
        wanted_set = set(wanted)
        keep_selected = self.selected_id()
        for gone in [iid for iid in self._cells if iid not in wanted_set]:
            self.remove_row(gone)
            del self._cells[gone]
            self._views.pop(gone, None)
            self._inputs.pop(gone, None)
        columns = [key for key, _, _ in COLUMNS]
        for rank, view in enumerate(views):
            iid = view.instance.id
            self._views[iid] = view
            given = self._row_input(view)
            if self._inputs.get(iid) == given and iid in self.rows:
                self._set_rank(iid, rank)  # the same row: nothing to build or compare
                continue
            self._inputs[iid] = given
            cells = instance_row(view, self.name_width, self.bar_width)
            first = cells[0]
            assert isinstance(first, RowText)
            first.rank = rank
            keys = tuple(text_key(c) for c in cells)
            old = self._cells.get(iid)
            if iid not in self.rows:
                self.add_row(*cells, key=iid)
            elif old != keys:
                self._patch_row(
                    iid,
                    [
                        (column, cell)
                        for column, cell, key, previous in zip(
                            columns, cells, keys, old or (None,) * len(cells), strict=True
                        )
                        if key != previous
                    ],
                )
            self._set_rank(iid, rank)
            self._cells[iid] = keys
        if self._order != wanted:
            self._order = wanted
            self.sort("name", key=lambda cell: cell.rank if isinstance(cell, RowText) else 0)
        if (
            keep_selected is not None
            and keep_selected in wanted_set
            and self.selected_id() != keep_selected
        ):
            self.select_id(keep_selected)

    def _row_input(self, view: InstanceView) -> tuple[object, ...]:
        """Everything a row's cells are made of: equal inputs, equal cells."""
        return (
            view.instance,
            view.status,
            view.progress,
            row_clock(view),
            self.name_width,
            self.bar_width,
        )

    def _set_rank(self, iid: str, rank: int) -> None:
        current = self.get_cell(iid, "name")
        if isinstance(current, RowText):
            current.rank = rank

    def update_row(self, view: InstanceView) -> None:
        """Refresh one row in place (its position is unchanged)."""
        iid = view.instance.id
        old = self._cells.get(iid)
        if old is None or iid not in self.rows:
            return
        cells = instance_row(view, self.name_width, self.bar_width)
        current = self.get_cell(iid, "name")
        first = cells[0]
        if isinstance(current, RowText) and isinstance(first, RowText):
            first.rank = current.rank
        keys = tuple(text_key(c) for c in cells)
        changes = [
            (column, cell)
            for (column, _, _), cell, key, previous in zip(COLUMNS, cells, keys, old, strict=True)
            if key != previous
        ]
        if changes:
            self._patch_row(iid, changes)
        self._cells[iid] = keys
        self._views[iid] = view
        self._inputs[iid] = self._row_input(view)

    def _patch_row(self, iid: str, changes: Sequence[tuple[str, Text]]) -> None:
        """`update_cell` for several cells of one row, repainting only that row.

        `DataTable.update_cell` refreshes the whole table: every visible row is rendered and
        sent again, for one changed cell. The cells keep their widths, so the dimensions
        stay; a row scrolled out of view is not repainted at all.
        """
        row_key = RowKey(iid)
        data = self._data.get(row_key)
        if data is None:
            return
        for column, cell in changes:
            data[ColumnKey(column)] = cell
        self._update_count += 1  # the row and line caches are keyed on it
        index = self.get_row_index(row_key)
        top = self.scroll_offset.y  # every row is one line high
        if top <= index < top + self.size.height:
            self.refresh_row(index)

    def view(self, instance_id: str | None) -> InstanceView | None:
        return None if instance_id is None else self._views.get(instance_id)


SUB_STATUS_W, SUB_STARTED_W, SUB_TOOK_W = 10, 8, 6
SUB_BAR_MIN, SUB_BAR_MAX = 6, 16


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
        took = duration(sub.took)
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


def wrapped_height(console: Console, text: Text, width: int) -> int:
    """How many lines `text` takes once wrapped to `width` cells (0 for no width yet)."""
    if width <= 0:
        return 0
    return len(text.wrap(console, width))


def _attributes(inst: Instance) -> tuple[tuple[str, str], ...]:
    maintain = None
    if inst.maintain_begin or inst.maintain_end:
        # the API does not say in which zone these times of day are: show them as given
        maintain = f"{inst.maintain_begin or '?'}–{inst.maintain_end or '?'}"
    pairs = (
        ("Connect", inst.connect_address),
        ("VPC", inst.vpc_id),
        ("Subnet", inst.subnet_id),
        ("Sec. group", inst.security_group_id),
        ("Spec", inst.spec),
        ("CPU", inst.cpu_arch),
        ("Charging", inst.charging),
        ("Maintenance", maintain),
        ("Description", inst.description),
    )
    return tuple((label, clean(value)) for label, value in pairs if value not in (None, "", "#"))


def _attribute_table(pairs: Sequence[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in pairs:
        table.add_row(label, Text(value))
    return table


def ticking(view: InstanceView) -> bool:
    """Whether the detail of `view` changes with time alone (elapsed time, ETA, the time
    taken by a sub-service still running); a finished creation's does not."""
    return view.ticking or any(sub.ticking for sub in view.sub_services)


def row_clock(view: InstanceView) -> tuple[str, str]:
    """The list cells that change with time alone: elapsed and ETA, as shown (coarse)."""
    eta = ""
    if view.status.status is Status.CREATING:
        eta = duration(view.eta, coarse=True) if view.eta is not None else UNKNOWN
    return duration(view.elapsed, coarse=True), eta


class DetailPane(KeyScroll):
    """The selected instance: header, overall bar, one row per sub-service, attributes."""

    can_focus = True
    timeline = False  # `t`: the sub-services on a time axis instead of bars

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: dict[str, object] = {}
        self._shapes: dict[str, object] = {}
        self._last: tuple[InstanceView | None, Text | None] | None = None
        self._input: object = None

    def on_resize(self) -> None:
        """Bars and columns depend on the width: draw again once this layout pass is over
        (a layout requested during the pass would be lost)."""
        self.call_after_refresh(self._redraw)

    def _redraw(self) -> None:
        self._shown.clear()
        self._shapes.clear()
        self._input = None
        if self._last is not None:
            view, note = self._last
            self.show(view, progress_note=note)

    def on_mount(self) -> None:
        # the header right below shows the name: the frame only says what the pane is
        self.border_title = "Detail"

    def compose(self) -> Iterable[Static]:
        yield Static(id="detail-header")
        yield Static(id="detail-subs")
        yield Static(id="detail-attrs")

    def _set(
        self, part: str, content: RenderableType, key: object, *, show: bool, shape: object = None
    ) -> None:
        """Update one part if it changed; re-layout only when its shape may have changed."""
        if self._shown.get(part) == key:
            return
        self._shown[part] = key
        widget = self.query_one(f"#detail-{part}", Static)
        relayout = shape is None or self._shapes.get(part) != shape or widget.display != show
        self._shapes[part] = shape
        widget.update(content, layout=relayout)
        widget.display = show

    def _set_text(self, part: str, text: Text, width: int) -> None:
        key = text_key(text)
        if self._shown.get(part) == key:
            return
        # as many lines once wrapped: the height cannot change, skip the (costly) layout pass
        shape = (width, wrapped_height(self.app.console, text, width))
        self._set(part, text, key, show=bool(text.plain), shape=shape)

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
            self._set_text("header", Text("No instance selected.", style="dim italic"), width)
            self._set_text("subs", Text(), width)
            self._set("attrs", "", (), show=False)
            return
        self._set_text("header", detail_header(view, width, progress_note), width)
        if not view.has_progress:
            subs = Text("Creation progress not loaded yet.", style="dim italic")
        elif self.timeline:
            subs = Text("Timeline\n", style="bold", end="")
            subs.append_text(timeline(view, width - 1))
        else:
            subs = Text("Sub-services\n", style="bold", end="")
            # a margin on the right, like the attributes' UUIDs
            subs.append_text(_subservice_lines(view.sub_services, width - 1))
        self._set_text("subs", subs, width)
        pairs = _attributes(view.instance)
        self._set("attrs", _attribute_table(pairs), pairs, show=bool(pairs))


def detail_header(view: InstanceView, width: int, note: Text | None = None) -> Text:
    """Name and status, id, kind, times, the overall bar, and what is wrong, if anything."""
    inst, status = view.instance, view.status.status
    header = Text(end="")
    header.append(clean(inst.name or "—", width), style="bold")  # one line: the rest must show
    header.append("  ")
    header.append_text(status_text(view.status))
    header.append("\n")
    header.append(clean(inst.id) + "\n", style="dim")
    kind = " · ".join(
        clean(v) for v in (inst.type, inst.spec, ", ".join(inst.available_zones)) if v
    )
    if kind:
        header.append(kind + "\n")
    header.append("created  ", style="dim")
    header.append(when(view.created, zone=True))
    header.append("\n")
    header.append("elapsed  " if view.ticking else "took     ", style="dim")
    header.append(duration(view.elapsed))
    if status is Status.CREATING:
        header.append(" · ETA ", style="dim")
        header.append_text(eta_text(view))
    header.append("\n")
    if view.progress is None:
        header.append("progress ", style="dim")
        header.append(UNKNOWN)
    else:
        header.append_text(bar(view.progress, max(10, min(40, width - 6)), STATUS_STYLE[status]))
        header.append(" " + percent(view.progress), style="bold")
    for line in (stall_text(view), comparison_text(view)):
        if line is not None:
            header.append("\n")
            header.append_text(line)
    if status not in (Status.CREATING, Status.RUNNING):
        style = STATUS_STYLE[status]
        header.append(f"\n{view.status.meaning}", style=style)
        if view.reason is not None:
            header.append(": ", style=style)
            header.append(clean(view.reason.text()), style=style.replace("bold ", ""))
    if note is not None and note.plain:
        header.append("\n")
        header.append_text(note)
    return header


class StatusLine(Static):
    """One line: where we are connected, how, how fresh the data is, what is wrong."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self._key: tuple[str, str, tuple[Any, ...]] | None = None
        self._shape: tuple[int, int] = (0, 0)

    def show(self, text: Text) -> bool:
        key = text_key(text)
        if key == self._key:
            return False
        width = self.content_region.width
        shape = (width, wrapped_height(self.app.console, text, width))
        self.update(text, layout=self._key is None or width <= 0 or shape != self._shape)
        self._key = key
        self._shape = shape
        return True


def _age(updated: datetime | None, now: datetime, frozen: bool) -> str:
    """'3s ago', or while paused (the screen frozen) the time itself: 'at 12:03:05'."""
    if frozen and updated is not None:
        return f"at {when(updated, date=False)}"
    return ago(updated, now)


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
    """'list 3s ago', 'list 45s ago ⚠ stale', 'list ✖ <error> · retry in 8s · last good …',
    and with `waiting` (a request slow to answer): '... · ⏳ slow: no answer for 25s'.

    `frozen` (paused): nothing here may change with time, so times instead of ages, no retry.
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
            wait = duration(max(next_due - now, timedelta(0)))
            if compact:
                text.append(f" · retry in {wait}", style="dim")
            else:
                text.append(f" · retry {when(next_due, date=False)} (in {wait})", style="dim")
        if updated is not None:
            text.append(
                f" · last good {_age(updated, now, frozen)}", style="yellow" if stale else "dim"
            )
        return text
    text.append(_age(updated, now, frozen), style="bold yellow" if stale else "")
    if slow and not frozen:  # why it is getting stale
        text.append(slow, style="bold yellow")
    elif stale:
        text.append(" ⚠ stale", style="bold yellow reverse")
    return text


__all__ += ["feed_text", "row_clock", "subservice_layout", "ticking", "wrapped_height"]
