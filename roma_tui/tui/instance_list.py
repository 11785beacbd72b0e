"""`InstanceList`: every instance of the project, one line each, drawn with the Line API.

A DataTable could only repaint one row by writing its private fields; this widget owns its
rows. It keeps the view (roma_tui.monitor.view) of every row and renders only the lines on
screen, when they are drawn: 2000 instances cost what the visible thirty cost. When a row's
view changes, only the cells that differ are repainted (`roma_tui.tui.lines`).

Columns size to their content and the width: names get what they need first (up to
NAME_WANT), then the optional ID and Type columns, then the rest grows the progress bar.
The selection is keyed by instance id: sorting, filtering and new data keep it on the same
instance. Keys: ↑↓ j k, PgUp PgDn, Home g, End G, enter; several keys in one read move
several rows.
Imports textual, rich and roma_tui.monitor (through roma_tui.tui.render); never httpx.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from roma_tui.monitor.domain import Status
from roma_tui.monitor.present import UNKNOWN
from roma_tui.tui.lines import changed_span, text_key
from roma_tui.tui.render import (
    STATUS_STYLE,
    STATUS_SYMBOL,
    bar,
    clean,
    duration,
    percent,
    short_id,
    short_type,
)

if TYPE_CHECKING:
    from roma_tui.monitor.view import InstanceView

__all__ = ["Column", "InstanceList", "fit_columns", "row_cells", "row_clock"]

NAME_MIN = 12  # a name column never gets less (when the name is that long)
NAME_WANT = 32  # names get this much before the optional columns get any
NAME_MAX = 48
BAR_MIN, BAR_MAX = 6, 40
ID_WIDTH = 8
BARRED = frozenset({Status.CREATING, Status.RUNNING, Status.FAILED})
"""Statuses whose creation progress is drawn as a bar: for a deleting or frozen instance a
full bar would suggest something under way; its percentage is only the creation's."""


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # name | id | type | status | progress | elapsed | eta
    label: str
    width: int  # cells, without the space before the column
    right: bool = False  # aligned right (times)


def row_clock(view: InstanceView) -> tuple[str, str]:
    """The cells that change with time alone: elapsed and ETA, coarse (once a minute)."""
    eta = ""
    if view.status.status is Status.CREATING:
        eta = duration(view.eta, coarse=True) if view.eta is not None else UNKNOWN
    return duration(view.elapsed, coarse=True), eta


def _row_key(view: InstanceView) -> tuple[object, ...]:
    """Everything of `view` that `row_cells` shows: two views with the same key draw the same
    row (the elapsed time and the ETA as shown, in minutes, not as computed, in seconds)."""
    inst, status = view.instance, view.status
    return (
        inst.name,
        inst.id,
        inst.type,
        status.status,
        status.word,
        view.progress,
        row_clock(view),
    )


def _status_label(view: InstanceView) -> str:
    return f"{STATUS_SYMBOL[view.status.status]} {clean(view.status.word)}"


Widths = tuple[int, int, int, int, int]
"""The cells a row's name, status, type, elapsed time and ETA take."""


def _widths(view: InstanceView) -> Widths:
    elapsed, eta = row_clock(view)
    return (
        cell_len(clean(view.instance.name)),
        cell_len(_status_label(view)),
        len(short_type(view.instance.type)),
        len(elapsed),
        len(eta),
    )


def fit_columns(
    width: int,
    name_width: int,
    status_width: int = 10,
    type_width: int = 5,
    elapsed_width: int = 5,
    eta_width: int = 5,
) -> tuple[Column, ...]:
    """The columns for a list `width` cells wide (the cursor mark included), for rows whose
    widest name, status, type, elapsed time and ETA take the given cells. Every column is as
    wide as its widest value, so no value is cut, but a name longer than the room left."""
    status_w = max(len("Status"), status_width)
    elapsed_w, eta_w = max(len("Time"), elapsed_width), max(len("ETA"), eta_width)
    core = 1 + (1 + status_w) + (1 + BAR_MIN + 5) + (1 + elapsed_w) + (1 + eta_w)
    name_need = max(len("Name"), min(name_width, NAME_MAX))
    left = width - core
    name_w = max(min(name_need, NAME_MIN), min(name_need, NAME_WANT, left))
    left -= name_w
    optional: list[Column] = []
    for column in (Column("id", "ID", ID_WIDTH), Column("type", "Type", max(4, type_width))):
        if left >= column.width + 1:
            optional.append(column)
            left -= column.width + 1
    grow = max(0, min(name_need - name_w, left))
    name_w, left = name_w + grow, left - grow
    elapsed = Column("elapsed", "Time", elapsed_w, right=True)
    wider = max(0, len("Elapsed") - elapsed_w)
    if left >= wider:  # room for the long label
        elapsed, left = Column("elapsed", "Elapsed", elapsed_w + wider, right=True), left - wider
    bar_w = BAR_MIN + max(0, min(BAR_MAX - BAR_MIN, left))
    by_key = {c.key: c for c in optional}
    columns = [Column("name", "Name", name_w)]
    columns += [by_key[k] for k in ("id", "type") if k in by_key]
    columns += [
        Column("status", "Status", status_w),
        Column("progress", "Progress", bar_w + 5),
        elapsed,
        Column("eta", "ETA", eta_w, right=True),
    ]
    return tuple(columns)


