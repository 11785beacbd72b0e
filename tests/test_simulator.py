"""The simulator in process, checked as raw HTTP + JSON (what the real API would send)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import seed_example
from pydantic import SecretStr

from roma_tui.api.auth import AkSkAuth
from roma_tui.api.guard import KeyGuard
from roma_tui.clock import FakeClock
from roma_tui.simulator import (
    Faults,
    ScenarioError,
    SimCredentials,
    SimulatorApp,
    create_app,
    default_scenario,
    large_scenario,
    load_scenario,
)
from roma_tui.simulator.scenario import Scenario, SubServiceSpec
from roma_tui.simulator.server import banner, is_loopback, serve

SEED_ID = "b037d389-62a4-464a-8461-c88797ad4f23"
BILLING_ID = "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"
MIXED_ID = "4f5a6b7c-8d9e-4f0a-b1c2-d3e4f5a6b7c8"
NEW_ORDER_ID = "6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e"
CREDS = SimCredentials.demo()
PID = CREDS.project_id
TOKEN = {"X-Auth-Token": CREDS.token.get_secret_value()}


@pytest.fixture
async def http(sim_app: SimulatorApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sim_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client


async def get_json(http: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await http.get(path, params=params, headers=TOKEN)
    assert response.status_code == 200, response.text
    return response.json()


async def progress(http: httpx.AsyncClient, instance_id: str) -> Any:
    return await get_json(http, f"/v2/{PID}/instances/{instance_id}/process")


# -- seed fidelity --------------------------------------------------------------------------


async def test_seed_instance_answers_exactly_the_seed_example() -> None:
    clock = FakeClock(datetime(2025, 3, 6, 12, 1, 43, 894000, tzinfo=UTC))
    app = create_app(clock=clock, speed=1.0)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as http:
        response = await http.get(f"/v2/{PID}/instances/{SEED_ID}/process", headers=TOKEN)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == seed_example()


async def test_seed_instance_holds_at_any_speed_with_a_fixed_creation_time() -> None:
    """A per-instance fixed `created_at_ms` pins the seed timeline whatever the anchor."""
    clock = FakeClock(datetime(2025, 3, 6, 12, 1, 43, 894000, tzinfo=UTC))
    base = default_scenario()
    pinned = tuple(
        replace(i, created_at_ms=1741262473785) if i.id == SEED_ID else i for i in base.instances
    )
    anchor = datetime(2025, 3, 6, 12, 1, 43, 394000, tzinfo=UTC)
    app = create_app(Scenario("pinned", pinned), clock=clock, speed=1.0, anchor=anchor)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as http:
        response = await http.get(f"/v2/{PID}/instances/{SEED_ID}/process", headers=TOKEN)
    assert response.json() == seed_example()


# -- list: paging, filter, casing -----------------------------------------------------------


async def test_list_is_snake_case_with_string_times_and_upper_case_statuses(
    http: httpx.AsyncClient,
) -> None:
    data = await get_json(http, f"/v2/{PID}/instances", limit=100)
    assert set(data) == {"total", "size", "instances"}
    assert data["total"] == data["size"] == len(data["instances"]) == 11  # one not ordered yet
    first = data["instances"][0]
    assert set(first) == {
        "id", "name", "description", "flavor_id", "flavor_type", "cpu_arch", "vpc_id",
        "subnet_id", "security_group_id", "publicip_enable", "publicip_id", "publicip_address",
        "status", "error_code", "error_msg", "charge_type", "project_id", "create_time",
        "update_time", "maintain_begin", "maintain_end", "available_zone_ids",
        "enterprise_project_id",
    }  # fmt: skip
    seed = next(i for i in data["instances"] if i["id"] == SEED_ID)
    assert seed["name"] == "roma-2222"
    assert seed["status"] == "CREATING"
    assert seed["create_time"] == "2025-03-06T12:01:12.891Z"
    assert seed["available_zone_ids"] == ["az0.dc0"]
    assert seed["project_id"] == PID
    statuses = {i["name"]: i["status"] for i in data["instances"]}
    assert statuses["roma-prod-shanghai"] == "RUNNING"
    assert statuses["roma-legacy-migration"] == "CREATE_FAILED"
    assert statuses["roma-Mixed-Case"] == "Creating"  # the spelling variant
    types = {i["flavor_type"] for i in data["instances"]}
    assert types == {"basic", "professional", "enterprise", "platinum"}
    times = [i["create_time"] for i in data["instances"]]
    assert times == sorted(times, reverse=True)  # newest first


async def test_paging_by_offset_and_limit(http: httpx.AsyncClient) -> None:
    everything = await get_json(http, f"/v2/{PID}/instances", limit=100)
    all_ids = [i["id"] for i in everything["instances"]]
    seen: list[str] = []
    for offset in range(0, 11, 4):
        page = await get_json(http, f"/v2/{PID}/instances", offset=offset, limit=4)
        assert page["total"] == 11
        assert page["size"] == len(page["instances"]) == min(4, 11 - offset)
        seen += [i["id"] for i in page["instances"]]
    assert seen == all_ids
    past_end = await get_json(http, f"/v2/{PID}/instances", offset=20, limit=4)
    assert past_end == {"total": 11, "size": 0, "instances": []}


@pytest.mark.parametrize("params", [{"limit": 101}, {"limit": 0}, {"offset": -1}, {"limit": "x"}])
async def test_bad_paging_parameters_are_a_400(
    http: httpx.AsyncClient, params: dict[str, Any]
) -> None:
    response = await http.get(f"/v2/{PID}/instances", params=params, headers=TOKEN)
    assert response.status_code == 400
    assert response.json()["error_code"] == "ROMA.00110001"


async def test_large_scenario_pages_and_is_deterministic(fake_clock: FakeClock) -> None:
    scenario = large_scenario(2000)
    assert len(scenario.instances) == 2000
    assert large_scenario(2000) == scenario
    assert len({i.id for i in scenario.instances}) == 2000
    capped = Scenario(scenario.name, scenario.instances, page_cap=37)
    app = create_app(capped, clock=fake_clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as http:
        ids: list[str] = []
        offset = 0
        while True:
            page = await get_json(http, f"/v2/{PID}/instances", offset=offset, limit=100)
            assert page["total"] == 2000
            assert page["size"] <= 37  # fewer than asked: page by total, not by short pages
            ids += [i["id"] for i in page["instances"]]
            offset += page["size"]
            if offset >= page["total"]:
                break
        assert sorted(ids) == sorted(i.id for i in scenario.instances)
        statuses = {
            i["status"] for i in (await get_json(http, f"/v2/{PID}/instances"))["instances"]
        }
        assert statuses <= {"CREATING", "RUNNING", "CREATE_FAILED"}


async def test_status_filter_matches_the_upper_case_status(
    http: httpx.AsyncClient, fake_clock: FakeClock
) -> None:
    creating = await get_json(http, f"/v2/{PID}/instances", status="CREATING", limit=100)
    names = {i["name"] for i in creating["instances"]}
    assert names == {
        "roma-2222", "roma-analytics", "roma-Mixed-Case", "roma-billing", "roma-staging",
        "roma-iot-edge",
    }  # fmt: skip
    assert creating["total"] == 6
    failed = await get_json(http, f"/v2/{PID}/instances", status="CREATE_FAILED")
    assert [i["name"] for i in failed["instances"]] == ["roma-legacy-migration"]
    fake_clock.advance(480)  # roma-billing fails
    failed = await get_json(http, f"/v2/{PID}/instances", status="CREATE_FAILED")
    assert {i["name"] for i in failed["instances"]} == {"roma-billing", "roma-legacy-migration"}
    none = await get_json(http, f"/v2/{PID}/instances", status="DELETE_FALIED")
    assert none == {"total": 0, "size": 0, "instances": []}


async def test_progress_answer_has_the_seed_casing(http: httpx.AsyncClient) -> None:
    data = await progress(http, "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e")  # roma-staging
    seed = seed_example()
    assert set(data) == set(seed)
    assert set(data["instance"]) == set(seed["instance"])
    assert set(data["item"][0]) == set(seed["item"][0])
    assert data["status"] == "creating"
    assert data["instance"]["status"] == "CREATING"
    assert isinstance(data["currentTime"], int)
    assert data["instance"]["availableZones"] == '["cn-north-4a", "cn-north-4b"]'


async def test_detail_uses_instance_name_camel_status_and_seconds(
    http: httpx.AsyncClient, fake_clock: FakeClock
) -> None:
    data = await get_json(http, f"/v2/{PID}/apic/instances/{SEED_ID}")
    assert data["instance_name"] == "roma-2222"
    assert "name" not in data
    assert data["status"] == "Creating"
    assert data["instance_status"] == 1
    assert data["create_time"] == 1741262472  # unix seconds
    assert data["spec"] == "ROMA_BASIC"
    assert data["available_zone_ids"] == "[az0.dc0]"  # a string here, not a list
    fake_clock.advance(3600)
    data = await get_json(http, f"/v2/{PID}/apic/instances/{SEED_ID}")
    assert (data["status"], data["instance_status"]) == ("Running", 6)
    failed = await get_json(http, f"/v2/{PID}/apic/instances/{BILLING_ID}")
    assert (failed["status"], failed["instance_status"]) == ("CreateFail", 3)


# -- time ----------------------------------------------------------------------------------


async def test_progress_advances_with_sub_services_one_after_another(
    http: httpx.AsyncClient, fake_clock: FakeClock
) -> None:
    created = 1741262503000 - 30109
    t0 = await progress(http, SEED_ID)
    mqs, lvs = t0["item"]
    assert (mqs["name"], mqs["start_time"], mqs["progress"]) == ("mqs", 0, 0)
    assert (lvs["start_time"], lvs["end_time"], lvs["progress"]) == (created, 0, 0)

    fake_clock.advance(300)  # 330 s after creation: lvs half done, mqs just started
    t1 = await progress(http, SEED_ID)
    mqs, lvs = t1["item"]
    assert lvs["progress"] == 50
    assert lvs["end_time"] == 0
    assert mqs["start_time"] == created + 300_000  # overlapping with lvs
    assert mqs["status"] == "creating"
    assert 0 < t1["progress"] < 100
    assert t1["currentTime"] == t0["currentTime"] + 300_000
    assert t1["taken_time"] == 6  # minutes, rounded up

    fake_clock.advance(300)  # lvs done at 600 s
    t2 = await progress(http, SEED_ID)
    mqs, lvs = t2["item"]
    assert (lvs["status"], lvs["progress"], lvs["end_time"]) == ("running", 100, created + 600_000)
    assert 0 < mqs["progress"] < 100
    assert t2["progress"] > t1["progress"]
    assert t2["status"] == "creating"

    fake_clock.advance(1800)
    done = await progress(http, SEED_ID)
    assert done["status"] == "running"
    assert done["instance"]["status"] == "RUNNING"
    assert done["progress"] == 100
    assert done["end_time"] == created + 1_800_000
    assert done["taken_time"] == 30
    assert all(i["progress"] == 100 and i["end_time"] for i in done["item"])
    assert done["instance"]["connectAddress"] == "192.168.0.42"
    assert done["instance"]["errorCode"] is None


async def test_speed_factor_compresses_time(fake_clock: FakeClock) -> None:
    app = create_app(clock=fake_clock, speed=60.0)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as http:
        fake_clock.advance(30)  # 30 real seconds = 30 simulated minutes
        data = await progress(http, SEED_ID)
    assert data["status"] == "running"


async def test_an_instance_ordered_later_appears_at_its_creation_time(
    http: httpx.AsyncClient, fake_clock: FakeClock
) -> None:
    response = await http.get(f"/v2/{PID}/instances/{NEW_ORDER_ID}/process", headers=TOKEN)
    assert response.status_code == 404
    fake_clock.advance(121)
    data = await progress(http, NEW_ORDER_ID)
    assert data["status"] == "creating"
    listed = await get_json(http, f"/v2/{PID}/instances", limit=100)
    assert listed["total"] == 12
    assert listed["instances"][0]["name"] == "roma-new-order"


async def test_the_failing_instance_reports_its_error(
    http: httpx.AsyncClient, fake_clock: FakeClock
) -> None:
    before = await progress(http, BILLING_ID)
    assert before["status"] == "creating"
    assert all(i["error_code"] == "" for i in before["item"])
    fake_clock.advance(480)  # fdi fails 720 s after creation
    data = await progress(http, BILLING_ID)
    assert data["status"] == "create_failed"
    assert data["instance"]["status"] == "CREATE_FAILED"
    assert data["end_time"] != 0
    fdi = next(i for i in data["item"] if i["name"] == "fdi")
    assert fdi["status"] == "create_failed"
    assert fdi["error_code"] == "ROMA.00110016"
    assert "insufficient ECS quota" in fdi["error_msg"]
    assert 0 < fdi["progress"] < 100
    assert data["instance"]["errorCode"] == "ROMA.00110016"
    assert data["instance"]["errorMessage"] == fdi["error_msg"]
    others = [i for i in data["item"] if i["name"] != "fdi"]
    assert all(i["error_code"] == "" for i in others)
    listed = await get_json(http, f"/v2/{PID}/instances", status="CREATE_FAILED")
    billing = next(i for i in listed["instances"] if i["id"] == BILLING_ID)
    assert billing["error_code"] == "ROMA.00110016"
    fake_clock.advance(3600)  # frozen: nothing moves after the failure
    assert await progress(http, BILLING_ID) == {
        **data,
        "currentTime": data["currentTime"] + 3_600_000,
    }


async def test_the_spelling_variant(http: httpx.AsyncClient, fake_clock: FakeClock) -> None:
    data = await progress(http, MIXED_ID)
    assert data["status"] == "Creating"
    assert data["instance"]["status"] == "Creating"
    fake_clock.advance(3600)
    data = await progress(http, MIXED_ID)
    assert data["status"] == "Running"
    listed = await get_json(http, f"/v2/{PID}/instances", status="RUNNING", limit=100)
    assert "Running" in {i["status"] for i in listed["instances"]}


# -- authentication and errors --------------------------------------------------------------


def assert_request_id(response: httpx.Response) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])


async def test_every_answer_has_a_request_id(http: httpx.AsyncClient) -> None:
    answers = [
        await http.get(f"/v2/{PID}/instances", headers=TOKEN),
        await http.get(f"/v2/{PID}/instances"),
        await http.get(f"/v2/{PID}/instances/nope/process", headers=TOKEN),
        await http.get("/v9/whatever"),
        await http.post("/v3/auth/tokens", content=b"{}"),
    ]
    for response in answers:
        assert_request_id(response)
    assert len({r.headers["X-Request-Id"] for r in answers}) == len(answers)


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Auth-Token": "MIInot-a-token"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
)
async def test_missing_or_wrong_credentials_are_a_huawei_401(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await http.get(f"/v2/{PID}/instances", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["error_code"] == "APIGW.0301"
    assert body["error_msg"].startswith("Incorrect IAM authentication information")


async def test_wrong_project_is_a_403(http: httpx.AsyncClient) -> None:
    response = await http.get("/v2/0123456789abcdef0123456789abcdef/instances", headers=TOKEN)
    assert response.status_code == 403
    assert response.json()["error_code"] == "APIGW.0302"


async def test_unknown_instance_and_api_are_404s(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/v2/{PID}/instances/no-such-id/process", headers=TOKEN)
    assert response.status_code == 404
    assert response.json() == {
        "error_code": "ROMA.00110002",
        "error_msg": "The instance does not exist.",
        "request_id": response.headers["X-Request-Id"],
    }
    response = await http.get(f"/v2/{PID}/apic/instances/no-such-id", headers=TOKEN)
    assert response.status_code == 404
    assert response.json()["error_code"] == "APIC.7302"
    response = await http.get(f"/v2/{PID}/nothing-here", headers=TOKEN)
    assert response.status_code == 404
    assert response.json()["error_code"] == "APIGW.0101"


def aksk(clock: FakeClock, sk: str | None = None) -> AkSkAuth:
    """Signs as roma-tui does, with a guard of its own: these tests send bad signatures on
    purpose, to see what the simulator does with them."""
    secret = SecretStr(sk or CREDS.sk.get_secret_value())
    return AkSkAuth(CREDS.ak, secret, PID, clock=clock, guard=KeyGuard("test key", None))


async def test_aksk_signature_is_verified(http: httpx.AsyncClient, fake_clock: FakeClock) -> None:
    response = await http.get(
        f"/v2/{PID}/instances", params={"limit": 3, "offset": 1}, auth=aksk(fake_clock)
    )
    assert response.status_code == 200, response.text
    assert response.json()["size"] == 3
    response = await http.get(f"/v2/{PID}/instances", auth=aksk(fake_clock, "wrong-secret-key"))
    assert response.status_code == 401
    assert "signature" in response.json()["error_msg"]


async def test_aksk_signature_of_another_query_is_rejected(
    http: httpx.AsyncClient, fake_clock: FakeClock
) -> None:
    signed = httpx.Request("GET", f"http://127.0.0.1/v2/{PID}/instances?limit=3")
    aksk(fake_clock).sign(signed)
    headers = dict(signed.headers)
    response = await http.get(f"/v2/{PID}/instances?limit=4", headers=headers)
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIGW.0301"


async def test_aksk_date_more_than_15_minutes_off_is_rejected(
    http: httpx.AsyncClient, fake_clock: FakeClock
) -> None:
    skewed = FakeClock(fake_clock.now() - timedelta(minutes=16))
    response = await http.get(f"/v2/{PID}/instances", auth=aksk(skewed))
    assert response.status_code == 401
    body = response.json()
    assert body["error_code"] == "APIGW.0303"
    assert body["error_msg"] == (
        "Incorrect app authentication information: signature expired, "
        "signature time:20250306T114543Z,server time:20250306T120143Z"
    )
    assert body["request_id"] == response.headers["X-Request-Id"]
    near = FakeClock(fake_clock.now() + timedelta(minutes=14))
    assert (await http.get(f"/v2/{PID}/instances", auth=aksk(near))).status_code == 200


async def test_five_bad_signatures_lock_the_key_for_five_minutes(
    http: httpx.AsyncClient, fake_clock: FakeClock
) -> None:
    for _ in range(5):
        bad = await http.get(f"/v2/{PID}/instances", auth=aksk(fake_clock, "bad"))
        assert bad.status_code == 401
    locked = await http.get(f"/v2/{PID}/instances", auth=aksk(fake_clock))
    assert locked.status_code == 401
    assert locked.json()["error_msg"] == (
        "Incorrect IAM authentication information: AK access failed to reach the limit,forbidden."
    )
    fake_clock.advance(301)
    assert (await http.get(f"/v2/{PID}/instances", auth=aksk(fake_clock))).status_code == 200


def iam_body(password: str = "demo-password", project: dict[str, str] | None = None) -> Any:
    return {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": CREDS.iam_user,
                        "password": password,
                        "domain": {"name": CREDS.iam_domain},
                    }
                },
            },
            "scope": {"project": project or {"id": PID}},
        }
    }


async def test_iam_password_issues_a_token_that_works(
    http: httpx.AsyncClient, fake_clock: FakeClock
) -> None:
    response = await http.post(
        "/v3/auth/tokens",
        json=iam_body(),
        headers={"Content-Type": "application/json;charset=utf8"},
    )
    assert response.status_code == 201
    token = response.headers["X-Subject-Token"]
    expires = response.json()["token"]["expires_at"]
    assert expires == "2025-03-07T12:01:43.000000Z"  # 24 h
    assert response.json()["token"]["project"]["id"] == PID
    ok = await http.get(f"/v2/{PID}/instances", headers={"X-Auth-Token": token})
    assert ok.status_code == 200
    by_name = await http.post("/v3/auth/tokens", json=iam_body(project={"name": "cn-north-4"}))
    assert by_name.status_code == 201
    fake_clock.advance(24 * 3600)
    expired = await http.get(f"/v2/{PID}/instances", headers={"X-Auth-Token": token})
    assert expired.status_code == 401
    assert expired.json() == {
        "error_code": "APIGW.0307",
        "error_msg": "The token must be updated.",
        "request_id": expired.headers["X-Request-Id"],
    }


async def test_iam_wrong_password_is_a_nested_401(http: httpx.AsyncClient) -> None:
    response = await http.post("/v3/auth/tokens", json=iam_body("guess"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401
    assert "X-Subject-Token" not in response.headers
    response = await http.post("/v3/auth/tokens", content=b"not json")
    assert response.status_code == 400


async def test_non_ascii_credentials_are_a_401_not_a_crash(http: httpx.AsyncClient) -> None:
    token = {"X-Auth-Token": "MIIt\u00f6ken".encode()}
    response = await http.get(f"/v2/{PID}/instances", headers=token)
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIGW.0301"
    response = await http.post("/v3/auth/tokens", json=iam_body("p\u00e4ssword"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401


# -- faults --------------------------------------------------------------------------------


def test_faults_parse_and_describe() -> None:
    faults = Faults.parse(
        "latency=0.2,jitter=0.5,error_rate=0.1,throttle=3,retry_after=2,malformed=0.1,"
        "html=0.1,drop=0.1,token_ttl=60"
    )
    assert faults == Faults(
        latency=0.2, jitter=0.5, error_rate=0.1, throttle=3, retry_after=2, malformed=0.1,
        html=0.1, drop=0.1, token_ttl=60,
    )  # fmt: skip
    assert Faults.parse(faults.describe()) == faults
    assert Faults.parse("") == Faults() == Faults.parse("none")
    assert not Faults().active
    assert faults.active
    with pytest.raises(ValueError, match="unknown fault"):
        Faults.parse("lag=1")
    with pytest.raises(ValueError, match="between 0 and 1"):
        Faults.parse("drop=2")
    with pytest.raises(ValueError, match="not a number"):
        Faults.parse("latency=fast")


async def test_latency_and_jitter_delay_the_answer(
    http: httpx.AsyncClient, sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    sim_app.faults = Faults(latency=2.0, jitter=1.0)
    before = fake_clock.now()
    await get_json(http, f"/v2/{PID}/instances")
    waited = (fake_clock.now() - before).total_seconds()
    assert 2.0 <= waited <= 3.0


async def test_error_rate_gives_5xx_with_an_error_body(
    http: httpx.AsyncClient, sim_app: SimulatorApp
) -> None:
    sim_app.faults = Faults(error_rate=1.0)
    codes = set()
    for _ in range(8):
        response = await http.get(f"/v2/{PID}/instances", headers=TOKEN)
        assert response.status_code in (500, 503)
        assert response.json()["error_code"]
        assert_request_id(response)
        codes.add(response.status_code)
    assert codes == {500, 503}
    sim_app.faults = Faults()
    assert (await http.get(f"/v2/{PID}/instances", headers=TOKEN)).status_code == 200


async def test_throttle_bursts_with_retry_after(
    http: httpx.AsyncClient, sim_app: SimulatorApp
) -> None:
    sim_app.faults = Faults(throttle=2, throttle_every=5, retry_after=3)
    statuses = []
    for _ in range(10):
        response = await http.get(f"/v2/{PID}/instances", headers=TOKEN)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert response.headers["Retry-After"] == "3"
            assert response.json()["error_code"] == "APIGW.0308"
    assert statuses == [429, 429, 200, 200, 200] * 2


async def test_malformed_body(http: httpx.AsyncClient, sim_app: SimulatorApp) -> None:
    sim_app.faults = Faults(malformed=1.0)
    response = await http.get(f"/v2/{PID}/instances", headers=TOKEN)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    denied = await http.get(f"/v2/{PID}/instances")  # errors stay well-formed
    assert denied.json()["error_code"] == "APIGW.0301"


async def test_html_error_page(http: httpx.AsyncClient, sim_app: SimulatorApp) -> None:
    sim_app.faults = Faults(html=1.0)
    response = await http.get(f"/v2/{PID}/instances", headers=TOKEN)
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in response.text


async def test_drop_is_a_transport_error(http: httpx.AsyncClient, sim_app: SimulatorApp) -> None:
    sim_app.faults = Faults(drop=1.0)
    with pytest.raises(httpx.TransportError):
        await http.get(f"/v2/{PID}/instances", headers=TOKEN)
    sim_app.faults = Faults()
    assert (await http.get(f"/v2/{PID}/instances", headers=TOKEN)).status_code == 200


async def test_faults_never_touch_iam(http: httpx.AsyncClient, sim_app: SimulatorApp) -> None:
    sim_app.faults = Faults(drop=1.0, html=1.0, error_rate=1.0)
    assert (await http.post("/v3/auth/tokens", json=iam_body())).status_code == 201


async def test_token_ttl_expires_the_demo_token_until_reauthenticated(
    http: httpx.AsyncClient, sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    sim_app.faults = Faults(token_ttl=60)
    assert (await http.get(f"/v2/{PID}/instances", headers=TOKEN)).status_code == 200
    fake_clock.advance(61)
    response = await http.get(f"/v2/{PID}/instances", headers=TOKEN)
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIGW.0307"
    issued = await http.post("/v3/auth/tokens", json=iam_body())
    assert issued.json()["token"]["expires_at"] == "2025-03-06T12:03:44.000000Z"
    fresh = {"X-Auth-Token": issued.headers["X-Subject-Token"]}
    assert (await http.get(f"/v2/{PID}/instances", headers=fresh)).status_code == 200
    fake_clock.advance(60)
    assert (await http.get(f"/v2/{PID}/instances", headers=fresh)).status_code == 401
    sim_app.faults = Faults()
    assert (await http.get(f"/v2/{PID}/instances", headers=TOKEN)).status_code == 200


async def test_fault_dice_are_seeded(fake_clock: FakeClock) -> None:
    async def run(seed: int) -> list[int]:
        app = create_app(clock=fake_clock, faults=Faults(error_rate=0.5, html=0.2, seed=seed))
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
        ) as http:
            return [
                (await http.get(f"/v2/{PID}/instances", headers=TOKEN)).status_code
                for _ in range(20)
            ]

    first = await run(7)
    assert first == await run(7)
    assert {200, 502} <= set(first)
    assert first != await run(8)


# -- scenarios -----------------------------------------------------------------------------


def test_default_scenario_has_the_mix() -> None:
    scenario = default_scenario()
    assert 10 <= len(scenario.instances) <= 14
    assert {i.type for i in scenario.instances} == {
        "basic",
        "professional",
        "enterprise",
        "platinum",
    }
    assert any(s.fail_after is not None for i in scenario.instances for s in i.sub_services)
    assert any(i.status_style for i in scenario.instances)
    assert scenario.find(SEED_ID) is not None


def test_load_scenario_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        """
[scenario]
name = "mine"
page_cap = 5

