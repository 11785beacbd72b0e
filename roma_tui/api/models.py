"""Pydantic v2 wire models: each ROMA Connect response exactly as the server sends it.

Tolerant on purpose, because real responses are untidy: unknown fields are ignored, any field may
be null or missing, and a scalar of the wrong type becomes None instead of failing the whole
response. No cleaning happens here (placeholders, epochs, zone strings, statuses): that is
roma_tui.monitor.mapping's job. Every *Response keeps the decoded JSON it came from (`raw`).

Must not import roma_tui.monitor, textual or httpx.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from roma_tui.api.errors import BadResponseError

__all__ = [
    "CreationProgressResponse",
    "InstanceListPage",
    "InstanceListResponse",
    "ListedInstance",
    "ProgressInstance",
    "ProgressItem",
]


def _or_none(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Validate as usual; anything that does not fit becomes None."""
    try:
        return handler(value)
    except ValidationError:
        return None


#: How many rounds of "null the fields that failed, validate again" a model gets.
_MAX_ROUNDS = 4


def _number(value: Any) -> Any:
    """JSON booleans are not numbers; whole floats (and rounded ones) are fine as ints."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return round(value) if math.isfinite(value) else None
    return value


def _objects(value: Any) -> Any:
    """A list of JSON objects: a non-list becomes None, non-object members are dropped."""
    if not isinstance(value, list):
        return None
    return [v for v in value if isinstance(v, dict)]


def _object_list(value: Any) -> list[Any]:
    return _objects(value) or []


_Lenient = WrapValidator(_or_none)

# Scalar fields are lenient through `_Wire._lenient` (one Python call per object, not one per
# field): a field whose value does not fit is nulled and the object validated again.
Str = str | None
Int = Annotated[int | None, BeforeValidator(_number)]
Bool = bool | None
#: A time as sent: ms or s epoch, or a string. Decoded by the mapping.
Stamp = Annotated[int | str | None, BeforeValidator(_number)]
#: Zones as sent: a real list, a JSON array inside a string, or a comma list.
Zones = list[str] | str | None
#: Charging mode as sent: 0/1 or "postPaid"/"prePaid".
Charging = Annotated[int | str | None, BeforeValidator(_number)]


class _Wire(BaseModel):
    """Every field optional; a field whose value does not fit becomes None, not an error."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, frozen=True)

    @model_validator(mode="wrap")
    @classmethod
    def _lenient(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """Validate; on errors, null each top-level field that failed and validate again.

        Same result as a lenient validator on every field (each field is validated on its
        own), at the price of one Python call per object instead of one per field.
        """
        for _ in range(_MAX_ROUNDS):
            try:
                return handler(data)
            except ValidationError as exc:
                if not isinstance(data, dict):
                    raise
                keys = {err["loc"][0] for err in exc.errors() if err["loc"]}
                failed = {key for key in keys if key in data and data[key] is not None}
                if not failed or len(keys) != len(failed):
                    raise
                data = {**data, **dict.fromkeys(failed)}
        return handler(data)


class _Response(_Wire):
    """Shared by every top-level response: `parse()` and `raw`."""

    _what: ClassVar[str] = "response"
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @classmethod
    def parse(cls, data: object) -> Self:
        """Validate a decoded JSON value; BadResponseError when it is not this response at all."""
        if not isinstance(data, dict):
            kind = "null" if data is None else type(data).__name__
            raise BadResponseError(f"{cls._what} response is not a JSON object (got {kind})")
        try:
            model = cls.model_validate(data)
        except ValidationError as exc:  # pragma: no cover - every field is lenient
            raise BadResponseError(
                f"{cls._what} response has an unexpected shape ({exc.error_count()} errors)"
            ) from None
        model._raw = data
        return model

    @property
    def raw(self) -> dict[str, Any]:
        """The decoded JSON exactly as received (empty unless built by `parse`)."""
        return self._raw


# --- GET /v2/{project_id}/instances ---------------------------------------------------------


class ListedInstance(_Wire):
    """One `instances[]` member of the list (snake_case, string times)."""

    id: Str = None
    name: Str = None
    description: Str = None
    flavor_id: Str = None
    flavor_type: Str = None
    cpu_arch: Str = None
    vpc_id: Str = None
    subnet_id: Str = None
    security_group_id: Str = None
    publicip_enable: Bool = None
    publicip_id: Str = None
    publicip_address: Str = None
    status: Str = None
    error_code: Str = None
    error_msg: Str = None
    charge_type: Charging = None
    project_id: Str = None
    create_time: Stamp = None
    update_time: Stamp = None
    maintain_begin: Str = None
    maintain_end: Str = None
    available_zone_ids: Zones = None
    enterprise_project_id: Str = None


class InstanceListResponse(_Response):
    """`{total, size, instances[]}`; one page, or all pages merged by the client."""

    _what: ClassVar[str] = "instance list"

    total: Int = None
    size: Int = None
    instances: Annotated[list[ListedInstance], BeforeValidator(_object_list)] = []


class InstanceListPage(_Response):
    """One page of the list while the client pages through it: only the paging fields are
    validated; the members stay in `raw["instances"]` (the merged list is validated once,
    as an `InstanceListResponse`)."""

    _what: ClassVar[str] = "instance list"

    total: Int = None
    size: Int = None


# --- GET /v2/{project_id}/instances/{instance_id}/process ------------------------------------


class ProgressItem(_Wire):
    """One `item[]` sub-service (`mqs`, `lvs`, ...) of the creation progress."""

    name: Str = None
    start_time: Stamp = None
    end_time: Stamp = None
    status: Str = None
    taken_time: Int = None
    progress: Int = None
    error_msg: Str = None
    error_code: Str = None


class ProgressInstance(_Wire):
    """The embedded camelCase `instance` object (~80 fields upstream; the useful ones here).

    snake_case spellings (`instance_id`, as the HCS Terraform provider reads them) work too.
    """

    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True
    )

    instance_id: Str = None
    name: Str = None
    status: Str = None
    type: Str = None
    spec_code: Str = None
    product_id: Str = None
    engine_version: Str = None
    created_at: Stamp = None
    updated_at: Stamp = None
    error_code: Str = None
    error_message: Str = None
    available_zones: Zones = None
    connect_address: Str = None
    ipv6_connect_address: Str = None
    publicip_addr: Str = None
    tenant_vpc_id: Str = None
    tenant_subnet_id: Str = None
    tenant_security_group_id: Str = None
    maintain_begin: Str = None
    maintain_end: Str = None
    charging_mode: Charging = None
    demond_pay: Bool = None  # sic
    pre_pay: Bool = None
    cpu_arch: Str = None
    scope: Str = None
    description: Str = None


class CreationProgressResponse(_Response):
    """The creation progress (snake_case top level, `currentTime` and `instance` camelCase)."""

    _what: ClassVar[str] = "creation progress"

    instance: Annotated[ProgressInstance | None, _Lenient] = None
    current_time: Stamp = Field(None, validation_alias=AliasChoices("currentTime", "current_time"))
    instance_id: Str = None
    name: Str = None
    start_time: Stamp = None
    taken_time: Int = None
    end_time: Stamp = None
    progress: Int = Field(None, validation_alias=AliasChoices("progress", "process"))
    status: Str = None
    item: Annotated[list[ProgressItem] | None, BeforeValidator(_objects)] = None
