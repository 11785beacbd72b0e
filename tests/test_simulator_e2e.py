"""RomaClient (and the official Huawei SDK) against the simulator over a real loopback socket."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from conftest import SimServer, SimSocket

from roma_tui.api.auth import AkSkAuth, PasswordAuth, TokenAuth
from roma_tui.api.client import RetryEvent, RetryPolicy, RomaClient
from roma_tui.api.errors import ApiError, AuthError, BadResponseError, NotFoundError, TransportError
from roma_tui.clock import FakeClock
from roma_tui.simulator import Faults, Scenario, create_app, large_scenario

SEED_ID = "b037d389-62a4-464a-8461-c88797ad4f23"
BILLING_ID = "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"
AUTH_METHODS = ["token", "aksk", "password"]


def make_auth(kind: str, server: SimServer) -> httpx.Auth:
    creds = server.credentials
    if kind == "token":
        return TokenAuth(creds.token)
    if kind == "aksk":
        return AkSkAuth(creds.ak, creds.sk, creds.project_id, clock=server.clock)
    return PasswordAuth(
        server.base_url,
        creds.iam_user,
        creds.iam_domain,
        creds.iam_password,
        creds.project_id,
        clock=server.clock,
    )


def make_client(
    server: SimServer,
    kind: str = "token",
    *,
    attempts: int = 3,
    timeout: httpx.Timeout | None = None,
    events: list[RetryEvent] | None = None,
) -> RomaClient:
    return RomaClient(
        server.base_url,
        server.credentials.project_id,
        make_auth(kind, server),
        clock=server.clock,
        retry=RetryPolicy(attempts=attempts),
        timeout=timeout,
        on_retry=None if events is None else events.append,
    )


@pytest.fixture
async def client(sim_server: SimServer) -> AsyncIterator[RomaClient]:
    async with make_client(sim_server) as roma:
        yield roma


# -- each auth method: paging, progress, detail ---------------------------------------------


@pytest.mark.parametrize("kind", AUTH_METHODS)
async def test_each_auth_method_reads_every_endpoint(sim_server: SimServer, kind: str) -> None:
    async with make_client(sim_server, kind) as roma:
        assert roma.auth_method == kind
        listed = await roma.list_instances()
        assert listed.total == len(listed.instances) == 11
        names = {i.name for i in listed.instances}
        assert {"roma-2222", "roma-billing", "roma-Mixed-Case"} <= names
        progress = await roma.get_creation_progress(SEED_ID)
        assert progress.name == "roma-2222"
        assert [i.name for i in progress.item or []] == ["mqs", "lvs"]
        assert progress.instance is not None
        assert progress.instance.instance_id == SEED_ID


@pytest.mark.parametrize("kind", AUTH_METHODS)
async def test_paging_through_a_capped_large_list(
    sim_socket: SimSocket, sim_server: SimServer, kind: str
) -> None:
    scenario = large_scenario(250)
    app = create_app(
        Scenario(scenario.name, scenario.instances, page_cap=37), clock=sim_server.clock
    )
    sim_socket.install(app)
    async with make_client(sim_server, kind) as roma:
        listed = await roma.list_instances()
        assert listed.total == 250
        assert sorted(i.id or "" for i in listed.instances) == sorted(
            i.id for i in scenario.instances
        )
        creating = await roma.list_instances(status="CREATING")
        assert creating.instances
        assert {i.status for i in creating.instances} == {"CREATING"}


async def test_progress_over_fake_time(sim_server: SimServer, client: RomaClient) -> None:
    first = await client.get_creation_progress(SEED_ID)
    assert (first.status, first.progress) == ("creating", 0)
    sim_server.clock.advance(330)
    middle = await client.get_creation_progress(SEED_ID)
    items = {i.name: i for i in middle.item or []}
    assert items["lvs"].progress == 60
    assert items["mqs"].start_time  # started (0 / None = not yet)
    assert middle.raw["currentTime"] - first.raw["currentTime"] == 330_000
    sim_server.clock.advance(1800)
    done = await client.get_creation_progress(SEED_ID)
    assert (done.status, done.progress) == ("running", 100)
    assert done.end_time
    listed = await client.list_instances(status="RUNNING")
    assert "roma-2222" in {i.name for i in listed.instances}


async def test_the_failing_instance(sim_server: SimServer, client: RomaClient) -> None:
    sim_server.clock.advance(600)
    progress = await client.get_creation_progress(BILLING_ID)
    assert progress.status == "create_failed"
    failed = [i for i in progress.item or [] if i.error_code]
    assert [(i.name, i.error_code) for i in failed] == [("fdi", "ROMA.00110016")]
    assert failed[0].error_msg and "quota" in failed[0].error_msg
    assert progress.instance is not None
    assert progress.instance.error_message == failed[0].error_msg


async def test_unknown_instance_is_not_found(client: RomaClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        await client.get_creation_progress("00000000-0000-4000-8000-000000000000")
    assert caught.value.error_code == "ROMA.00110002"
    assert caught.value.request_id


async def test_wrong_secret_key_is_an_auth_error(sim_server: SimServer) -> None:
    from pydantic import SecretStr

    creds = sim_server.credentials
    auth = AkSkAuth(creds.ak, SecretStr("not-the-sk"), creds.project_id, clock=sim_server.clock)
    async with RomaClient(sim_server.base_url, creds.project_id, auth, clock=sim_server.clock) as r:
        with pytest.raises(AuthError) as caught:
            await r.list_instances()
    assert caught.value.status_code == 401
    assert caught.value.error_code == "APIGW.0301"


# -- faults over the socket ------------------------------------------------------------------


async def test_latency_is_served(sim_server: SimServer, client: RomaClient) -> None:
    sim_server.app.faults = Faults(latency=5.0)
    before = sim_server.clock.now()
    await client.get_creation_progress(SEED_ID)
    assert (sim_server.clock.now() - before).total_seconds() >= 5.0


async def test_real_latency_past_the_timeout_is_a_transport_error(
    sim_socket: SimSocket, sim_server: SimServer
) -> None:
    app = create_app(clock=sim_server.clock, faults=Faults(latency=0.5))  # real asyncio.sleep
    sim_socket.install(app)
    async with make_client(sim_server, attempts=1, timeout=httpx.Timeout(0.05)) as roma:
        with pytest.raises(TransportError, match="timed out"):
            await roma.list_instances()


async def test_server_errors_are_retried_then_reported(
    sim_server: SimServer,
) -> None:
    events: list[RetryEvent] = []
    sim_server.app.faults = Faults(error_rate=1.0)
    async with make_client(sim_server, attempts=3, events=events) as roma:
        with pytest.raises(ApiError) as caught:
            await roma.list_instances()
        assert caught.value.status_code in (500, 503)
        assert caught.value.transient
        assert len(events) == 2
        sim_server.app.faults = Faults()
        assert (await roma.list_instances()).total == 11


async def test_throttle_burst_is_waited_out(sim_server: SimServer) -> None:
    events: list[RetryEvent] = []
    sim_server.app.faults = Faults(throttle=2, throttle_every=0, retry_after=4)
    before = sim_server.clock.now()
    async with make_client(sim_server, attempts=3, events=events) as roma:
        listed = await roma.list_instances()
    assert listed.total == 11
    assert [e.error.throttled for e in events if isinstance(e.error, ApiError)] == [True, True]
    assert (sim_server.clock.now() - before).total_seconds() >= 8  # honoured Retry-After


async def test_malformed_body_is_a_bad_response(sim_server: SimServer) -> None:
    sim_server.app.faults = Faults(malformed=1.0)
    async with make_client(sim_server, attempts=1) as roma:
        with pytest.raises(BadResponseError):
            await roma.get_creation_progress(SEED_ID)


async def test_html_gateway_page_is_a_clear_error(sim_server: SimServer) -> None:
    sim_server.app.faults = Faults(html=1.0)
    async with make_client(sim_server, attempts=1) as roma:
        with pytest.raises(ApiError) as caught:
            await roma.list_instances()
    assert caught.value.status_code == 502
    assert "502 Bad Gateway" in caught.value.message


async def test_dropped_connection_is_a_transport_error_and_recovers(
    sim_server: SimServer,
) -> None:
    sim_server.app.faults = Faults(drop=1.0)
    async with make_client(sim_server, attempts=2) as roma:
        with pytest.raises(TransportError):
            await roma.list_instances()
        sim_server.app.faults = Faults()
        assert (await roma.list_instances()).total == 11


async def test_token_expiry_then_recovery(sim_server: SimServer) -> None:
    sim_server.app.faults = Faults(token_ttl=60)
    async with (
        make_client(sim_server, "token") as token_client,
        make_client(sim_server, "password") as password_client,
    ):
        await token_client.list_instances()
        await password_client.list_instances()
        sim_server.clock.advance(61)
        with pytest.raises(AuthError) as caught:
            await token_client.list_instances()
        assert caught.value.error_code == "APIGW.0307"
        # the password client re-authenticates with IAM and carries on
        assert (await password_client.list_instances()).total == 11
        sim_server.clock.advance(61)
        assert (await password_client.get_creation_progress(SEED_ID)).name == "roma-2222"
        sim_server.app.faults = Faults()
        assert (await token_client.list_instances()).total == 12  # roma-new-order appeared


# -- fidelity: the official SDK reads the simulator -------------------------------------------


def test_official_sdk_lists_instances_with_aksk(sim_socket: SimSocket) -> None:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkroma.v2 import (
        CheckRomaInstanceListV2Request,
        ShowDetailsOfInstanceV2Request,
    )
    from huaweicloudsdkroma.v2 import (
        RomaClient as SdkClient,
    )

    # the SDK signs with the real time: run this simulator's clock from now
    app = create_app(clock=FakeClock(datetime.now(UTC)))
    sim_socket.install(app)
    creds = app.sim.credentials
    config = HttpConfig.get_default_config()
    config.timeout = (5, 10)
    sdk = (
        SdkClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(creds.ak, creds.sk.get_secret_value(), creds.project_id))
        .with_endpoints([sim_socket.base_url])
        .build()
    )
    listed = sdk.check_roma_instance_list_v2(CheckRomaInstanceListV2Request(offset=0, limit=100))
    assert listed.total == listed.size == len(listed.instances) == 11
    seed = next(i for i in listed.instances if i.id == SEED_ID)
    assert (seed.name, seed.status, seed.available_zone_ids) == (
        "roma-2222",
        "CREATING",
        ["az0.dc0"],
    )
    page = sdk.check_roma_instance_list_v2(
        CheckRomaInstanceListV2Request(offset=2, limit=3, status="CREATING")
    )
    assert (page.total, page.size) == (6, 3)
    detail = sdk.show_details_of_instance_v2(ShowDetailsOfInstanceV2Request(instance_id=SEED_ID))
    assert (detail.instance_name, detail.status, detail.instance_status) == (
        "roma-2222",
        "Creating",
        1,
    )
    bad = (
        SdkClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(creds.ak, "wrong-sk", creds.project_id))
        .with_endpoints([sim_socket.base_url])
        .build()
    )
    with pytest.raises(ClientRequestException) as caught:
        bad.check_roma_instance_list_v2(CheckRomaInstanceListV2Request())
    assert caught.value.status_code == 401
    assert caught.value.error_code == "APIGW.0301"
    assert caught.value.request_id


# -- `serve`: the real command, stopped with Ctrl-C ----------------------------------------------


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    env = {**os.environ, "ROMA_SIM_TOKEN": "MIIe2e-token"}
    code = "import sys; from roma_tui.simulator.server import serve; sys.exit(serve(port=0))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env,
    )  # fmt: skip
    lines: dict[str, str] = {}
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            key, _, value = line.rstrip("\n").partition(": ")
            lines[key] = value
            if line.startswith("Ctrl-C"):
                break
        yield proc, lines
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_serve_prints_credentials_and_stops_on_ctrl_c(
    served: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    proc, lines = served
    endpoint = lines["endpoint"]
    assert endpoint.startswith("http://127.0.0.1:")
    assert lines["token"] == "MIIe2e-token"
    assert {"project id", "ak", "sk", "run"} <= set(lines)
    assert "ROMA_TUI_TOKEN=MIIe2e-token roma-tui --endpoint " + endpoint in lines["run"]
    response = httpx.get(
        f"{endpoint}/v2/{lines['project id']}/instances",
        headers={"X-Auth-Token": lines["token"]},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["total"] == 11
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=15) == 0
    assert proc.stdout is not None and proc.stderr is not None
    assert "simulator stopped." in proc.stdout.read()
    assert "Traceback" not in proc.stderr.read()
