"""Wire -> domain: statuses, times, zones, progress, charging, types, screen-safe text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roma_tui.api.limits import MAX_TEXT_CHARS
from roma_tui.api.models import (
    CreationProgressResponse,
    InstanceListResponse,
    ListedInstance,
    ProgressInstance,
)
from roma_tui.monitor.domain import Status
from roma_tui.monitor.mapping import (
    clean_text,
    instance_from_listed,
    instance_from_progress,
    parse_time,
    progress_from_wire,
)

T0 = datetime(2025, 3, 6, 12, 1, 13, tzinfo=UTC)


def progress(**fields: Any) -> Any:
    return progress_from_wire(CreationProgressResponse.parse(fields))


def embedded(**fields: Any) -> Any:
    return instance_from_progress(ProgressInstance.model_validate(fields))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CREATING", Status.CREATING),
        ("creating", Status.CREATING),
        ("Creating", Status.CREATING),
        ("Initing", Status.CREATING),
        ("CreateSuccess", Status.CREATING),  # initialising and registering still follow
        ("RUNNING", Status.RUNNING),
        ("Running", Status.RUNNING),
        ("CREATE_FAILED", Status.FAILED),
        ("CreateFail", Status.FAILED),
        ("CreateTimeout", Status.FAILED),
        ("InstallFailed", Status.FAILED),
        ("ERROR", Status.ERROR),  # running abnormally: not a failed creation
        ("Unhealthy", Status.ERROR),
        ("DELETE_FAILED", Status.ERROR),
        ("DELETE_FALIED", Status.ERROR),
        ("Deleting", Status.DELETING),
        ("DELETING", Status.DELETING),
        ("DELETED", Status.DELETED),
        ("SOFT_DELETED", Status.DELETED),
        ("Frozen", Status.FROZEN),
        ("Updating", Status.CHANGING),
        ("Starting", Status.CHANGING),  # code 35, among Freezing/Frozen: thawing
        ("Hibernating", Status.UNKNOWN),
        ("", Status.UNKNOWN),
    ],
)
def test_status_spellings_keep_the_raw_text(raw: str, expected: Status) -> None:
    p = progress(status=raw, item=[{"name": "mqs", "status": raw}])
    assert (p.status, p.status_raw) == (expected, raw)
    assert (p.sub_services[0].status, p.sub_services[0].status_raw) == (expected, raw)
    listed = instance_from_listed(
        InstanceListResponse.parse({"instances": [{"status": raw}]}).instances[0]
    )
    assert (listed.status, listed.status_raw) == (expected, raw)


def test_each_status_stays_with_the_part_that_sent_it() -> None:
    p = progress(instance={"status": "Running"})  # the view model decides which one wins
    assert (p.status, p.status_raw) == (Status.UNKNOWN, "")
    assert p.instance is not None and (p.instance.status, p.instance.status_raw) == (
        Status.RUNNING,
        "Running",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-5, 0),
        (0, 0),
        (37, 37),
        (100, 100),
        (250, 100),
        ("abc", 0),
        (None, 0),
        ("55", 55),
        (45.6, 46),
    ],
)
def test_progress_is_clamped(value: object, expected: int) -> None:
    assert progress(progress=value).progress == expected
    assert progress(item=[{"progress": value}]).sub_services[0].progress == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, None),
        (None, None),
        ("", None),
        ("#", None),
        ("   ", None),
        ("soon", None),
        (1741262473, T0),
        (1741262473000, T0),
        ("1741262473000", T0),
        ("2025-03-06T12:01:13Z", T0),
        ("2025-03-06T12:01:13", T0),
        ("2025-03-06 12:01:13", T0),
        ("2025-03-06T20:01:13+08:00", T0),
        ("2025-03-06T12:01:13.785Z", T0.replace(microsecond=785000)),
        (10**20, None),
    ],
)
def test_times(value: int | str | None, expected: datetime | None) -> None:
    got = parse_time(value)
    assert got == expected
    if got is not None:
        assert got.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('["az0.dc0"]', ("az0.dc0",)),
        ('["az1", "az2"]', ("az1", "az2")),
        ("[az1, az2]", ("az1", "az2")),
        ("az1, az2,", ("az1", "az2")),
        (["az1", "#", ""], ("az1",)),
        ("", ()),
        ("[]", ()),
        (None, ()),
    ],
)
def test_zones(value: object, expected: tuple[str, ...]) -> None:
    assert embedded(availableZones=value).available_zones == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"chargingMode": 0}, "on demand"),
        ({"chargingMode": "postPaid"}, "on demand"),
        ({"chargingMode": 1, "demondPay": True}, "on demand"),
        ({"chargingMode": 1}, "yearly/monthly"),
        ({"chargingMode": "prePaid"}, "yearly/monthly"),
        ({"chargingMode": 0, "prePay": True}, "yearly/monthly"),
        ({"chargingMode": "spot"}, "spot"),
        ({}, None),
    ],
)
def test_charging(fields: dict[str, Any], expected: str | None) -> None:
    assert embedded(**fields).charging == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"type": "platinum", "specCode": "roma.basic.001"}, "platinum"),
        ({"specCode": "roma.basic.001"}, "basic"),
        ({"specCode": "ROMA_ENTERPRISE"}, "enterprise"),
        ({"specCode": "mystery"}, None),
        ({}, None),
    ],
)
def test_type_from_type_or_spec(fields: dict[str, Any], expected: str | None) -> None:
    assert embedded(**fields).type == expected


def test_job_id_error_code_is_only_an_error_when_failed() -> None:
    job = "JOB-0d42a6bc-3f3d-446a-8351-00a110f56137"
    assert embedded(status="CREATING", errorCode=job).error_code is None
    assert embedded(status="CREATE_FAILED", errorCode=job).error_code == job
    assert embedded(status="CREATING", errorCode="ROMA.1234").error_code == "ROMA.1234"


def test_sub_service_errors() -> None:
    p = progress(
        item=[
            {"name": "mqs", "status": "failed", "error_code": "MQS.01", "error_msg": "no quota"},
            {"name": "lvs", "status": "creating", "error_code": "", "error_msg": "  "},
        ]
    )
    mqs, lvs = p.sub_services
    assert (mqs.error_code, mqs.error_msg) == ("MQS.01", "no quota")
    assert (lvs.error_code, lvs.error_msg) == (None, None)
    assert (mqs.status, lvs.status) == (Status.FAILED, Status.CREATING)


def test_escape_sequences_and_control_characters_never_reach_the_screen() -> None:
    # the sequences go whole: no "[31m" or "]0;pwned" left behind to show or to misread
    assert clean_text("evil\x1b[31mred\x07\u202e") == "evilred"
    assert clean_text("two\nlines\ttab") == "two lines tab"
    assert clean_text(" # ") is None
    p = progress(name="roma\x1b]0;pwned\x07-1", status="Creat\x00ing")
    assert p.name == "roma-1"
    assert (p.status, p.status_raw) == (Status.CREATING, "Creating")
    long = clean_text("x" * 50_000)
    assert long is not None and len(long) == MAX_TEXT_CHARS and long.endswith("…")


def test_listed_instance_mapping() -> None:
    data = {
        "total": 1,
        "size": 1,
        "instances": [
            {
                "id": "i-1",
                "name": "one",
                "status": "RUNNING",
                "flavor_id": "00400-30101-0--0",
                "flavor_type": "Professional",
                "cpu_arch": "aarch64",
                "vpc_id": "vpc",
                "create_time": "2025-03-06T12:01:13Z",
                "update_time": "#",
                "available_zone_ids": ["az1", "az2"],
                "publicip_address": "203.0.113.7",
                "charge_type": "postPaid",
                "error_code": "",
                "error_msg": None,
            }
        ],
    }
    inst = instance_from_listed(InstanceListResponse.parse(data).instances[0])
    assert (inst.id, inst.name, inst.status, inst.type) == (
        "i-1",
        "one",
        Status.RUNNING,
        "professional",
    )
    assert (inst.spec, inst.cpu_arch, inst.vpc_id) == ("00400-30101-0--0", "aarch64", "vpc")
    assert (inst.created, inst.updated) == (T0, None)
    assert inst.available_zones == ("az1", "az2")
    assert (inst.charging, inst.public_address) == ("on demand", "203.0.113.7")
    assert (inst.error_code, inst.error_msg) == (None, None)


def test_embedded_instance_borrows_id_and_name_from_the_top_level() -> None:
    p = progress(instance_id="top", name="top-name", instance={"status": "CREATING"})
    assert p.instance is not None
    assert (p.instance.id, p.instance.name) == ("top", "top-name")


_LISTED_FIELDS = [n for n in vars(ListedInstance) if not n.startswith("_") and n != "raw"]
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**14), max_value=10**14)
    | st.floats()
    | st.text(max_size=6)
    | st.sampled_from(["#", " x ", "\x1b]0;t\x07", "2025-03-06T12:01:13Z", "1741262473785"])
    | st.sampled_from(["postPaid", "CREATING", "az1,az2", '["az1"]', "professional"]),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=2), inner),
    max_leaves=4,
)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional=dict.fromkeys(_LISTED_FIELDS, _JSON)))
def test_the_list_mapping_reads_the_json_as_the_wire_fields_do(member: dict[str, Any]) -> None:
    """instance_from_listed reads the JSON object itself (the hot path): the same Instance
    as from the values the wire view's fields give."""
    view = ListedInstance(member)
    read = ListedInstance({name: getattr(view, name) for name in _LISTED_FIELDS})
    assert instance_from_listed(view) == instance_from_listed(read)


def test_numbers_and_booleans_where_text_belongs_are_not_confused() -> None:
    """1, 1.0 and True are equal in Python: each member is still read for what it is
    (the mapping's caches keep them apart)."""
    members = [
        {"flavor_type": value, "charge_type": value, "cpu_arch": value}
        for value in (1, 1.0, True, 1)
    ]
    members.append({"flavor_type": {"a": 1}, "available_zone_ids": ["az1", 2], "vpc_id": [1]})
    listed = InstanceListResponse.parse({"instances": members}).instances
    got = [(i.type, i.charging, i.cpu_arch) for i in map(instance_from_listed, listed)]
    assert got[:4] == [
        ("1", "yearly/monthly", "1"),
        ("1.0", "yearly/monthly", "1.0"),
        (None, None, None),
        ("1", "yearly/monthly", "1"),
    ]
    last = instance_from_listed(listed[4])
    assert (last.type, last.available_zones, last.vpc_id) == (None, ("az1", "2"), None)