def _progress_cell(view: InstanceView, width: int) -> Text:
    """` ████▌░░░  57%`; the percentage alone (dim) where a bar would mislead (a deleting
    instance's finished creation); `—` when unknown."""
    status = view.status.status
    if view.progress is None:
        return Text(UNKNOWN, style="dim", end="")
    if status not in BARRED:
        return Text(percent(view.progress).rjust(width), style="dim", end="")
    cell = bar(view.progress, width - 5, STATUS_STYLE[status])
    cell.append(" " + percent(view.progress))
    return cell


def row_cells(view: InstanceView, columns: Sequence[Column]) -> list[Text]:
    """One `Text` per column, each exactly as wide as its column."""
    inst = view.instance
    failed = view.status.status is Status.FAILED
    elapsed, eta = row_clock(view)
    cells: list[Text] = []
    for column in columns:
        key = column.key
        if key == "name":
            cell = Text(clean(inst.name) or UNKNOWN, style="bold red" if failed else "", end="")
        elif key == "id":
            cell = Text(short_id(inst.id), style="red" if failed else "dim", end="")
        elif key == "type":
            cell = Text(short_type(inst.type), end="")
        elif key == "status":
            cell = Text(_status_label(view), style=STATUS_STYLE[view.status.status], end="")
        elif key == "progress":
            cell = _progress_cell(view, column.width)
        elif key == "elapsed":
            cell = Text(elapsed.rjust(column.width), end="")
        else:
            cell = Text(eta.rjust(column.width), end="")
        cell.truncate(column.width, overflow="ellipsis", pad=True)
        cells.append(cell)
    return cells


def _label(column: Column, arrow: str | None) -> str:
    """A column's header cell: its label, with the sort's arrow when it is sorted by."""
    label = column.label if arrow is None else f"{column.label} {arrow}"
    label = label[: column.width]
    return label.rjust(column.width) if column.right else label.ljust(column.width)


def _join(cells: Iterable[Text], mark: str = " ") -> Text:
    line = Text(mark, end="", no_wrap=True)
    first = True
    for cell in cells:
        if not first:
            line.append(" ")
        line.append_text(cell)
        first = False
    return line


class _Measures:
    """The widths of every row's values (`_widths`), and how many rows have each: the widest
    of a column is known without measuring 2000 rows again when one of them changes."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[InstanceView, Widths]] = {}
        self._counts: tuple[dict[int, int], ...] = tuple({} for _ in range(5))

    def put(self, instance_id: str, view: InstanceView) -> Widths:
        """This row now shows `view`; its widths."""
        row = self._rows.get(instance_id)
        if row is not None and row[0] is view:
            return row[1]
        widths = _widths(view)
        if row is not None and row[1] != widths:
            self._count(row[1], -1)
        if row is None or row[1] != widths:
            self._count(widths, 1)
        self._rows[instance_id] = (view, widths)
        return widths

    def keep(self, views: dict[str, InstanceView]) -> None:
        """The rows are these views, and no others."""
        for gone in [iid for iid in self._rows if iid not in views]:
            self._count(self._rows.pop(gone)[1], -1)
        for iid, view in views.items():
            self.put(iid, view)

    def widest(self) -> Widths:
        a, b, c, d, e = (max(counts, default=0) for counts in self._counts)
        return a, b, c, d, e

    def _count(self, widths: Widths, step: int) -> None:
        for counts, width in zip(self._counts, widths, strict=True):
            left = counts.get(width, 0) + step
            if left:
                counts[width] = left
            else:
                del counts[width]


@dataclass(slots=True)
class _Drawn:
    """A row's line as last drawn: from which view, as which text, and the strip."""

    view: InstanceView
    key: tuple[object, ...]  # what of the view it shows (`_row_key`)
    look: tuple[object, ...]  # the text (style included), columns, cursor
    strip: Strip


