"""Wire models: each ROMA Connect response exactly as the server sends it.

Tolerant on purpose, because real responses are untidy: unknown fields are ignored, any field may
be null or missing, and a scalar of the wrong type becomes None instead of failing the whole
response. No cleaning happens here (placeholders, epochs, zone strings, statuses): that is
roma_tui.monitor.mapping's job. Every *Response keeps the decoded JSON it came from (`raw`).

The responses and the progress's parts are pydantic v2 models. The members of the instance
list are not validated at all: `ListedInstance` is a view over each JSON object (2000 of them
per refresh; pydantic took twice as long as `json.loads`, issue 11), its fields read by
`as_text`, `as_stamp`, `as_bool` and `as_zones`, which give what the pydantic types here give.

Must not import roma_tui.monitor, textual or httpx.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    ValidationError,
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
    "as_bool",
    "as_stamp",
    "as_text",
    "as_zones",
]


#: How many rounds of "null the fields that failed, validate again" a response gets.
_MAX_ROUNDS = 8


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


def _object(value: Any) -> Any:
    """A JSON object, or None for anything else."""
    return value if isinstance(value, dict) else None


# Scalar fields are lenient through `_Response.parse` (one Python call per response, not one
# per object or per field): a field whose value does not fit is nulled and the response
# validated again.
Str = str | None
Int = Annotated[int | None, BeforeValidator(_number)]
Bool = bool | None
#: A time as sent: ms or s epoch, or a string. Decoded by the mapping.
Stamp = Annotated[int | str | None, BeforeValidator(_number)]
#: Zones as sent: a real list, a JSON array inside a string, or a comma list.
Zones = list[str] | str | None
#: Charging mode as sent: 0/1 or "postPaid"/"prePaid".
Charging = Annotated[int | str | None, BeforeValidator(_number)]

Path = tuple[str | int, ...]


def _field_path(data: Any, loc: tuple[str | int, ...]) -> Path:
    """The part of an error's location that exists in `data`, up to the last object key: the
    field to null (what follows is pydantic's own detail, such as a union member's name).

    Lists of objects are validated without their other members (`_objects`): the i-th
    validated member is the i-th object of the list as received."""
    path: list[str | int] = []
    node = data
    for step in loc:
        if isinstance(node, dict) and isinstance(step, str) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int):
            objects = [i for i, member in enumerate(node) if isinstance(member, dict)]
            if not 0 <= step < len(objects):
                break
            step = objects[step]
            node = node[step]
        else:
            break
        path.append(step)
    while path and isinstance(path[-1], int):
        path.pop()  # a list member is not a field: null the list's field
    return tuple(path)


def _get(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


def _nulled(data: Any, path: Path) -> Any:
    """A copy of `data` with the value at `path` set to None (only the containers along the
    path are copied: the decoded JSON stays as received, for `raw`)."""
    if not path:
        return None
    head, rest = path[0], path[1:]
    copy: Any = dict(data) if isinstance(data, dict) else list(data)
    copy[head] = _nulled(data[head], rest)
    return copy


class _Wire(BaseModel):
    """Every field optional; a field whose value does not fit becomes None, not an error."""

    # defer_build: each model's validator is built at its first use, not at import (the
    # TUI draws its first frame before the first answer comes)
    model_config = ConfigDict(
        extra="ignore", coerce_numbers_to_str=True, frozen=True, defer_build=True
    )


class _Response(_Wire):
    """Shared by every top-level response: `parse()` and `raw`."""

    _what: ClassVar[str] = "response"
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @classmethod
    def parse(cls, data: object) -> Self:
        """Validate a decoded JSON value; BadResponseError when it is not this response at all.

        Lenient: each field that does not fit, at any depth, is nulled and the response
        validated again: the same result as a lenient validator on every field (each field
        is validated on its own), at the price of one Python call per response instead of one
        per field, and only for answers that have something wrong.
        """
        if not isinstance(data, dict):
            kind = "null" if data is None else type(data).__name__
            raise BadResponseError(f"{cls._what} response is not a JSON object (got {kind})")
        fixed: Any = data
        for _ in range(_MAX_ROUNDS):
            try:
                model = cls.model_validate(fixed)
                break
            except ValidationError as exc:
                paths = {_field_path(fixed, tuple(err["loc"])) for err in exc.errors()}
                done: set[Path] = set()
                for path in sorted(paths, key=len):
                    if any(path[:i] in done for i in range(1, len(path) + 1)):
                        continue  # inside a field nulled already
                    # a value already null that still fails: null the field that holds it
                    while path and _get(fixed, path) is None:
                        path = path[:-1]
                    if path:
                        fixed = _nulled(fixed, path)
                        done.add(path)
                if not done:
                    raise BadResponseError(
                        f"{cls._what} response has an unexpected shape ({exc.error_count()} errors)"
                    ) from None
        else:
            raise BadResponseError(f"{cls._what} response has too many unexpected fields")
        model._raw = data
        return model

    @property
    def raw(self) -> dict[str, Any]:
        """The decoded JSON exactly as received (empty unless built by `parse`)."""
        return self._raw


def as_text(value: Any) -> str | None:
    """A string field as the wire models read it: text, a number as text, else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def as_stamp(value: Any) -> int | str | None:
    """A `Stamp` or `Charging` field: an int or a string (whole floats rounded), else None."""
    value = _number(value)
    return value if isinstance(value, int | str) else None


