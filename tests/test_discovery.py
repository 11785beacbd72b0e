"""Project-id discovery through IAM, as the official SDK does it, and its cache.

Against an httpx.MockTransport IAM (exact requests, every answer shape), the simulator over a
real loopback socket, and the official SDK reading the simulator's IAM answer.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SimServer, SimSocket
from helpers import AK, PASSWORD, PROJECT, SECRETS, SECURITY_TOKEN, SK, TOKEN

from roma_tui.api import signing
from roma_tui.api.errors import AuthError, BadResponseError, ConfigError, TransportError
from roma_tui.clock import FakeClock, SystemClock
from roma_tui.config import Config, cache_key, connect, ensure_safe, resolve_config
from roma_tui.project_cache import FILE_NAME
from roma_tui.simulator import create_app

IAM = "https://iam.cn-north-4.myhuaweicloud.com"
REGION = "cn-north-4"
OTHER = "fedcba9876543210fedcba9876543210"


class FakeIam:
    """IAM answering /v3/projects with `projects`, and password tokens scoped by name."""

    def __init__(self, projects: list[dict[str, str]] | None = None) -> None:
        self.projects = [{"id": PROJECT, "name": REGION}] if projects is None else projects
        self.requests: list[httpx.Request] = []
        self.status = 200
        self.error: dict[str, str] = {}

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.status != 200:
            return httpx.Response(self.status, json=self.error)
        if request.url.path == "/v3/projects":
            name = request.url.params.get("name")
            found = [p for p in self.projects if p["name"] == name]
            return httpx.Response(200, json={"links": {}, "projects": found})
        if request.url.path == "/v3/auth/tokens":
            scope = json.loads(request.content)["auth"]["scope"]["project"]
            project = {"id": PROJECT, "name": scope.get("name", REGION)}
            body = {"token": {"expires_at": "2099-01-01T00:00:00.000000Z", "project": project}}
            return httpx.Response(201, json=body, headers={"X-Subject-Token": TOKEN})
        return httpx.Response(200, json={"total": 0, "size": 0, "instances": []})

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


def resolve(tmp_path: Path, env: Mapping[str, str], **flags: object) -> Config:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return resolve_config({"region": REGION, **flags}, env, home=home, config_dir=home / ".config")


AKSK = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}
USER = {"ROMA_TUI_IAM_USER": "alice", "ROMA_TUI_IAM_DOMAIN": "acme", "ROMA_TUI_PASSWORD": PASSWORD}


async def discover(
    tmp_path: Path,
    env: Mapping[str, str],
    iam: FakeIam,
    *,
    then_list: bool = False,
    **flags: object,
) -> Config:
    """connect() on `iam`; with `then_list`, the client then lists the instances once."""
    config = resolve(tmp_path, env, **flags)
    found, client = await connect(
        config, FakeClock(), transport=iam.transport, cache_dir=tmp_path / "cache"
    )
    async with client:
        assert client.project_id == found.project_id
        if then_list:
            await client.list_instances()
    return found


# -- the request, as the SDK sends it ------------------------------------------------------


async def test_aksk_asks_iam_for_the_region_signed_without_a_project_id(tmp_path: Path) -> None:
    iam = FakeIam()
    config = await discover(tmp_path, AKSK, iam)
    assert config.project_id == PROJECT
    assert config.sources["project_id"] == f"discovered via IAM at {IAM}"
    (request,) = iam.requests
    assert str(request.url) == f"{IAM}/v3/projects?name={REGION}"
    assert request.method == "GET"
    assert "X-Project-Id" not in request.headers
    parsed = signing.parse_authorization(request.headers["Authorization"])
    assert parsed is not None and parsed[0] == AK


async def test_the_client_then_signs_with_the_discovered_project(tmp_path: Path) -> None:
    iam = FakeIam()
    await discover(tmp_path, AKSK, iam, then_list=True)
    _lookup, listing = iam.requests
    assert listing.url.path == f"/v2/{PROJECT}/instances"
    assert listing.headers["X-Project-Id"] == PROJECT


async def test_token_asks_iam_with_the_token(tmp_path: Path) -> None:
    iam = FakeIam()
    config = await discover(tmp_path, {"ROMA_TUI_TOKEN": TOKEN}, iam)
    assert config.project_id == PROJECT
    assert iam.requests[0].headers["X-Auth-Token"] == TOKEN


async def test_password_scopes_its_token_by_region_and_asks_iam_once(tmp_path: Path) -> None:
    iam = FakeIam()
    found = await discover(tmp_path, USER, iam, then_list=True)
    assert found.project_id == PROJECT
    token_request, listing = iam.requests
    body = json.loads(token_request.content)
    assert body["auth"]["scope"] == {"project": {"name": REGION}}
    assert listing.url.path == f"/v2/{PROJECT}/instances"
    assert listing.headers["X-Auth-Token"] == TOKEN


# -- none, several, refused ------------------------------------------------------------------


async def test_no_project_of_that_name_is_one_line_naming_region_and_flag(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        await discover(tmp_path, AKSK, FakeIam(projects=[]))
    message = caught.value.message
    assert message == (
        "IAM at iam.cn-north-4.myhuaweicloud.com knows no project named cn-north-4 for these "
        "credentials: check the region, or pass --project-id ID (the console lists it under "
        "My Credentials > Projects)"
    )


async def test_several_projects_of_that_name_are_listed(tmp_path: Path) -> None:
    iam = FakeIam([{"id": PROJECT, "name": REGION}, {"id": OTHER, "name": REGION}])
    with pytest.raises(ConfigError) as caught:
        await discover(tmp_path, AKSK, iam)
    assert f"has 2 projects named cn-north-4 ({PROJECT}, {OTHER})" in caught.value.message
    assert caught.value.message.endswith("pass the one to use with --project-id ID")


@pytest.mark.parametrize("code", ["APIG.0301", "APIGW.0301"])
async def test_iam_refusing_the_signature_is_an_auth_error_with_the_hint(
    tmp_path: Path, code: str
) -> None:
    iam = FakeIam()
    iam.status = 401
    iam.error = {"error_code": code, "error_msg": "Incorrect IAM authentication information"}
    with pytest.raises(AuthError) as caught:
        await discover(tmp_path, AKSK, iam)
    message = caught.value.message
    assert message.startswith("IAM at iam.cn-north-4.myhuaweicloud.com refused the project lookup")
    assert f"HTTP 401 {code}" in message
    assert "The AK/SK signature was rejected" in message
    assert len(iam.requests) == 1, "a rejected signature is never retried"


async def test_an_unexpected_answer_is_a_bad_response(tmp_path: Path) -> None:
    iam = FakeIam([{"id": "not-hex", "name": REGION}])
    with pytest.raises(BadResponseError, match="not 32 hex characters"):
        await discover(tmp_path, AKSK, iam)


async def test_iam_out_of_reach_is_a_transport_error(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    config = resolve(tmp_path, AKSK)
    with pytest.raises(TransportError) as caught:
        await connect(config, FakeClock(), transport=httpx.MockTransport(refuse),
                      cache_dir=tmp_path / "cache")  # fmt: skip
    assert caught.value.message == (
        "cannot reach IAM at iam.cn-north-4.myhuaweicloud.com to look up the project id of "
        "cn-north-4: connection refused"
    )


def test_a_token_for_the_lookup_never_goes_to_a_plain_http_iam(tmp_path: Path) -> None:
    env = {"ROMA_TUI_TOKEN": TOKEN, "HUAWEICLOUD_SDK_IAM_ENDPOINT": "http://iam.example"}
    with pytest.raises(ConfigError, match=r"refusing to send a token over plain http to iam\."):
        ensure_safe(resolve(tmp_path, env))
    env = {**AKSK, "HUAWEICLOUD_SDK_SECURITY_TOKEN": SECURITY_TOKEN,
           "HUAWEICLOUD_SDK_IAM_ENDPOINT": "http://iam.example"}  # fmt: skip
    with pytest.raises(ConfigError, match="security token over plain http"):
        ensure_safe(resolve(tmp_path, env))
    ensure_safe(resolve(tmp_path, {**AKSK, "HUAWEICLOUD_SDK_IAM_ENDPOINT": "http://iam.example"}))


# -- the cache ------------------------------------------------------------------------------


async def test_the_second_start_needs_no_lookup(tmp_path: Path) -> None:
    iam = FakeIam()
    await discover(tmp_path, AKSK, iam)
    assert len(iam.requests) == 1
    again = await discover(tmp_path, AKSK, iam)
    assert len(iam.requests) == 1
    assert again.project_id == PROJECT
    assert again.sources["project_id"] == "discovered via IAM, cached"


async def test_the_cache_is_private_and_holds_no_secret_and_no_access_key(tmp_path: Path) -> None:
    for env in (AKSK, {"ROMA_TUI_TOKEN": TOKEN}, USER):
        await discover(tmp_path, env, FakeIam())
    path = tmp_path / "cache" / FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text(encoding="utf-8")
    for secret in (*SECRETS, AK, "alice"):
        assert secret not in text
    assert len(json.loads(text)["projects"]) == 3


async def test_the_cache_is_per_credential_region_and_iam_endpoint(tmp_path: Path) -> None:
    base = resolve(tmp_path, AKSK)
    keys = {
        cache_key(base),
        cache_key(resolve(tmp_path, {**AKSK, "HUAWEICLOUD_SDK_AK": "HPUAOTHERKEY00000001"})),
        cache_key(resolve(tmp_path, AKSK, region="cn-east-3")),
        cache_key(resolve(tmp_path, {**AKSK, "HUAWEICLOUD_SDK_IAM_ENDPOINT": "https://i.example"})),
        cache_key(resolve(tmp_path, {"ROMA_TUI_TOKEN": TOKEN})),
        cache_key(resolve(tmp_path, {"ROMA_TUI_TOKEN": TOKEN + "x"})),
    }
    assert len(keys) == 6
    iam = FakeIam()
    await discover(tmp_path, AKSK, iam)
    await discover(tmp_path, {**AKSK, "HUAWEICLOUD_SDK_AK": "HPUAOTHERKEY00000001"}, iam)
    assert len(iam.requests) == 2


async def test_a_corrupt_cache_is_ignored_and_rewritten(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / FILE_NAME).write_text("{not json", encoding="utf-8")
    iam = FakeIam()
    assert (await discover(tmp_path, AKSK, iam)).project_id == PROJECT
    assert json.loads((cache / FILE_NAME).read_text(encoding="utf-8"))["version"] == 1


async def test_a_given_project_id_needs_no_lookup(tmp_path: Path) -> None:
    iam = FakeIam()
    config = await discover(tmp_path, AKSK, iam, project_id=OTHER)
    assert config.project_id == OTHER
    assert iam.requests == []
    assert not (tmp_path / "cache").exists()


# -- end to end: the simulator over a real loopback socket ---------------------------------


def sim_env(server: SimServer, method: str) -> dict[str, str]:
    creds = server.credentials
    iam = {"HUAWEICLOUD_SDK_IAM_ENDPOINT": server.base_url}
    if method == "token":
        return {"ROMA_TUI_TOKEN": creds.token.get_secret_value(), **iam}
    if method == "aksk":
        return {"HUAWEICLOUD_SDK_AK": creds.ak,
                "HUAWEICLOUD_SDK_SK": creds.sk.get_secret_value(), **iam}  # fmt: skip
    return {
        "ROMA_TUI_IAM_USER": creds.iam_user,
        "ROMA_TUI_IAM_DOMAIN": creds.iam_domain,
        "ROMA_TUI_PASSWORD": creds.iam_password.get_secret_value(),
        **iam,
    }


@pytest.mark.parametrize("method", ["token", "aksk", "password"])
async def test_each_auth_method_finds_the_simulators_project(
    tmp_path: Path, sim_server: SimServer, method: str
) -> None:
    config = resolve(tmp_path, sim_env(sim_server, method), endpoint=sim_server.base_url)
    assert config.project_id is None
    found, client = await connect(config, sim_server.clock, cache_dir=tmp_path / "cache")
    async with client:
        listed = await client.list_instances()
    assert found.project_id == sim_server.credentials.project_id
    assert listed.total == 11


async def test_a_region_without_a_project_in_the_simulator(
    tmp_path: Path, sim_server: SimServer
) -> None:
    env = sim_env(sim_server, "aksk")
    config = resolve(tmp_path, env, endpoint=sim_server.base_url, region="eu-west-0")
    with pytest.raises(ConfigError, match="knows no project named eu-west-0"):
        await connect(config, sim_server.clock, cache_dir=tmp_path / "cache")


def test_the_official_sdk_finds_the_project_through_the_simulators_iam(
    sim_socket: SimSocket,
) -> None:
    """The SDK's own BasicCredentials without a project id: it asks the simulator's IAM
    (`process_auth_params`), then lists instances with the id it found."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkcore.region.region import Region
    from huaweicloudsdkroma.v2 import CheckRomaInstanceListV2Request
    from huaweicloudsdkroma.v2 import RomaClient as SdkClient

    app = create_app(clock=SystemClock())  # the SDK signs with the real time
    paths: list[str] = []

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        paths.append(f"{scope['path']}?{scope['query_string'].decode()}")
        await app(scope, receive, send)

    sim_socket.install(recording)
    BasicCredentials._CACHE.clear()  # the SDK caches project ids per AK + region in the class
    creds = app.sim.credentials
    config = HttpConfig.get_default_config()
    config.timeout = (5, 10)
    credentials = BasicCredentials(creds.ak, creds.sk.get_secret_value()).with_iam_endpoint(
        sim_socket.base_url
    )
    sdk = (
        SdkClient.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        .with_region(Region(creds.region, sim_socket.base_url))
        .build()
    )
    assert paths == [f"/v3/projects?name={creds.region}"]
    assert credentials.project_id == creds.project_id
    listed = sdk.check_roma_instance_list_v2(CheckRomaInstanceListV2Request(limit=100))
    assert listed.total == 11
    assert paths[1].startswith(f"/v2/{creds.project_id}/instances?")
