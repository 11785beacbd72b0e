"""Wire models -> domain: the one place where the API's untidiness is cleaned up.

Placeholders ("#", "", whitespace) become None, epochs (ms or s) and time strings become aware UTC
datetimes (0 = not set), zones arrive as lists, JSON-in-a-string or comma lists, progress is
clamped to 0..100, statuses are normalised with their raw spelling kept, and every string that may
reach a screen is made terminal-safe (`roma_tui.api.safetext`: escape sequences and control
characters gone).

Imports roma_tui.api (models, safetext, limits) and roma_tui.monitor.domain only; never textual
or httpx.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache

from roma_tui.api.limits import MAX_TEXT_CHARS
from roma_tui.api.models import (
    CreationProgressResponse,
    ListedInstance,
    ProgressInstance,
    ProgressItem,
)
from roma_tui.api.safetext import terminal_safe
from roma_tui.monitor.domain import CreationProgress, Instance, Status, SubService, normalise_status

__all__ = [
    "clean_text",
    "instance_from_listed",
    "instance_from_progress",
    "parse_time",
    "progress_from_wire",
]

_TYPES = ("basic", "professional", "enterprise", "platinum")
_JOB_ID = re.compile(r"^JOB-", re.IGNORECASE)
_MS_THRESHOLD = 1e11  # larger than this is a millisecond epoch (1e11 s is the year 5138)
_ON_DEMAND = "on demand"
_PERIODIC = "yearly/monthly"


def clean_text(value: str | None) -> str | None:
    """Terminal-safe text (escape sequences and control characters gone), trimmed, at most
    MAX_TEXT_CHARS long; None for a missing value or a placeholder ("", "#")."""
    if value is None:
        return None
    text = terminal_safe(value.strip(), MAX_TEXT_CHARS).strip()
    return None if text in ("", "#") else text


def parse_time(value: int | str | None) -> datetime | None:
    """ms or s epoch, or an ISO-ish string (naive = UTC), as an aware UTC datetime; else None."""
    if isinstance(value, str):
        if value[-1:] == "Z" and value.isprintable():  # the list's usual "...T12:01:13.785Z"
            try:
                return datetime.fromisoformat(value)  # aware, in UTC
            except ValueError:
                pass
        text = clean_text(value)
        if text is None:
            return None
        if text.lstrip("-").isdigit():
            return parse_time(int(text))
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    if value is None or isinstance(value, bool) or value <= 0:
        return None
    seconds = value / 1000 if value > _MS_THRESHOLD else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _zones(value: list[str] | tuple[str, ...] | str | None) -> tuple[str, ...]:
    if isinstance(value, str):
        text = value.strip()
        parts: list[object] = []
        if text.startswith("["):
            try:
                decoded = json.loads(text)
            except ValueError:
                decoded = None
            if isinstance(decoded, list):
                parts = decoded
            else:
                parts = [p.strip().strip("\"'") for p in text.strip("[]").split(",")]
        else:
            parts = list(text.split(","))
        value = [p for p in parts if isinstance(p, str)]
    zones = (clean_text(z) for z in value or ())
    return tuple(z for z in zones if z)


def _percent(value: int | None) -> int:
    return 0 if value is None else max(0, min(100, value))


def _minutes(value: int | None) -> int | None:
    """`taken_time`: whole minutes (the seed shows 1 after 30 s); 0 or less is "not set"."""
    return value if value is not None and value > 0 else None


@lru_cache(maxsize=256)  # a few spellings recur in every list: map each once
def _status(raw: str | None) -> tuple[Status, str]:
    text = clean_text(raw) or ""
    return normalise_status(text), text


def _charging(
    mode: int | str | None, on_demand: bool | None = None, prepaid: bool | None = None
) -> str | None:
    """0 / "postPaid" / demondPay -> on demand; 1 / "prePaid" / prePay -> yearly/monthly.

    The explicit booleans win: the progress endpoint's numeric `chargingMode` disagrees with
    them in the documented example (1 with demondPay true)."""
    if on_demand:
        return _ON_DEMAND
    if prepaid:
        return _PERIODIC
    text = clean_text(str(mode)) if mode is not None else None
    if text is None:
        return None
    key = text.lower().replace("_", "").replace("-", "")
    if key in ("0", "postpaid", "ondemand", "demondpay"):
        return _ON_DEMAND
    if key in ("1", "prepaid", "prepay"):
        return _PERIODIC
    return text


@lru_cache(maxsize=256)
def _type(type_: str | None, spec: str | None) -> str | None:
    """`basic` | `professional` | ..., from `type` or from a spec (ROMA_BASIC, roma.basic.001)."""
    explicit = clean_text(type_)
    if explicit:
        return explicit.lower()
    spec_text = (clean_text(spec) or "").lower()
    return next((t for t in _TYPES if t in spec_text), None)


def _error_code(code: str | None, status: Status) -> str | None:
    """A job id parked in `errorCode` while the instance is being built is not an error."""
    text = clean_text(code)
    if text and _JOB_ID.match(text) and status is not Status.FAILED:
        return None
    return text


Placement = tuple[
    str | None,  # type
    str | None,  # spec
    tuple[str, ...],  # zones
    str | None,  # VPC
    str | None,  # subnet
    str | None,  # security group
    str | None,  # charging
    str | None,  # maintenance begins
    str | None,  # maintenance ends
    str | None,  # CPU architecture
]


@lru_cache(maxsize=1024)
def _placement(
    flavor_type: str | None,
    flavor_id: str | None,
    zones: tuple[str, ...] | str | None,
    vpc_id: str | None,
    subnet_id: str | None,
    security_group_id: str | None,
    charge_type: int | str | None,
    maintain_begin: str | None,
    maintain_end: str | None,
    cpu_arch: str | None,
) -> Placement:
    """What the instances of a project mostly share (flavor, zones, network, charging,
    maintenance window, CPU), mapped once for all of them."""
    return (
        _type(flavor_type, flavor_id),
        clean_text(flavor_id),
        _zones(zones),
        clean_text(vpc_id),
        clean_text(subnet_id),
        clean_text(security_group_id),
        _charging(charge_type),
        clean_text(maintain_begin),
        clean_text(maintain_end),
        clean_text(cpu_arch),
    )


def instance_from_listed(m: ListedInstance) -> Instance:
    status, raw = _status(m.status)
    zones = m.available_zone_ids
    type_, spec, zones_, vpc, subnet, group, charging, begin, end, cpu = _placement(
        m.flavor_type,
        m.flavor_id,
        tuple(zones) if isinstance(zones, list) else zones,
        m.vpc_id,
        m.subnet_id,
        m.security_group_id,
        m.charge_type,
        m.maintain_begin,
        m.maintain_end,
        m.cpu_arch,
    )
    return Instance(
        id=clean_text(m.id) or "",
        name=clean_text(m.name) or "",
        status=status,
        status_raw=raw,
        type=type_,
        spec=spec,
        created=parse_time(m.create_time),
        updated=parse_time(m.update_time),
        available_zones=zones_,
        vpc_id=vpc,
        subnet_id=subnet,
        security_group_id=group,
        charging=charging,
        maintain_begin=begin,
        maintain_end=end,
        cpu_arch=cpu,
        description=clean_text(m.description),
        error_code=_error_code(m.error_code, status),
        error_msg=clean_text(m.error_msg),
        public_address=clean_text(m.publicip_address),
    )


def instance_from_progress(m: ProgressInstance) -> Instance:
    status, raw = _status(m.status)
    return Instance(
        id=clean_text(m.instance_id) or "",
        name=clean_text(m.name) or "",
        status=status,
        status_raw=raw,
        type=_type(m.type, m.spec_code),
        spec=clean_text(m.spec_code),
        created=parse_time(m.created_at),
        updated=parse_time(m.updated_at),
        available_zones=_zones(m.available_zones),
        connect_address=clean_text(m.connect_address) or clean_text(m.ipv6_connect_address),
        vpc_id=clean_text(m.tenant_vpc_id),
        subnet_id=clean_text(m.tenant_subnet_id),
        security_group_id=clean_text(m.tenant_security_group_id),
        charging=_charging(m.charging_mode, m.demond_pay, m.pre_pay),
        maintain_begin=clean_text(m.maintain_begin),
        maintain_end=clean_text(m.maintain_end),
        cpu_arch=clean_text(m.cpu_arch),
        description=clean_text(m.description),
        error_code=_error_code(m.error_code, status),
        error_msg=clean_text(m.error_message),
        public_address=clean_text(m.publicip_addr),
    )


def _sub_service(m: ProgressItem) -> SubService:
    status, raw = _status(m.status)
    return SubService(
        name=clean_text(m.name) or "",
        status=status,
        status_raw=raw,
        progress=_percent(m.progress),
        started=parse_time(m.start_time),
        finished=parse_time(m.end_time),
        error_code=clean_text(m.error_code),
        error_msg=clean_text(m.error_msg),
        taken_minutes=_minutes(m.taken_time),
    )


def progress_from_wire(m: CreationProgressResponse) -> CreationProgress:
    """The progress in domain shape. Ids and names: the top level, else the embedded
    `instance` (the HCS Terraform variant sends only `instance` and `process`). Each status
    stays with the part that sent it: roma_tui.monitor.view decides which one wins."""
    inner = instance_from_progress(m.instance) if m.instance is not None else None
    instance_id = clean_text(m.instance_id) or (inner.id if inner else "")
    name = clean_text(m.name) or (inner.name if inner else "")
    status, raw = _status(m.status)
    if inner is not None:
        inner = replace(inner, id=inner.id or instance_id, name=inner.name or name)
    return CreationProgress(
        instance_id=instance_id,
        name=name,
        status=status,
        status_raw=raw,
        progress=_percent(m.progress),
        started=parse_time(m.start_time),
        finished=parse_time(m.end_time),
        server_time=parse_time(m.current_time),
        sub_services=tuple(_sub_service(item) for item in m.item or ()),
        instance=inner,
        taken_minutes=_minutes(m.taken_time),
    )
