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
    as_stamp,
    as_text,
    as_zones,
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


def clean_text(value: object) -> str | None:
    """Terminal-safe text (escape sequences and control characters gone), trimmed, at most
    MAX_TEXT_CHARS long; None for a missing value or a placeholder ("", "#").

    Any JSON value is read as a string field is (`roma_tui.api.models.as_text`)."""
    if not isinstance(value, str):
        value = None if value is None else as_text(value)
        if value is None:
            return None
    if value.isprintable() and len(value) <= MAX_TEXT_CHARS:
        text = value.strip()  # what terminal_safe would give, without the call
    else:
        text = terminal_safe(value.strip(), MAX_TEXT_CHARS).strip()
    return None if text in ("", "#") else text


def parse_time(value: object) -> datetime | None:
    """ms or s epoch, or an ISO-ish string (naive = UTC), as an aware UTC datetime; else None.

    Any JSON value is read as a time field is (`roma_tui.api.models.as_stamp`)."""
    if value is not None and not isinstance(value, str | int):
        value = as_stamp(value)
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


@lru_cache(maxsize=256, typed=True)  # typed: raw values may be 1, 1.0 or True
def _type(type_: object, spec: object) -> str | None:
    """`basic` | `professional` | ..., from `type` or from a spec (ROMA_BASIC, roma.basic.001)."""
    explicit = clean_text(type_)
    if explicit:
        return explicit.lower()
    spec_text = (clean_text(spec) or "").lower()
    return next((t for t in _TYPES if t in spec_text), None)


def _error_code(code: object, status: Status) -> str | None:
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


@lru_cache(maxsize=1024, typed=True)
def _placement(
    flavor_type: object,
    flavor_id: object,
    zones: tuple[str, ...] | str | None,
    vpc_id: object,
    subnet_id: object,
    security_group_id: object,
    charge_type: object,
    maintain_begin: object,
    maintain_end: object,
    cpu_arch: object,
) -> Placement:
    """What the instances of a project mostly share (flavor, zones, network, charging,
    maintenance window, CPU), mapped once for all of them. The values as received, zones
    already read (`as_zones`, as a tuple): `typed` keeps 1, 1.0 and True apart."""
    return (
        _type(flavor_type, flavor_id),
        clean_text(flavor_id),
        _zones(zones),
        clean_text(vpc_id),
        clean_text(subnet_id),
        clean_text(security_group_id),
        _charging(as_stamp(charge_type)),
        clean_text(maintain_begin),
        clean_text(maintain_end),
        clean_text(cpu_arch),
    )


def _hashable(value: object) -> object:
    """A field's raw value as a cache key: None for a JSON object or list where text belongs
    (what its reader makes of it anyway)."""
    return None if isinstance(value, dict | list) else value


def instance_from_listed(m: ListedInstance) -> Instance:
    """A listed instance in domain shape. The hot path (2000 members per refresh, issue 11):
    it reads the JSON object itself, each field with the reader `ListedInstance` uses for it
    (`as_text`, `as_stamp`, `as_zones`, through `clean_text`, `parse_time`, `_placement`)."""
    get = m.raw.get
    status_ = get("status")
    status, raw = _status(status_ if isinstance(status_, str) else as_text(status_))
    zones = as_zones(get("available_zone_ids"))
    shared = (
        get("flavor_type"),
        get("flavor_id"),
        tuple(zones) if isinstance(zones, list) else zones,
        get("vpc_id"),
        get("subnet_id"),
        get("security_group_id"),
        get("charge_type"),
        get("maintain_begin"),
        get("maintain_end"),
        get("cpu_arch"),
    )
    try:
        placement = _placement(*shared)
    except TypeError:  # an unhashable value, where it is wrong anyway
        placement = _placement(*map(_hashable, shared))  # type: ignore[arg-type]
    type_, spec, zones_, vpc, subnet, group, charging, begin, end, cpu = placement
    return Instance(
        id=clean_text(get("id")) or "",
        name=clean_text(get("name")) or "",
        status=status,
        status_raw=raw,
        type=type_,
        spec=spec,
        created=parse_time(get("create_time")),
        updated=parse_time(get("update_time")),
        available_zones=zones_,
        vpc_id=vpc,
        subnet_id=subnet,
        security_group_id=group,
        charging=charging,
        maintain_begin=begin,
        maintain_end=end,
        cpu_arch=cpu,
        description=clean_text(get("description")),
        error_code=_error_code(get("error_code"), status),
        error_msg=clean_text(get("error_msg")),
        public_address=clean_text(get("publicip_address")),
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
