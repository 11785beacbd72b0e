"""The last errors (`e`): when, which request, HTTP status, Huawei's code and message, and the
request id support asks for, which `c` copies.

`ErrorLog` keeps the last MAX_ERRORS errors the monitor's feeds reported (each once, however
long it lasts); `ErrorsScreen` shows them, newest first.
Imports textual, rich and roma_tui.monitor / roma_tui.api.errors; never httpx.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from roma_tui.api.errors import ApiError, RomaError
from roma_tui.monitor.present import printable, wall_time

__all__ = ["MAX_ERRORS", "ErrorEntry", "ErrorLog", "ErrorsScreen"]

MAX_ERRORS = 50


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    at: datetime
    request: str  # "list", "progress roma-2222"
    error: RomaError

    @property
    def status(self) -> str:
        return str(self.error.status_code) if isinstance(self.error, ApiError) else "—"

    @property
    def code(self) -> str:
        code = self.error.error_code if isinstance(self.error, ApiError) else None
        return printable(code) if code else "—"

    @property
    def request_id(self) -> str | None:
        return self.error.request_id if isinstance(self.error, ApiError) else None


class ErrorLog:
    """The last errors, each recorded once (a feed repeating the same error object is one)."""

    def __init__(self) -> None:
        self._entries: deque[ErrorEntry] = deque(maxlen=MAX_ERRORS)
        self._seen: dict[str, RomaError] = {}

    def observe(self, request: str, error: RomaError | None, at: datetime) -> None:
        if error is None:
            self._seen.pop(request, None)
            return
        if self._seen.get(request) is error:
            return
        self._seen[request] = error
        self._entries.append(ErrorEntry(at, request, error))

    def newest_first(self) -> list[ErrorEntry]:
        return list(reversed(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


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