class InstanceList(ScrollView, can_focus=True):
    """The instances, one line each, in the order given; a header line on top."""

    DEFAULT_CSS = """
    InstanceList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: transparent;
    }
    InstanceList > .instance-list--header {
        text-style: bold;
    }
    InstanceList > .instance-list--cursor {
        background: $foreground 10%;
    }
    InstanceList:focus > .instance-list--cursor {
        background: $foreground 18%;
        text-style: bold;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"instance-list--header", "instance-list--cursor"}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "choose", "Detail", show=False),
    ]

    class Highlighted(Message):
        """The cursor is on another instance (None: the list is empty)."""

        def __init__(self, instance_list: InstanceList, instance_id: str | None) -> None:
            super().__init__()
            self.instance_list = instance_list
            self.instance_id = instance_id

        @property
        def control(self) -> InstanceList:
            return self.instance_list

    class Chosen(Message):
        """Enter (or a click on the selected row): the user wants this instance's detail."""

        def __init__(self, instance_list: InstanceList, instance_id: str) -> None:
            super().__init__()
            self.instance_list = instance_list
            self.instance_id = instance_id

        @property
        def control(self) -> InstanceList:
            return self.instance_list

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._views: dict[str, InstanceView] = {}
        self._cursor = 0
        self._selected: str | None = None
        self._columns: tuple[Column, ...] = ()
        self._widths: Widths = (0, 0, 0, 0, 0)  # the widest of each, as the columns were fit
        self._measured = _Measures()
        # the line last drawn for each row on screen
        self._drawn: dict[str, _Drawn] = {}
        self._styles: dict[str, Style] = {}  # base, cursor, header: Textual's are costly to get
        self._sort: tuple[str, str] | None = None  # the sorted column's key, and its arrow
        self.paints = 0  # rows rendered since mounting (tests check what an idle tick costs)

    # --- reading -------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[str]:
        """The instance ids, in the order shown."""
        return list(self._ids)

    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    @property
    def selected_id(self) -> str | None:
        return self._selected

    def view(self, instance_id: str | None) -> InstanceView | None:
        return None if instance_id is None else self._views.get(instance_id)

    def visible_ids(self) -> list[str]:
        """The ids of the rows on screen."""
        top = self._top
        return self._ids[top : top + self._page]

    def row_text(self, instance_id: str) -> dict[str, str]:
        """The cells of a row as shown, by column key (plain text, trimmed)."""
        view = self._views[instance_id]
        cells = row_cells(view, self._columns)
        return {c.key: cell.plain.strip() for c, cell in zip(self._columns, cells, strict=True)}

    # --- changing ------------------------------------------------------------------------

    def set_rows(self, views: Sequence[InstanceView]) -> None:
        """Show `views`, in this order. The selection stays on its instance when it is still
        there, else on the row at the same place."""
        ids = [v.instance.id for v in views]
        self._views = {v.instance.id: v for v in views}
        self._measured.keep(self._views)
        if ids != self._ids:
            self._ids = ids
            self._index = {iid: i for i, iid in enumerate(ids)}
            self.virtual_size = Size(self.virtual_size.width, len(ids) + 1)
            self._measure()
            self.refresh()
            self._restore_selection()
        else:
            self._measure()
            self._repaint(self.visible_ids())

    def update_rows(self, views: Iterable[InstanceView]) -> None:
        """New views for rows already shown, at the same places: repaint what changed."""
        wider = False
        changed = []
        for view in views:
            iid = view.instance.id
            if iid not in self._index:
                continue
            self._views[iid] = view
            changed.append(iid)
            widths = self._measured.put(iid, view)
            wider = wider or any(w > m for w, m in zip(widths, self._widths, strict=True))
        if wider:
            self._measure()
        self._repaint(changed)

    def select_id(self, instance_id: str) -> bool:
        """Move the cursor to this instance (scrolling it into view)."""
        index = self._index.get(instance_id)
        if index is None:
            return False
        self._move_to(index)
        return True

    # --- layout --------------------------------------------------------------------------

    @property
    def _row_width(self) -> int:
        return self.scrollable_content_region.width

    @property
    def _page(self) -> int:
        """Rows that fit under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    @property
    def _top(self) -> int:
        return round(self.scroll_offset.y)

    def _measure(self) -> None:
        widths = self._measured.widest()
        if widths != self._widths or not self._columns:
            self._widths = widths
            self._fit()

    def _fit(self) -> None:
        width = self._row_width
        if width <= 0:
            return
        columns = fit_columns(width - 1, *self._widths)  # a margin on the right
        if columns != self._columns:
            self._columns = columns
            self._drawn.clear()
            self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._fit()
        self._scroll_to_cursor()

    # --- drawing -------------------------------------------------------------------------

    def _style(self, part: str) -> Style:
        """The widget's base style, or with a component's (the cursor's, the header's) over it:
        asked for on every line drawn, computed once until the styles change."""
        style = self._styles.get(part)
        if style is None:
            style = self.rich_style
            if part:
                style += self.get_component_rich_style(part)
            self._styles[part] = style
        return style

    def _line(self, row: int) -> Strip:
        """The strip of a row, as it should look now (remembered while it does not change)."""
        iid = self._ids[row]
        view = self._views[iid]
        cursor = row == self._cursor
        drawn = self._drawn.get(iid)
        if drawn is not None and drawn.look[1:] == (self._columns, cursor):
            if drawn.view is view:
                return drawn.strip
            key = _row_key(view)
            if drawn.key == key:  # a new view that shows the same (most ticks): nothing to draw
                drawn.view = view
                return drawn.strip
        else:
            key = _row_key(view)
        text = _join(row_cells(view, self._columns), "›" if cursor else " ")
        look = (text_key(text), self._columns, cursor)
        if drawn is not None and drawn.look == look:  # a new view that looks the same
            drawn.view, drawn.key = view, key
            return drawn.strip
        if len(self._drawn) > 4 * self._page:
            self._forget_hidden()
        part = "instance-list--cursor" if cursor else ""
        strip = self._strip(text, self._style(part), self._row_width)
        self._drawn[iid] = _Drawn(view, key, look, strip)
        self.paints += 1
        return strip

    def _strip(self, text: Text, style: Style, width: int) -> Strip:
        segments = list(text.render(self.app.console))
        strip = Strip(Segment.apply_style(segments, style), text.cell_len)
        return strip.adjust_cell_length(width, style)

    def show_sort(self, key: str, arrow: str) -> None:
        """Mark the column the rows are sorted by (`key`, when it is a column) with `arrow`."""
        if (key, arrow) != self._sort:
            self._sort = (key, arrow)
            self.refresh(Region(0, 0, self._row_width, 1))

    def _header(self) -> Strip:
        sort = self._sort
        labels = (
            _label(c, sort[1] if sort is not None and sort[0] == c.key else None)
            for c in self._columns
        )
        text = _join(Text(label, end="") for label in labels)
        return self._strip(text, self._style("instance-list--header"), self._row_width)

    def render_line(self, y: int) -> Strip:
        if y == 0:
            return self._header()
        row = self._top + y - 1
        if not self._columns or row >= len(self._ids):
            return Strip.blank(self._row_width, self._style(""))
        return self._line(row)

    def _repaint(self, ids: Iterable[str]) -> None:
        """Repaint the cells that changed in these rows, where they are on screen."""
        top = self._top
        bottom = top + self._page
        for iid in ids:
            row = self._index.get(iid)
            if row is None or not top <= row < bottom:
                self._drawn.pop(iid, None)  # drawn again when it comes into view
                continue
            drawn = self._drawn.get(iid)
            if drawn is None:
                self._refresh_row(row)
                continue
            span = changed_span(drawn.strip, self._line(row))
            if span is not None:
                self.refresh(Region(span[0], row - top + 1, span[1] - span[0], 1))

    def _forget_hidden(self) -> None:
        """Drop the lines of rows scrolled away (they are drawn again when they come back)."""
        on_screen = set(self.visible_ids())
        for iid in [iid for iid in self._drawn if iid not in on_screen]:
            del self._drawn[iid]

    def _refresh_row(self, row: int) -> None:
        top = self._top
        if top <= row < top + self._page:
            self.refresh(Region(0, row - top + 1, self._row_width, 1))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._drawn.clear()

    def watch_has_focus(self, focused: bool) -> None:
        self._styles.clear()  # the cursor's style depends on the focus
        self._drawn.pop(self._selected or "", None)

    # --- the cursor ----------------------------------------------------------------------

    def _restore_selection(self) -> None:
        index = self._index.get(self._selected) if self._selected is not None else None
        if index is None:
            index = min(self._cursor, len(self._ids) - 1)
        self._move_to(max(0, index))

    def _move_to(self, row: int) -> None:
        row = max(0, min(row, len(self._ids) - 1))
        previous = self._cursor
        self._cursor = row
        if previous != row:
            self._refresh_row(previous)
            self._refresh_row(row)
        self._scroll_to_cursor()
        selected = self._ids[row] if self._ids else None
        if selected != self._selected:
            self._selected = selected
            self.post_message(self.Highlighted(self, selected))

    def _scroll_to_cursor(self) -> None:
        top, page = self._top, self._page
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False)

    def action_cursor_up(self) -> None:
        self._move_to(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._move_to(self._cursor + 1)

    def action_page_up(self) -> None:
        self._move_to(self._cursor - self._page)

    def action_page_down(self) -> None:
        self._move_to(self._cursor + self._page)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        self._move_to(len(self._ids) - 1)

    def action_choose(self) -> None:
        if self._selected is not None:
            self.post_message(self.Chosen(self, self._selected))

    def on_click(self, event: events.Click) -> None:
        row = self._top + event.y - 1
        if event.y < 1 or not 0 <= row < len(self._ids):
            return
        if row == self._cursor and event.chain > 1:
            self.action_choose()
        self._move_to(row)
