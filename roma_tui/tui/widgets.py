"""The main screen's widgets: the instance table, the detail pane and the status line.

Each widget is updated in place from a monitor `Snapshot`, and only when what it shows has
changed: over SSH every repainted cell costs bytes, and an idle screen should send nothing.
Imports textual, rich and roma_tui.monitor; never httpx.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

from roma_tui.monitor.domain import CreationProgress, Instance, Status, SubService
from roma_tui.tui.render import (
    STATUS_STYLE,
    STATUS_SYMBOL,
    ago,
    bar,
    clean,
    duration,
    percent,
    safe,
    short_id,
    short_type,
    status_label,
    status_text,
    when,
)

__all__ = [
    "COLUMNS",
    "DetailPane",
    "InstanceTable",
    "InstanceView",
    "RowText",
    "StatusLine",
    "instance_row",
    "merge_instance",
    "text_key",
]


@dataclass(frozen=True, slots=True)
class InstanceView:
    """What the screen knows about one instance, merged from the list and its progress."""

    instance: Instance
    status: Status
    progress: CreationProgress | None
    percent: int | None
    elapsed: timedelta | None
    eta: timedelta | None


class RowText(Text):
    """A cell `Text` that remembers its row's sort rank (DataTable.sort sees only cells)."""

    rank: int = 0


def text_key(text: Text) -> tuple[str, str, tuple[Any, ...]]:
    """What a `Text` looks like, style included (Text.__eq__ ignores the base style)."""
    return (text.plain, str(text.style), tuple(text.spans))


def merge_instance(listed: Instance | None, embedded: Instance | None) -> Instance | None:
    """The list's instance, with gaps filled from the progress's embedded `instance`."""
    if listed is None or embedded is None:
        return listed or embedded
    changes: dict[str, object] = {}
    for name in Instance.__dataclass_fields__:
        if name in ("id", "name", "status", "status_raw"):
            continue
        mine = getattr(listed, name)
        if (mine is None or mine == ()) and getattr(embedded, name) not in (None, ()):
            changes[name] = getattr(embedded, name)
    if not changes:
        return listed
    return replace(listed, **changes)  # type: ignore[arg-type]


# (key, label, width). Each cell starts with one space (cell_padding is 0): narrow columns
# keep an 80-column terminal readable. The name column's width adapts to the table's width.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("name", "Name", 18),
    ("id", "ID", 9),
    ("type", "Type", 6),
    ("status", "Status", 11),
    ("progress", "Progress", 14),
    ("elapsed", "Elapsed", 8),
    ("eta", "ETA", 7),
)
NAME_MIN, NAME_MAX = 12, 48
BAR_WIDTH = 8


def _cell(text: str | Text, style: str = "") -> Text:
    cell = Text(" ", style=style, no_wrap=True, end="")
    if isinstance(text, Text):
        cell.append_text(text)
    else:
        cell.append(text)
    return cell


