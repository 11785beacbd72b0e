"""`roma-tui history [--json] [--since 30d] [--type T]`: the creations roma-tui has watched.

Three parts, the same as the TUI's `h` screen (the figures come from roma_tui.monitor.history
for both): what creations usually take per type and region (median, p90, how many succeeded
and failed), which sub-service fails most and with which error codes, and the past creations,
newest first, with how long they took and how they ended. `--json` prints one document
following `history.schema.json` instead.

Reads the database only: it never creates one (no history yet is an empty answer, exit 0).
Exit codes: 0 ok; 1 the database cannot be read (one line on `err` says why).
Imports roma_tui.monitor and rich only; never textual or httpx.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from importlib import resources
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from roma_tui.monitor.history import (
    CreationRecord,
    HistoryStore,
    failures,
    outcome_word,
    type_summaries,
)
from roma_tui.monitor.present import iso_utc, printable, wall_time
from roma_tui.scripting.render import fmt_duration, make_console, wants_plain
from roma_tui.scripting.status import say

__all__ = ["HISTORY_SCHEMA_VERSION", "history_document", "load_history_schema", "run_history"]

HISTORY_SCHEMA_VERSION = 1
SCHEMA_FILE = "history.schema.json"
EXIT_OK, EXIT_UNREADABLE = 0, 1


def _seconds(span: timedelta | None) -> int | None:
    return None if span is None else max(0, round(span.total_seconds()))


def _creation(record: CreationRecord) -> dict[str, Any]:
    return {
        "instance_id": record.instance_id,
        "name": record.name,
        "type": record.type,
        "spec": record.spec,
        "endpoint": record.endpoint,
        "project_id": record.project_id,
        "region": record.region,
        "started": iso_utc(record.started),
        "finished": iso_utc(record.finished),
        "took_seconds": _seconds(record.took),
        "outcome": outcome_word(record.outcome),
        "status": record.outcome,
        "error_code": record.error_code,
        "error_msg": record.error_msg,
        "failed_sub_service": record.failed_sub_service,
        "last_seen": iso_utc(record.seen),
        "sub_services": [
            {
                "name": sub.name,
                "started": iso_utc(sub.started),
                "finished": iso_utc(sub.finished),
                "took_seconds": _seconds(sub.took),
                "status": sub.outcome,
                "error_code": sub.error_code,
                "error_msg": sub.error_msg,
            }
            for sub in record.subs
        ],
    }


def history_document(
    records: list[CreationRecord],
    now: datetime,
    *,
    database: str,
    since: datetime | None,
    kind: str | None,
) -> dict[str, Any]:
    """The whole `history --json` answer."""
    return {
        "schema_version": HISTORY_SCHEMA_VERSION,
        "generated_at": iso_utc(now),
        "database": database,
        "since": iso_utc(since),
        "type": kind,
        "typical": [
            {
                "type": row.type,
                "region": row.region,
                "creations": row.creations,
                "succeeded": row.succeeded,
                "failed": row.failed,
                "median_seconds": _seconds(row.median),
                "p90_seconds": _seconds(row.p90),
            }
            for row in type_summaries(records)
        ],
        "failures": [
            {
                "sub_service": row.sub_service,
                "count": row.count,
                "error_codes": [{"code": code, "count": n} for code, n in row.codes],
            }
            for row in failures(records)
        ],
        "creations": [_creation(record) for record in records],
    }


def load_history_schema() -> dict[str, Any]:
    """The JSON Schema the `history --json` document follows."""
    text = resources.files("roma_tui.scripting").joinpath(SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


WIDE = 110  # from this many columns on (or with several regions), the past creations get one


def _table(*columns: str, right: tuple[int, ...] = (), fold: tuple[int, ...] = ()) -> Table:
    """Columns in `fold` wrap their text; the others stay on one line."""
    table = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False, header_style="bold")
    for index, label in enumerate(columns):
        table.add_column(
            label,
            justify="right" if index in right else "left",
            overflow="fold",
            no_wrap=index not in fold,
            ratio=1 if index in fold else None,
        )
    return table


def _past(records: list[CreationRecord], width: int) -> Table:
    """The past creations, newest first; the region gets a column when there is room or need."""
    regions = len({r.region for r in records}) > 1 or width >= WIDE
    head = ["STARTED", "NAME", "TYPE", *(["REGION"] if regions else []), "TOOK", "OUTCOME"]
    took = head.index("TOOK")
    table = _table(*head, right=(took,), fold=(1, len(head) - 1))
    for record in records:
        outcome = outcome_word(record.outcome)
        why = [p for p in (record.failed_sub_service, record.error_code) if p]
        if why:
            outcome += f" ({printable(': '.join(why))})"
        cells: list[Text | str] = [
            wall_time(record.started or record.first_seen, unknown="-")[:16],
            Text(printable(record.name)),
            Text(printable(record.type or "-")),
            *([Text(printable(record.region))] if regions else []),
            fmt_duration(record.took),
            Text(outcome),
        ]
        table.add_row(*cells)
    return table


def _print(console: Console, records: list[CreationRecord], plain: bool) -> None:
    bold = "" if plain else "bold"
    console.print(Text("What creations usually take", style=bold))
    usual = _table(
        "TYPE", "REGION", "CREATIONS", "OK", "FAILED", "MEDIAN", "P90", right=(2, 3, 4, 5, 6)
    )
    for row in type_summaries(records):
        usual.add_row(
            Text(printable(row.type)),
            Text(printable(row.region)),
            str(row.creations),
            str(row.succeeded),
            str(row.failed),
            fmt_duration(row.median),
            fmt_duration(row.p90),
        )
    console.print(usual)
    console.print()
    console.print(Text("What fails", style=bold))
    found = failures(records)
    if not found:
        console.print("no failed creations recorded")
    else:
        table = _table("SUB-SERVICE", "FAILED", "ERROR CODES", right=(1,), fold=(2,))
        for failure in found:
            codes = ", ".join(f"{printable(code)} x{n}" for code, n in failure.codes)
            table.add_row(Text(printable(failure.sub_service)), str(failure.count), Text(codes))
        console.print(table)
    console.print()
    console.print(Text("Past creations (newest first)", style=bold))
    console.print(_past(records, console.width))


def run_history(
    store: HistoryStore | None,
    now: datetime,
    *,
    database: str,
    since: timedelta | None,
    kind: str | None,
    as_json: bool,
    out: TextIO,
    err: TextIO,
    is_tty: bool | None = None,
) -> int:
    """Print the history in `store` (None: there is no database yet); the exit code."""
    if store is not None and store.problem is not None:
        say(err, f"error: {store.problem}")
        return EXIT_UNREADABLE
    start = now - since if since is not None else None
    records = store.creations(since=start, kind=kind) if store is not None else []
    if store is not None and store.problem is not None:
        say(err, f"error: {store.problem}")
        return EXIT_UNREADABLE
    if as_json:
        document = history_document(records, now, database=database, since=start, kind=kind)
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        out.flush()
        return EXIT_OK
    if not records:
        what = f" of type {printable(kind)}" if kind else ""
        when = f" since {iso_utc(start)}" if start is not None else ""
        say(err, f"no creations{what}{when} recorded in {printable(database)}")
        return EXIT_OK
    plain = wants_plain(out, is_tty)
    sink: TextIO = io.StringIO() if plain else out
    console = make_console(sink, plain=plain)
    _print(console, records, plain)
    if isinstance(sink, io.StringIO):
        out.writelines(line.rstrip() + "\n" for line in sink.getvalue().splitlines())
    out.flush()
    return EXIT_OK