[[instances]]
id = "i-1"
name = "one"
type = "enterprise"
created = -60

[[instances]]
id = "i-2"
name = "two"
type = "basic"
[[instances.sub_services]]
name = "mqs"
duration = 100
fail_after = 10
error_code = "X.1"
error_msg = "boom"
""",
        encoding="utf-8",
    )
    scenario = load_scenario(path)
    assert scenario.name == "mine"
    assert scenario.page_cap == 5
    one, two = scenario.instances
    assert [s.name for s in one.sub_services] == ["lvs", "mqs", "apic", "fdi", "link"]
    assert two.sub_services == (SubServiceSpec("mqs", 0, 100, 1, 10, "X.1", "boom"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not toml [", "not valid TOML"),
        ("[scenario]\nname='x'", "no [[instances]]"),
        ("[[instances]]\nid='a'\nname='b'\ntype='huge'", "type 'huge'"),
        ("[[instances]]\nname='b'\ntype='basic'", "missing 'id'"),
    ],
)
def test_bad_scenario_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=re.escape(message)):
        load_scenario(path)
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.toml")


# -- server helpers ------------------------------------------------------------------------


def test_only_loopback_hosts_are_served() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.5")
    assert not is_loopback("example.com")
    err = io.StringIO()
    assert serve(port=0, host="0.0.0.0", out=io.StringIO(), err=err) == 2
    assert "refusing" in err.getvalue()


def test_serve_rejects_bad_faults_and_scenarios(tmp_path: Path) -> None:
    err = io.StringIO()
    assert serve(port=0, faults="explode=1", out=io.StringIO(), err=err) == 2
    assert "unknown fault" in err.getvalue()
    err = io.StringIO()
    assert serve(port=0, scenario=tmp_path / "nope.toml", out=io.StringIO(), err=err) == 2
    assert "cannot read scenario" in err.getvalue()


def test_banner_lines_and_env_credentials() -> None:
    creds = SimCredentials.from_env(
        {"ROMA_SIM_TOKEN": "tok-1", "ROMA_SIM_AK": "AK1", "ROMA_SIM_SK": "sk-1"}
    )
    lines = banner("http://127.0.0.1:8080", creds, default_scenario(), 60, Faults(drop=0.1))
    assert "endpoint: http://127.0.0.1:8080" in lines
    assert f"project id: {PID}" in lines
    assert re.fullmatch(r"[0-9a-f]{32}", PID)
    assert {"token: tok-1", "ak: AK1", "sk: sk-1"} <= set(lines)
    run = next(line for line in lines if line.startswith("run: "))
    assert run == (
        f"run: ROMA_TUI_TOKEN=tok-1 roma-tui --endpoint http://127.0.0.1:8080 --project-id {PID}"
    )
    assert "drop=0.1" in lines[0]
    assert "**" in repr(creds)  # secrets stay masked in repr
    assert "sk-1" not in repr(creds)