def instance_row(view: InstanceView, name_width: int) -> tuple[Text, ...]:
    inst = view.instance
    failed = view.status is Status.FAILED
    base = "bold red" if failed else ""
    name = RowText(" " + clean(inst.name or "—", name_width - 1), style=base, no_wrap=True, end="")
    progress = bar(view.percent, BAR_WIDTH, view.status)
    progress.append(percent(view.percent).rjust(5), style=base)
    if view.status is Status.CREATING:
        eta = duration(view.eta, coarse=True) if view.eta is not None else "—"
    else:
        eta = ""
    return (
        name,
        _cell(safe(short_id(inst.id)), "bold red" if failed else "dim"),
        _cell(short_type(inst.type), base),
        _cell(status_text(view.status, inst.status_raw)),
        _cell(progress),
        _cell(duration(view.elapsed, coarse=True), base),
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
        self._last: list[InstanceView] = []
        self.name_width = COLUMNS[0][2]

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(Text(" " + label, style="bold"), key=key, width=width)

    def on_resize(self) -> None:
        if self.fit_name_width(self.size.width):
            self.sync(self._last)

    def fit_name_width(self, available: int) -> bool:
        """Give the name column whatever width is left; True when it changed."""
        others = sum(w for _, _, w in COLUMNS[1:]) + 1  # + the vertical scrollbar
        width = max(NAME_MIN, min(NAME_MAX, available - others))
        if width == self.name_width:
            return False
        self.name_width = width
        for key, column in self.columns.items():
            if key.value == "name":
                column.width = width
        self._cells.clear()  # re-render every name at the new width
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
        columns = [key for key, _, _ in COLUMNS]
        for rank, view in enumerate(views):
            iid = view.instance.id
            cells = instance_row(view, self.name_width)
            first = cells[0]
            assert isinstance(first, RowText)
            first.rank = rank
            keys = tuple(text_key(c) for c in cells)
            old = self._cells.get(iid)
            self._views[iid] = view
            if iid not in self.rows:
                self.add_row(*cells, key=iid)
            elif old != keys:
                for column, cell, key, previous in zip(
                    columns, cells, keys, old or (None,) * len(cells), strict=True
                ):
                    if key != previous:
                        self.update_cell(iid, column, cell)
            else:
                current = self.get_cell(iid, "name")
                if isinstance(current, RowText):
                    current.rank = rank
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

    def update_row(self, view: InstanceView) -> None:
        """Refresh one row in place (its position is unchanged)."""
        iid = view.instance.id
        old = self._cells.get(iid)
        if old is None or iid not in self.rows:
            return
        cells = instance_row(view, self.name_width)
        current = self.get_cell(iid, "name")
        first = cells[0]
        if isinstance(current, RowText) and isinstance(first, RowText):
            first.rank = current.rank
        keys = tuple(text_key(c) for c in cells)
        for (column, _, _), cell, key, previous in zip(COLUMNS, cells, keys, old, strict=True):
            if key != previous:
                self.update_cell(iid, column, cell)
        self._cells[iid] = keys
        self._views[iid] = view

    def view(self, instance_id: str | None) -> InstanceView | None:
        return None if instance_id is None else self._views.get(instance_id)


def _subservice_lines(
    subs: Iterable[SubService], now: datetime, *, wide: bool, bar_width: int
) -> Text:
    subs = list(subs)
    text = Text(end="")
    if not subs:
        text.append("No sub-services reported yet.", style="dim italic")
        return text
    name_w = max(4, min(14, max(len(clean(s.name)) for s in subs)))
    if wide:
        head = f"{'name':<{name_w}}  {'status':<10} {'progress':<{bar_width + 5}}  {'started':<8}"
        text.append(f"{head}  {'took':>6}\n", style="dim")
    for sub in subs:
        text.append(f"{clean(sub.name, name_w):<{name_w}}  ", style="bold")
        label = f"{STATUS_SYMBOL[sub.status]} {status_label(sub.status, sub.status_raw)}"
        text.append(f"{clean(label, 10):<10} ", style=STATUS_STYLE[sub.status])
        text.append_text(bar(sub.progress, bar_width, sub.status))
        text.append(" " + percent(sub.progress))
        took = "—" if sub.started is None else duration((sub.finished or now) - sub.started)
        if wide:
            text.append(f"  {when(sub.started, date=False):<8}", style="dim")
        text.append(f"  {took:>6}\n", style="dim" if sub.finished else "")
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


def _attributes(inst: Instance) -> tuple[tuple[str, str], ...]:
    maintain = None
    if inst.maintain_begin or inst.maintain_end:
        maintain = f"{inst.maintain_begin or '?'}–{inst.maintain_end or '?'} UTC"
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


class DetailPane(VerticalScroll):
    """The selected instance: header, overall bar, one row per sub-service, attributes."""

    can_focus = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: dict[str, object] = {}
        self._shapes: dict[str, object] = {}
        self._last: tuple[InstanceView | None, datetime, Text | None] | None = None

    def on_resize(self) -> None:
        """Bars and columns depend on the width: draw again once this layout pass is over
        (a layout requested during the pass would be lost)."""
        self.call_after_refresh(self._redraw)

    def _redraw(self) -> None:
        self._shown.clear()
        self._shapes.clear()
        if self._last is not None:
            view, now, note = self._last
            self.show(view, now, progress_note=note)

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

    def _set_text(self, part: str, text: Text) -> None:
        # same lines, each about as long: the height cannot change, skip the layout pass
        shape = tuple(len(line) // 8 for line in text.plain.split("\n"))
        self._set(part, text, text_key(text), show=bool(text.plain), shape=shape)

    def show(
        self,
        view: InstanceView | None,
        now: datetime,
        *,
        progress_note: Text | None = None,
    ) -> None:
        self._last = (view, now, progress_note)
        width = self.scrollable_content_region.width or max(20, self.size.width - 4)
        bar_width = 10 if width < 60 else 16
        if view is None:
            self.border_title = "Detail"
            self._set_text("header", Text("No instance selected.", style="dim italic"))
            self._set_text("subs", Text())
            self._set("attrs", "", (), show=False)
            return
        inst, prog = view.instance, view.progress
        self.border_title = clean(inst.name or inst.id, 40)
        header = Text(end="")
        header.append(clean(inst.name or "—"), style="bold")
        header.append("  ")
        header.append_text(status_text(view.status, inst.status_raw))
        header.append("\n")
        header.append(clean(inst.id) + "\n", style="dim")
        kind = " · ".join(
            clean(v) for v in (inst.type, inst.spec, ", ".join(inst.available_zones)) if v
        )
        if kind:
            header.append(kind + "\n")
        header.append("created  ", style="dim")
        header.append(when(inst.created) + (" UTC" if inst.created else ""))
        header.append("\n")
        header.append("took     " if view.status.finished else "elapsed  ", style="dim")
        header.append(duration(view.elapsed))
        if view.status is Status.CREATING:
            header.append(" · ETA ", style="dim")
            header.append(duration(view.eta) if view.eta is not None else "—")
        header.append("\n")
        overall = max(10, min(40, width - 6))
        header.append_text(bar(view.percent, overall, view.status))
        header.append(" " + percent(view.percent), style="bold")
        failed_subs = prog.failed_sub_services if prog is not None else ()
        if failed_subs:
            names = ", ".join(clean(sub.name) for sub in failed_subs)
            header.append(f"\n✖ failed in {names}", style="bold red")
            codes = ", ".join(clean(sub.error_code) for sub in failed_subs if sub.error_code)
            if codes:
                header.append(f" ({codes})", style="red")
            header.append(": details below", style="red")
        elif inst.error_msg and view.status is Status.FAILED:
            header.append("\n✖ ", style="bold red")
            if inst.error_code:
                header.append(clean(inst.error_code) + ": ", style="bold red")
            header.append(clean(inst.error_msg), style="red")
        if progress_note is not None and progress_note.plain:
            header.append("\n")
            header.append_text(progress_note)
        self._set_text("header", header)

        if prog is None:
            subs = Text("Creation progress not loaded yet.", style="dim italic")
        else:
            subs = Text("Sub-services\n", style="bold", end="")
            subs.append_text(
                _subservice_lines(
                    prog.sub_services,
                    prog.finished or now,  # a finished creation's sub-services stop the clock
                    wide=width >= 56,
                    bar_width=bar_width,
                )
            )
        self._set_text("subs", subs)
        pairs = _attributes(inst)
        self._set("attrs", _attribute_table(pairs), pairs, show=bool(pairs))


class StatusLine(Static):
    """One line: where we are connected, how, how fresh the data is, what is wrong."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self._key: tuple[str, str, tuple[Any, ...]] | None = None
        self._shape = 0

    def show(self, text: Text) -> bool:
        key = text_key(text)
        if key == self._key:
            return False
        shape = len(text.plain) // 16
        self.update(text, layout=self._key is None or shape != self._shape)
        self._key = key
        self._shape = shape
        return True


def feed_text(
    label: str,
    updated: datetime | None,
    error: str | None,
    next_due: datetime | None,
    now: datetime,
    stale: bool,
    *,
    compact: bool = False,
) -> Text:
    """'list 3s ago', 'list 45s ago ⚠ stale', 'list ✖ <error> · retry in 8s · last good …'."""
    text = Text(end="")
    text.append(f"{label} ", style="dim")
    if error is not None:
        text.append("✖ ", style="bold red")
        text.append(clean(error, 60 if compact else None), style="red")
        if next_due is not None:
            wait = duration(max(next_due - now, timedelta(0)))
            if compact:
                text.append(f" · retry in {wait}", style="dim")
            else:
                text.append(f" · retry {when(next_due, date=False)} (in {wait})", style="dim")
        if updated is not None:
            text.append(f" · last good {ago(updated, now)}", style="yellow" if stale else "dim")
        return text
    text.append(ago(updated, now), style="bold yellow" if stale else "")
    if stale:
        text.append(" ⚠ stale", style="bold yellow reverse")
    return text


__all__ += ["feed_text"]
