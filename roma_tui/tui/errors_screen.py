"""The last errors (`e`): when, which request, HTTP status, Huawei's code and message, and the
request id support asks for, which `c` copies. Shows an `ErrorLog`'s entries, newest first.
Imports textual, rich and roma_tui.monitor; never httpx. Loaded when first shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from roma_tui.monitor.present import printable, wall_time

if TYPE_CHECKING:
    from roma_tui.tui.error_log import ErrorEntry

__all__ = ["ErrorsScreen"]


class ErrorsScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,e", "dismiss", "Close"),
        Binding("c", "copy", "Copy request id"),
    ]

    def __init__(self, entries: Iterable[ErrorEntry]) -> None:
        super().__init__()
        self._entries = list(entries)

    def compose(self) -> ComposeResult:
        with Vertical(id="errors-box") as box:
            box.border_title = Text(f"Last errors ({len(self._entries)})")
            box.border_subtitle = Text("c copies the request id · esc closes")
            table: DataTable[Text] = DataTable(id="errors-table", cursor_type="row")
            yield table
            yield Static(id="errors-message")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("time", "request", "HTTP", "code", "request id"):
            table.add_column(Text(label, style="bold"), key=label)
        for index, entry in enumerate(self._entries):
            table.add_row(
                Text(wall_time(entry.at, date=False)),
                Text(printable(entry.request, 40)),
                Text(entry.status),
                Text(entry.code),
                Text(printable(entry.request_id or "—")),
                key=str(index),
            )
        if not self._entries:
            self.query_one("#errors-message", Static).update(
                Text("No errors since roma-tui started.", style="dim italic")
            )
        table.focus()
        self._show_message()

    def _selected(self) -> ErrorEntry | None:
        table = self.query_one(DataTable)
        if not self._entries or table.cursor_row < 0:
            return None
        return self._entries[min(table.cursor_row, len(self._entries) - 1)]

    def on_data_table_row_highlighted(self) -> None:
        self._show_message()

    def _show_message(self) -> None:
        entry = self._selected()
        if entry is not None:
            text = Text(printable(entry.error.message), style="red")
            self.query_one("#errors-message", Static).update(text)

    def action_copy(self) -> None:
        entry = self._selected()
        if entry is None or entry.request_id is None:
            self.notify("This error has no request id", severity="warning", timeout=3)
            return
        self.app.copy_to_clipboard(entry.request_id)
        self.notify(f"Copied {printable(entry.request_id)}", timeout=3, markup=False)
