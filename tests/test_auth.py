"""The three auth methods against an httpx.MockTransport IAM + service (no network)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr

from roma_tui.api import signing
from roma_tui.api.auth import AkSkAuth, PasswordAuth, TokenAuth, mask_ak
from roma_tui.api.errors import AuthError
from roma_tui.clock import FakeClock

IAM = "http://127.0.0.1:5001"
SERVICE = "http://127.0.0.1:5002/v2/p/instances"
PASSWORD = "hunter2-Pa55word"
PROJECT = "0123456789abcdef0123456789abcdef"


class FakeCloud:
    """IAM issuing tok-1, tok-2, ... and a service accepting only tokens in `valid`."""

    def __init__(self, clock: FakeClock, lifetime: timedelta = timedelta(hours=24)) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.iam_requests: list[httpx.Request] = []
        self.service_tokens: list[str | None] = []
        self.valid: set[str] = set()
        self.reject_all = False
        self.iam_status = 201

    async def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/auth/tokens":
            self.iam_requests.append(request)
            await asyncio.sleep(0)  # let concurrent requests run into the lock
            if self.iam_status != 201:
                error = {"code": self.iam_status, "message": "The username or password is wrong."}
                return httpx.Response(self.iam_status, json={"error": error})
            token = f"tok-{len(self.iam_requests)}"
            self.valid = {token}
            expires = (self.clock.now() + self.lifetime).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            body = {"token": {"expires_at": expires, "issued_at": "x"}}
            return httpx.Response(201, json=body, headers={"X-Subject-Token": token})
        token = request.headers.get("X-Auth-Token")
        self.service_tokens.append(token)
        if self.reject_all or token not in self.valid:
            return httpx.Response(401, json={"error_code": "APIGW.0307", "error_msg": "expired"})
        return httpx.Response(200, json={"total": 0, "size": 0, "instances": []})

    def client(self, auth: httpx.Auth) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handler), auth=auth)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cloud(clock: FakeClock) -> FakeCloud:
    return FakeCloud(clock)


def password_auth(clock: FakeClock) -> PasswordAuth:
    return PasswordAuth(IAM + "/v3", "alice", "acme", SecretStr(PASSWORD), PROJECT, clock=clock)


async def test_token_auth_sends_x_auth_token_and_never_retries(cloud: FakeCloud) -> None:
    async with cloud.client(TokenAuth(SecretStr("tok-static"))) as client:
        assert (await client.get(SERVICE)).status_code == 401
    assert cloud.service_tokens == ["tok-static"]


async def test_aksk_sends_signed_security_token_and_never_retries_a_401() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, json={"error_code": "APIGW.0301", "error_msg": "bad sig"})

    auth = AkSkAuth("HPUAEXAMPLEAK0000001", SecretStr("sk"), PROJECT, SecretStr("sts"), FakeClock())
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), auth=auth) as client:
        response = await client.get(SERVICE, params={"limit": 10, "offset": 0})
    assert response.status_code == 401
    (request,) = seen
    assert request.headers["X-Security-Token"] == "sts"
    assert request.headers["X-Project-Id"] == PROJECT
    assert request.headers["X-Sdk-Date"] == "20250306T120143Z"
    assert request.headers["Host"] == "127.0.0.1:5002"
    parsed = signing.parse_authorization(request.headers["Authorization"])
    assert parsed is not None
    assert {"x-security-token", "x-project-id", "host", "user-agent"} <= set(parsed[1])
    assert "accept-encoding" not in parsed[1]
    assert request.url.query == b"limit=10&offset=0"


async def test_password_token_fetched_once_and_cached(cloud: FakeCloud, clock: FakeClock) -> None:
    async with cloud.client(password_auth(clock)) as client:
        for _ in range(3):
            assert (await client.get(SERVICE)).status_code == 200
            clock.advance(3600)
    assert cloud.service_tokens == ["tok-1"] * 3
    (iam,) = cloud.iam_requests
    assert str(iam.url) == IAM + "/v3/auth/tokens"
    assert iam.headers["Content-Type"] == "application/json;charset=utf8"
    assert json.loads(iam.content) == {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": "alice", "password": PASSWORD, "domain": {"name": "acme"}}
                },
            },
            "scope": {"project": {"id": PROJECT}},
        }
    }


async def test_password_token_refreshed_shortly_before_expiry(clock: FakeClock) -> None:
    cloud = FakeCloud(clock, lifetime=timedelta(hours=1))
    auth = password_auth(clock)
    async with cloud.client(auth) as client:
        await client.get(SERVICE)
        assert auth.expires_at == clock.now() + timedelta(hours=1)
        clock.advance(54 * 60)
        await client.get(SERVICE)
        clock.advance(2 * 60)  # now 4 minutes before expiry: inside the 5-minute margin
        await client.get(SERVICE)
    assert cloud.service_tokens == ["tok-1", "tok-1", "tok-2"]
    assert len(cloud.iam_requests) == 2


async def test_password_401_refreshes_once_and_retries_once(
    cloud: FakeCloud, clock: FakeClock
) -> None:
    async with cloud.client(password_auth(clock)) as client:
        await client.get(SERVICE)
        cloud.valid = set()  # the token was revoked server-side
        response = await client.get(SERVICE)
    assert response.status_code == 200
    assert cloud.service_tokens == ["tok-1", "tok-1", "tok-2"]
    assert len(cloud.iam_requests) == 2


async def test_password_second_401_is_returned_not_looped(
    cloud: FakeCloud, clock: FakeClock
) -> None:
    cloud.reject_all = True
    async with cloud.client(password_auth(clock)) as client:
        response = await client.get(SERVICE)
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIGW.0307"
    assert cloud.service_tokens == ["tok-1", "tok-2"]
    assert len(cloud.iam_requests) == 2


async def test_concurrent_requests_share_one_token_fetch(
    cloud: FakeCloud, clock: FakeClock
) -> None:
    async with cloud.client(password_auth(clock)) as client:
        responses = await asyncio.gather(*(client.get(SERVICE) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    assert len(cloud.iam_requests) == 1


async def test_iam_rejecting_the_password_raises_a_clear_auth_error(
    cloud: FakeCloud, clock: FakeClock
) -> None:
    cloud.iam_status = 401
    async with cloud.client(password_auth(clock)) as client:
        with pytest.raises(AuthError) as caught:
            await client.get(SERVICE)
    error = caught.value
    assert str(error).startswith(
        "IAM rejected user alice in domain acme: check ROMA_TUI_PASSWORD / the user and domain"
    )
    assert "\n" not in str(error)
    assert error.status_code == 401
    assert PASSWORD not in f"{error!s} {error!r} {error.error_msg}"
    assert cloud.service_tokens == []


def test_password_flow_works_with_a_sync_client(cloud: FakeCloud, clock: FakeClock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return asyncio.run(cloud.handler(request))

    with httpx.Client(transport=httpx.MockTransport(handler), auth=password_auth(clock)) as c:
        assert c.get(SERVICE).status_code == 200
        cloud.valid = set()
        assert c.get(SERVICE).status_code == 200
    assert cloud.service_tokens == ["tok-1", "tok-1", "tok-2"]


def test_describe_repr_and_str_never_show_secrets(clock: FakeClock) -> None:
    auths: list[tuple[TokenAuth | AkSkAuth | PasswordAuth, str, str, str]] = [
        (TokenAuth(SecretStr("tok-SECRET")), "token", "token", "tok-SECRET"),
        (
            AkSkAuth("HPUAEXAMPLEAK0000001", SecretStr("sk-SECRET"), PROJECT, SecretStr("sts-S")),
            "aksk",
            "AK/SK HPUA…0001 (temporary)",
            "sk-SECRET sts-S HPUAEXAMPLEAK0000001",
        ),
        (password_auth(clock), "password", "IAM password alice@acme", PASSWORD),
    ]
    for auth, method, description, secrets in auths:
        assert auth.method == method
        assert auth.describe() == description
        for text in (repr(auth), str(auth)):
            assert description in text
            for secret in secrets.split():
                assert secret not in text


def test_a_short_access_key_is_not_shown_at_all() -> None:
    assert mask_ak("HPUAEXAMPLEAK0000001") == "HPUA…0001"
    assert mask_ak("HPUA12340001") == "HPUA…0001"
    assert mask_ak("HPUA1230001") == "set"  # 8 of 11 characters would be most of it
    assert AkSkAuth("SHORTAK", SecretStr("sk"), None).describe() == "AK/SK set"