_BOOLS = {"0": False, "off": False, "f": False, "false": False, "n": False, "no": False}
_BOOLS |= {"1": True, "on": True, "t": True, "true": True, "y": True, "yes": True}


def as_bool(value: Any) -> bool | None:
    """A `Bool` field, as pydantic reads one: true/false, 0/1, "yes"/"no", ..., else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _BOOLS.get(value.lower())
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    return None


def as_zones(value: Any) -> list[str] | str | None:
    """A `Zones` field: a list of strings, or one string (numbers as text), else None."""
    if isinstance(value, list):
        zones = [zone if isinstance(zone, str) else as_text(zone) for zone in value]
        return None if None in zones else zones  # type: ignore[return-value]
    return as_text(value)


_T = TypeVar("_T")


class _Field(Generic[_T]):
    """A field of a view over a JSON object: the value at its name, read by `read`."""

    def __init__(self, read: Callable[[Any], _T]) -> None:
        self.read = read
        self.key = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name

    def __get__(self, obj: ListedInstance, owner: type | None = None) -> _T:
        return self.read(obj.raw.get(self.key))


# --- GET /v2/{project_id}/instances ---------------------------------------------------------


class ListedInstance:
    """One `instances[]` member of the list (snake_case, string times).

    A view over the decoded JSON object, not a validated copy: the list is the hot path
    (2000 members per refresh; issue 11), so roma_tui.monitor.mapping reads `raw` itself
    with the same readers (`as_text`, `as_stamp`, `as_zones`) as these fields, which say
    what the server sends and give each field as the other wire models would.
    """

    __slots__ = ("raw",)

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    id = _Field(as_text)
    name = _Field(as_text)
    description = _Field(as_text)
    flavor_id = _Field(as_text)
    flavor_type = _Field(as_text)
    cpu_arch = _Field(as_text)
    vpc_id = _Field(as_text)
    subnet_id = _Field(as_text)
    security_group_id = _Field(as_text)
    publicip_enable = _Field(as_bool)
    publicip_id = _Field(as_text)
    publicip_address = _Field(as_text)
    status = _Field(as_text)
    error_code = _Field(as_text)
    error_msg = _Field(as_text)
    charge_type = _Field(as_stamp)
    project_id = _Field(as_text)
    create_time = _Field(as_stamp)
    update_time = _Field(as_stamp)
    maintain_begin = _Field(as_text)
    maintain_end = _Field(as_text)
    available_zone_ids = _Field(as_zones)
    enterprise_project_id = _Field(as_text)


def _listed(value: Any) -> list[ListedInstance]:
    return [ListedInstance(member) for member in _object_list(value)]


class InstanceListResponse(_Response):
    """`{total, size, instances[]}`; one page, or all pages merged by the client."""

    _what: ClassVar[str] = "instance list"

    total: Int = None
    size: Int = None
    instances: Annotated[list[ListedInstance], PlainValidator(_listed)] = []


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

    instance: Annotated[ProgressInstance | None, BeforeValidator(_object)] = None
    current_time: Stamp = Field(None, validation_alias=AliasChoices("currentTime", "current_time"))
    instance_id: Str = None
    name: Str = None
    start_time: Stamp = None
    taken_time: Int = None
    end_time: Stamp = None
    progress: Int = Field(None, validation_alias=AliasChoices("progress", "process"))
    status: Str = None
    item: Annotated[list[ProgressItem] | None, BeforeValidator(_objects)] = None
