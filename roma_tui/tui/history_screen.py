"""The history screen (`h`): what creations usually take, what fails, and the past creations.

The same figures as `roma-tui history` (both come from roma_tui.monitor.history: the store,
and the pure summaries `type_summaries` and `failures`); this screen only lays them out.
Read once when the screen opens. Imports textual, rich and roma_tui.monitor; never httpx.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static

from roma_tui.monitor.history import (
    CreationRecord,
    HistoryStore,
    failures,
    outcome_word,
    type_summaries,
)
from roma_tui.monitor.present import duration, printable, wall_time
from roma_tui.tui.render import short_type
from roma_tui.tui.scroll import KeyScroll

__all__ = ["RECENT", "HistoryScreen", "history_renderables"]

RECENT = 200  # past creations listed (the summaries use them all)

_OUTCOME_STYLE = {"succeeded": "green", "failed": "bold red", "unfinished": "yellow"}


def _table(*columns: tuple[str, str]) -> Table:
    table = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False, header_style="bold dim")
    for label, justify in columns:
        table.add_column(label, justify="right" if justify == "r" else "left", no_wrap=True)
    return table


def _usual(records: list[CreationRecord]) -> Table:
    table = _table(
        ("type", ""), ("region", ""), ("creations", "r"), ("ok", "r"), ("failed", "r"),
        ("median", "r"), ("p90", "r"),
    )  # fmt: skip
    for row in type_summaries(records):
        table.add_row(
            Text(printable(row.type, 14)),
            Text(printable(row.region, 20)),
            str(row.creations),
            str(row.succeeded),
            Text(str(row.failed), style="red" if row.failed else ""),
            duration(row.median),
            duration(row.p90),
        )
    return table


def _failures(records: list[CreationRecord]) -> RenderableType:
    found = failures(records)
    if not found:
        return Text("No failed creations recorded.", style="dim italic")
    table = _table(("sub-service", ""), ("failed", "r"), ("error codes", ""))
    for row in found:
        codes = ", ".join(f"{printable(code, 30)} ×{n}" for code, n in row.codes)
        table.add_row(Text(printable(row.sub_service, 16), style="bold"), str(row.count), codes)
    table.columns[2].no_wrap = False
    return table


def _recent(records: list[CreationRecord]) -> Table:
    table = _table(
        ("started", ""), ("name", ""), ("type", ""), ("region", ""), ("took", "r"),
        ("outcome", ""),
    )  # fmt: skip
    table.columns[1].no_wrap = False
    table.columns[5].no_wrap = False
    for record in records[:RECENT]:
        word = outcome_word(record.outcome)
        outcome = Text(word, style=_OUTCOME_STYLE.get(word, "dark_orange"))
        if record.failed_sub_service or record.error_code:
            why = ": ".join(
                printable(p, 30) for p in (record.failed_sub_service, record.error_code) if p
            )
            outcome.append(f" ({why})", style="red")
        table.add_row(
            wall_time(record.started or record.first_seen)[:16],
            Text(printable(record.name, 40)),
            short_type(record.type),
            Text(printable(record.region, 16)),
            duration(record.took),
            outcome,
        )
    return table


def history_renderables(store: HistoryStore | None) -> Iterable[RenderableType]:
    """Everything the screen shows, in order."""
    if store is None:
        yield Text(
            "The history is off (--no-history, or history = false in the config file): "
            "nothing is recorded, and ETAs come from the progress alone.",
            style="italic",
        )
        return
    if store.problem is not None:
        yield Text(f"✖ {printable(store.problem)}", style="bold red")
        yield Text()
    records = store.creations()
    if not records:
        yield Text(
            "No creations recorded yet: every creation roma-tui watches (here, or with "
            "`roma-tui wait`) is kept, and from three of a type on, ETAs and the detail pane "
            "use what they usually take.",
            style="dim italic",
        )
        return
    yield Text("What creations usually take", style="bold underline")
    yield _usual(records)
    yield Text()
    yield Text("What fails", style="bold underline")
    yield _failures(records)
    yield Text()
    shown = min(len(records), RECENT)
    yield Text(f"Past creations ({shown} of {len(records)}, newest first)", style="bold underline")
    yield _recent(records)


class HistoryScreen(Screen[None]):
    """The history, over the main screen; esc, q or h goes back, the usual keys scroll."""

    DEFAULT_CSS = """
    HistoryScreen #history-box {
        height: 1fr;
        border: round $primary;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,h", "app.pop_screen", "Back"),
    ]

    def __init__(self, store: HistoryStore | None) -> None:
        super().__init__()
        self._store = store

    def compose(self) -> ComposeResult:
        with KeyScroll(id="history-box") as box:
            box.border_title = "History"
            where = self._store.where if self._store is not None else "off"
            box.border_subtitle = Text(printable(where))
            yield Static(Group(*history_renderables(self._store)), id="history-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#history-box").focus()
