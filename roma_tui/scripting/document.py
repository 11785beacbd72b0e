"""The stable JSON document of `roma-tui status --json` (domain shape, not wire shape).

The schema lives next to this module, in `status.schema.json` (JSON Schema 2020-12), and is
shipped with the package; `load_schema()` returns it. Bump `SCHEMA_VERSION` on any change that
could break a consumer (renamed/removed field, changed type); adding a field is not one.

Imports roma_tui.monitor only; never textual or httpx.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from roma_tui.monitor.present import iso_utc
from roma_tui.monitor.view import InstanceView, SubServiceView

__all__ = [
    "SCHEMA_FILE",
    "SCHEMA_VERSION",
    "DocumentError",
    "instance_document",
    "load_schema",
    "status_document",
]

SCHEMA_VERSION = 2
SCHEMA_FILE = "status.schema.json"


@dataclass(frozen=True, slots=True)
class DocumentError:
    """A problem with one instance (or the list), reported inside the JSON document."""

    kind: str  # "not_found" | "api_error" | "auth_error"
    message: str
    instance_id: str | None = None


def _seconds(span: timedelta | None) -> int | None:
    return None if span is None else max(0, round(span.total_seconds()))


def _sub_service(sub: SubServiceView) -> dict[str, Any]:
    return {
        "name": sub.name,
        "status": sub.state.value,
        "status_raw": sub.raw,
        "progress": sub.progress,
        "started": iso_utc(sub.started),
        "finished": iso_utc(sub.finished),
        "elapsed_seconds": _seconds(sub.took),
        "eta_seconds": _seconds(sub.eta),
        "error_code": sub.error_code,
        "error_msg": sub.error_msg,
    }


def _usual(view: InstanceView) -> dict[str, Any] | None:
    usual = view.usual
    if usual is None:
        return None
    return {
        "type": usual.type,
        "region": usual.region,
        "creations": usual.count,
        "median_seconds": _seconds(usual.median),
        "p90_seconds": _seconds(usual.p90),
    }


def instance_document(view: InstanceView) -> dict[str, Any]:
    """One instance, every field from the view model (what the TUI shows, as data)."""
    reason = view.reason
    return {
        "id": view.id,
        "name": view.name,
        "endpoint": view.key.place.endpoint,
        "project_id": view.key.place.project_id,
        "type": view.instance.type,
        "status": view.status.status.value,
        "status_word": view.status.word,
        "status_meaning": view.status.meaning,
        "status_raw": view.status.raw,
        "progress": view.progress,
        "created": iso_utc(view.created),
        "started": iso_utc(view.started),
        "finished": iso_utc(view.finished),
        "elapsed_seconds": _seconds(view.elapsed),
        "eta_seconds": _seconds(view.eta),
        "eta_low_seconds": _seconds(view.eta_low),
        "eta_high_seconds": _seconds(view.eta_high),
        "eta_at": iso_utc(view.eta_at),
        "eta_basis": view.eta_basis,
        "stalled_seconds": _seconds(view.stalled),
        "stall_usual_seconds": _seconds(view.stall_usual),
        "usual": _usual(view),
        "slower_than_usual": view.slower_than_usual,
        "error_code": reason.code if reason else None,
        "error_msg": reason.message if reason else None,
        "failed_sub_service": reason.sub_service if reason else None,
        "sub_services": [_sub_service(s) for s in view.sub_services],
    }


def status_document(
    views: list[InstanceView],
    now: datetime,
    errors: list[DocumentError] | None = None,
    total: int | None = None,
) -> dict[str, Any]:
    """The whole `status --json` answer (`total`: the server's count of instances)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": iso_utc(now),
        "instances": [instance_document(v) for v in views],
        "instances_total": total,
        "errors": [
            {"instance_id": e.instance_id, "kind": e.kind, "message": e.message}
            for e in errors or ()
        ],
    }


def load_schema() -> dict[str, Any]:
    """The JSON Schema the `status --json` document follows."""
    text = resources.files("roma_tui.scripting").joinpath(SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
