"""The gateway's error vocabulary: both spellings of each code, the clock, the request id.

Huawei's docs spell the API gateway's codes `APIG.` and `APIGW.` (API signing FAQ,
api-sign-0001/0003); RomaClient treats both alike. Runs on httpx.MockTransport and a FakeClock.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from conftest import SimServer
from helpers import AK, PROJECT, SK
from pydantic import SecretStr

from roma_tui.api.auth import AkSkAuth, TokenAuth
from roma_tui.api.client import RetryPolicy, RomaClient
from roma_tui.api.errors import ApiError, AuthError
from roma_tui.clock import FakeClock
from roma_tui.simulator import Faults

ENDPOINT = "https://roma.example.invalid"
RID = "a5322eb89048eb41d705491a76a05aca"


async def failure(
    status: int,
    body: dict[str, Any],
    *,
    auth: httpx.Auth | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[ApiError, int]:
    """The error one answer gives, and how many requests were sent (retries included)."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(status, json=body, headers=headers or {})

    clock = FakeClock()
    client = RomaClient(
        ENDPOINT,
        PROJECT,
        auth or TokenAuth(SecretStr("tok")),
        transport=httpx.MockTransport(handler),
        clock=clock,
        retry=RetryPolicy(attempts=3),
    )
    async with client:
        with pytest.raises(ApiError) as caught:
            await client.list_instances()
    return caught.value, len(sent)


@pytest.mark.parametrize("prefix", ["APIG", "APIGW"])
async def test_an_expired_token_in_either_spelling(prefix: str) -> None:
    body = {"error_code": f"{prefix}.0307", "error_msg": "The token must be updated."}
    error, sent = await failure(401, body)
    assert error.message.startswith("The token expired: get a new one (tokens last 24 h). HTTP")
    assert sent == 1


@pytest.mark.parametrize("prefix", ["APIG", "APIGW"])
async def test_throttling_in_either_spelling(prefix: str) -> None:
    body = {
        "error_code": f"{prefix}.0308",
        "error_msg": "The throttling threshold has been reached",
    }
    error, _ = await failure(429, body, headers={"Retry-After": "120"})
    assert error.throttled
    assert error.message.startswith("Throttled by the API gateway: retry after 120 s. HTTP 429")


@pytest.mark.parametrize("prefix", ["APIG", "APIGW"])
async def test_bad_credentials_in_either_spelling(prefix: str) -> None:
    body = {"error_code": f"{prefix}.0301", "error_msg": "Incorrect IAM authentication information"}
    auth = AkSkAuth(AK, SecretStr(SK), PROJECT, clock=FakeClock())
    error, sent = await failure(401, body, auth=auth)
    assert isinstance(error, AuthError)
    assert f"HTTP 401 {prefix}.0301" in error.message
    assert "The AK/SK signature was rejected" in error.message
    assert sent == 1


@pytest.mark.parametrize("prefix", ["APIG", "APIGW"])
async def test_a_date_too_far_off_says_the_local_clock_is_wrong(prefix: str) -> None:
    body = {
        "error_code": f"{prefix}.0303",
        "error_msg": "Incorrect app authentication information: signature expired, "
        "signature time:20250306T114543Z,server time:20250306T120143Z",
    }
    auth = AkSkAuth(AK, SecretStr(SK), PROJECT, clock=FakeClock())
    error, sent = await failure(401, body, auth=auth)
    assert error.clock_skew
    assert error.message.startswith(
        "The gateway says the request's date is more than 15 minutes off its own clock: this "
        "machine's clock is wrong (it says 2025-03-06 12:01:43 UTC); set it right, e.g. turn on "
        "NTP. HTTP 401"
    )
    assert "AK/SK signature was rejected" not in error.message
    assert sent == 1


async def test_the_request_id_comes_from_the_body_when_the_header_is_missing() -> None:
    body = {"error_code": "APIGW.0301", "error_msg": "Incorrect", "request_id": RID}
    error, _ = await failure(401, body)
    assert error.request_id == RID
    assert f"(request {RID})" in error.message


async def test_the_header_request_id_wins_over_the_body() -> None:
    body = {"error_code": "APIGW.0301", "error_msg": "Incorrect", "request_id": "from-body"}
    error, _ = await failure(401, body, headers={"X-Request-Id": RID})
    assert error.request_id == RID


async def test_a_nested_error_body_gives_its_request_id() -> None:
    body = {"error": {"code": "ROMA.1000", "message": "bad", "request_id": RID}}
    error, _ = await failure(400, body)
    assert (error.error_code, error.request_id) == ("ROMA.1000", RID)


# -- the simulator returns them where the real gateway does (real loopback socket) -----------


def sim_client(server: SimServer, auth: httpx.Auth) -> RomaClient:
    return RomaClient(server.base_url, server.credentials.project_id, auth, clock=server.clock)


async def test_the_simulator_says_apigw_0303_for_a_clock_16_minutes_off(
    sim_server: SimServer,
) -> None:
    creds = sim_server.credentials
    skewed = FakeClock(sim_server.clock.now() - timedelta(minutes=16))
    async with sim_client(sim_server, AkSkAuth(creds.ak, creds.sk, None, clock=skewed)) as client:
        with pytest.raises(AuthError) as caught:
            await client.list_instances()
    error = caught.value
    assert (error.error_code, error.clock_skew) == ("APIGW.0303", True)
    assert "this machine's clock is wrong" in error.message
    assert error.request_id is not None and f"(request {error.request_id})" in error.message


@pytest.mark.parametrize(("apig", "prefix"), [(0, "APIGW"), (1, "APIG")])
async def test_the_simulator_spells_the_gateway_codes_both_ways(
    sim_server: SimServer, apig: int, prefix: str
) -> None:
    sim_server.app.faults = Faults(apig=apig, token_ttl=60)
    creds = sim_server.credentials
    async with sim_client(sim_server, TokenAuth(SecretStr("MIInot-a-token"))) as client:
        with pytest.raises(AuthError) as bad:
            await client.list_instances()
    assert bad.value.error_code == f"{prefix}.0301"
    assert bad.value.error_msg == "Incorrect IAM authentication information: decrypt token fail"
    sim_server.clock.advance(61)
    async with sim_client(sim_server, TokenAuth(creds.token)) as client:
        with pytest.raises(AuthError) as expired:
            await client.list_instances()
    assert expired.value.error_code == f"{prefix}.0307"
    assert "The token expired" in expired.value.message
