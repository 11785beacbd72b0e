"""Wire models: the seed page's example parses exactly, and untidy responses never crash."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from helpers import view_of
from hypothesis import given, settings
from hypothesis import strategies as st

from roma_tui.api.errors import BadResponseError
from roma_tui.api.models import (
    Bool,
    Charging,
    CreationProgressResponse,
    InstanceListPage,
    InstanceListResponse,
    Stamp,
    Str,
    Zones,
    _Response,
)
from roma_tui.monitor.domain import Status
from roma_tui.monitor.mapping import progress_from_wire

SEED_COPY = Path(__file__).parent / "data" / "seed_process_page.txt"
SEED_SHARED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_ee23e05c3a08f570.txt"
EXAMPLE_HEADER = "响应示例"
STATUS_TABLE = "状态码"


def seed_json() -> dict[str, Any]:
    """The response example, verbatim, between its header and the trailing status table."""
    page = SEED_COPY.read_text(encoding="utf-8")
    after_header = page[page.index(EXAMPLE_HEADER) :]
    start = after_header.index("{")
    value, end = json.JSONDecoder().raw_decode(after_header, start)
    assert after_header[end:].lstrip().startswith(STATUS_TABLE)
    assert isinstance(value, dict)
    return value


def test_seed_copy_is_verbatim() -> None:
    if not SEED_SHARED.exists():
        pytest.skip("../shared/seed is not next to this checkout")
    assert SEED_COPY.read_bytes() == SEED_SHARED.read_bytes()


def test_seed_example_parses_exactly() -> None:
    data = seed_json()
    wire = CreationProgressResponse.parse(data)
    assert wire.raw == data
    assert wire.instance is not None
    assert wire.instance.error_code == "JOB-0d42a6bc-3f3d-446a-8351-00a110f56137"
    assert wire.instance.charging_mode == 1
    assert wire.instance.demond_pay is True

    p = progress_from_wire(wire)
    assert p.instance_id == "b037d389-62a4-464a-8461-c88797ad4f23"
    assert p.name == "roma-2222"
    assert (p.status, p.status_raw) == (Status.CREATING, "creating")
    assert p.progress == 0
    assert p.started == datetime(2025, 3, 6, 12, 1, 13, 785000, tzinfo=UTC)
    assert p.finished is None
    assert p.server_time == datetime(2025, 3, 6, 12, 1, 43, 894000, tzinfo=UTC)

    mqs, lvs = p.sub_services
    assert (mqs.name, mqs.status, mqs.started, mqs.finished) == ("mqs", Status.CREATING, None, None)
    assert (lvs.name, lvs.status_raw, lvs.progress) == ("lvs", "creating", 0)
    assert lvs.started == datetime(2025, 3, 6, 12, 1, 13, 785000, tzinfo=UTC)
    assert lvs.finished is None
    assert all(s.error_code is None and s.error_msg is None for s in p.sub_services)
    assert (p.taken_minutes, lvs.taken_minutes, mqs.taken_minutes) == (1, 1, None)

    inst = p.instance
    assert inst is not None
    assert (inst.id, inst.name) == (p.instance_id, "roma-2222")
    assert (inst.status, inst.status_raw) == (Status.CREATING, "CREATING")
    assert inst.available_zones == ("az0.dc0",)
    assert (inst.type, inst.spec) == ("basic", "roma.basic.001")
    assert inst.created == datetime(2025, 3, 6, 12, 1, 13, 785000, tzinfo=UTC)
    assert inst.updated == datetime(2025, 3, 6, 12, 1, 15, 453000, tzinfo=UTC)
    assert inst.error_code is None  # the job id is not an error
    assert inst.error_msg is None
    assert inst.connect_address is None
    assert inst.vpc_id == "f33728c1-e774-4a9b-a0bb-30b840645628"
    assert inst.subnet_id == "f65009c8-7009-403c-abdf-3100f9817762"
    assert inst.security_group_id == "272338c9-b3ee-41ae-a2b6-3942f31030da"
    assert (inst.maintain_begin, inst.maintain_end) == ("12:01:13", "12:01:13")
    assert (inst.charging, inst.cpu_arch, inst.description) == ("on demand", "x86_64", None)


def test_seed_placeholders_are_ignored_and_raw_is_kept() -> None:
    data = seed_json()
    wire = CreationProgressResponse.parse(data)
    # "#" fields are not modelled as values anyone sees; the raw view still has them
    assert wire.raw["instance"]["resVpcId"] == "#"
    assert wire.raw["instance"]["epIdOrDefault"] == "0"


def test_nulls_everywhere() -> None:
    data: dict[str, Any] = {
        "instance": {k: None for k in ("instanceId", "name", "status", "availableZones")},
        "currentTime": None,
        "instance_id": None,
        "name": None,
        "start_time": None,
        "taken_time": None,
        "end_time": None,
        "progress": None,
        "status": None,
        "item": [dict.fromkeys(("name", "status", "start_time", "progress", "error_code"))],
    }
    p = progress_from_wire(CreationProgressResponse.parse(data))
    assert (p.instance_id, p.name, p.status, p.status_raw, p.progress) == (
        "",
        "",
        Status.UNKNOWN,
        "",
        0,
    )
    assert (p.started, p.finished, p.server_time) == (None, None, None)
    (sub,) = p.sub_services
    assert (sub.name, sub.status, sub.progress, sub.started, sub.error_code) == (
        "",
        Status.UNKNOWN,
        0,
        None,
        None,
    )
    assert p.instance is not None
    assert p.instance.available_zones == ()


@pytest.mark.parametrize("data", [{}, {"item": None}, {"instance": None, "item": []}])
def test_missing_fields_and_null_item(data: dict[str, Any]) -> None:
    p = progress_from_wire(CreationProgressResponse.parse(data))
    assert p.sub_services == ()
    assert p.instance is None
    assert p.status is Status.UNKNOWN


def test_wrong_typed_fields_become_none_not_errors() -> None:
    data = {
        "instance_id": {"oops": 1},
        "name": ["x"],
        "status": 7,  # numbers become text: shown raw, normalised as unknown
        "progress": "abc",
        "start_time": True,
        "end_time": [],
        "currentTime": "not a time",
        "instance": "not an object",
        "item": [
            "junk",
            {"name": "mqs", "progress": {"a": 1}, "start_time": "1741262473785", "status": None},
        ],
    }
    wire = CreationProgressResponse.parse(data)
    assert (wire.instance_id, wire.name, wire.progress, wire.start_time) == (None, None, None, None)
    assert wire.instance is None
    p = progress_from_wire(wire)
    assert (p.status, p.status_raw, p.progress) == (Status.UNKNOWN, "7", 0)
    assert p.server_time is None
    (mqs,) = p.sub_services
    assert mqs.progress == 0
    assert mqs.started == datetime(2025, 3, 6, 12, 1, 13, 785000, tzinfo=UTC)


def test_terraform_short_variant() -> None:
    data = {
        "instance": {
            "instance_id": "abc",
            "name": "tf-made",
            "status": "CREATE_FAILED",
            "errorCode": "ROMA.0001",
            "errorMessage": "quota exceeded",
        },
        "process": 42,
    }
    p = progress_from_wire(CreationProgressResponse.parse(data))
    assert (p.instance_id, p.name, p.progress) == ("abc", "tf-made", 42)
    assert p.status is Status.UNKNOWN  # no top-level status: the view model uses `instance`
    assert p.instance is not None
    assert (p.instance.status, p.instance.status_raw) == (Status.FAILED, "CREATE_FAILED")
    assert (p.instance.error_code, p.instance.error_msg) == ("ROMA.0001", "quota exceeded")
    view = view_of(None, p)
    assert (view.status.status, view.status.source) == (Status.FAILED, "instance")
    assert view.reason is not None and view.reason.text() == "ROMA.0001: quota exceeded"


def test_list_shape_with_paging_fields() -> None:
    data = {
        "total": 3,
        "size": 2,
        "instances": [
            {
                "id": "i-1",
                "name": "one",
                "status": "RUNNING",
                "flavor_id": "00400-30101-0--0",
                "flavor_type": "professional",
                "cpu_arch": "aarch64",
                "create_time": "2025-03-06T12:01:13Z",
                "update_time": "2025-03-06 12:05:00",
                "available_zone_ids": ["az1", "az2"],
                "publicip_enable": True,
                "publicip_address": "203.0.113.7",
                "charge_type": "postPaid",
                "error_code": "",
                "unknown_new_field": {"nested": True},
            },
            {"id": "i-2", "status": "DELETE_FALIED", "create_time": None},
        ],
    }
    wire = InstanceListResponse.parse(data)
    assert (wire.total, wire.size, len(wire.instances)) == (3, 2, 2)
    assert wire.instances[0].publicip_enable is True
    assert wire.raw is data


@pytest.mark.parametrize("instances", [None, "nope", 5])
def test_list_instances_not_a_list(instances: object) -> None:
    wire = InstanceListResponse.parse({"total": 0, "size": 0, "instances": instances})
    assert wire.instances == []


@pytest.mark.parametrize(
    ("model", "what"),
    [
        (CreationProgressResponse, "creation progress"),
        (InstanceListResponse, "instance list"),
        (InstanceListPage, "instance list"),
    ],
)
@pytest.mark.parametrize(("data", "kind"), [([], "list"), ("<html>", "str"), (None, "null")])
def test_parse_hopeless_shapes(model: Any, what: str, data: object, kind: str) -> None:
    with pytest.raises(BadResponseError) as info:
        model.parse(data)
    assert info.value.message == f"{what} response is not a JSON object (got {kind})"
    assert "\n" not in str(info.value)


def test_every_wrong_field_becomes_none_and_the_rest_survive() -> None:
    """Several bad fields in one object, in nested objects too: each one alone is nulled."""
    member = {
        "id": "i-1",
        "name": {"not": "text"},
        "status": "RUNNING",
        "create_time": True,
        "update_time": 1741262473785.0,
        "charge_type": 2.6,
        "available_zone_ids": ["az1", None],
        "publicip_enable": "maybe",
        "vpc_id": 42,
    }
    wire = InstanceListResponse.parse({"total": [], "size": 1.0, "instances": [member, 3]})
    (m,) = wire.instances
    assert (wire.total, wire.size) == (None, 1)
    assert (m.id, m.name, m.status, m.vpc_id) == ("i-1", None, "RUNNING", "42")
    assert (m.create_time, m.update_time, m.charge_type) == (None, 1741262473785, 3)
    assert (m.available_zone_ids, m.publicip_enable) == (None, None)
    progress = CreationProgressResponse.parse(
        {"current_time": "x", "currentTime": {}, "instance": {"instanceId": [], "name": "n"}}
    )
    assert progress.current_time is None
    assert progress.instance is not None
    assert (progress.instance.instance_id, progress.instance.name) == (None, "n")


def test_nulling_a_bad_field_leaves_the_json_as_received() -> None:
    """Bad fields are nulled in a copy: `raw` is what the server sent, whatever the shape of
    the mistake (a value that looks like pydantic's own union detail included)."""
    member = {"id": "i-1", "create_time": {"int": 5}, "update_time": {"str": "x"}}
    data = {"instances": ["junk", member, {"id": "i-2", "name": ["x"]}]}
    before = copy.deepcopy(data)
    wire = InstanceListResponse.parse(data)
    assert [(m.id, m.create_time, m.update_time, m.name) for m in wire.instances] == [
        ("i-1", None, None, None),
        ("i-2", None, None, None),
    ]
    assert wire.raw is data and data == before


def test_a_list_page_keeps_its_members_raw() -> None:
    data = {"total": "250", "size": 100, "instances": [{"id": "a"}, "junk"], "extra": 1}
    page = InstanceListPage.parse(data)
    assert (page.total, page.size) == (250, 100)
    assert page.raw is data


# --- the list's members: views read as pydantic reads the same types (issue 11) --------------


class _PydanticListed(_Response):
    """What `ListedInstance` replaced: the same fields as pydantic wire models, lenient."""

    id: Str = None
    name: Str = None
    publicip_enable: Bool = None
    charge_type: Charging = None
    create_time: Stamp = None
    available_zone_ids: Zones = None


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["yes", "OFF", "t", "0", "1", " 1 ", "#", "", "2025-03-06T12:01:13Z"]),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=5,
)


@settings(max_examples=400, deadline=None)
@given(st.fixed_dictionaries({}, optional=dict.fromkeys(_PydanticListed.model_fields, _JSON)))
def test_a_listed_member_reads_each_field_as_pydantic_would(member: dict[str, Any]) -> None:
    (view,) = InstanceListResponse.parse({"instances": [member]}).instances
    reference = _PydanticListed.parse(member)
    for name in _PydanticListed.model_fields:
        got, want = getattr(view, name), getattr(reference, name)
        assert (got, type(got)) == (want, type(want)), name
