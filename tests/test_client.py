"""RomaClient: paging, error mapping, retries, headers, connection reuse.

Everything runs on httpx.MockTransport (one test uses a tiny HTTP server on 127.0.0.1) and a
FakeClock, so backoff sleeps are instant and measurable.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Generator
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from roma_tui import __version__
from roma_tui.api.auth import TokenAuth
from roma_tui.api.client import RetryEvent, RetryPolicy, RomaClient
from roma_tui.api.errors import (
    ApiError,
    AuthError,
    BadResponseError,
    ConfigError,
    NotFoundError,
    RomaError,
    TransportError,
)
from roma_tui.api.models import InstanceListResponse
from roma_tui.clock import FakeClock

ENDPOINT = "https://roma.example.invalid"
PROJECT = "0123456789abcdef0123456789abcdef"
LIST_PATH = f"/v2/{PROJECT}/instances"
TOKEN = "MIIsecret-token-value-never-shown"

Handler = Callable[[httpx.Request], httpx.Response]


class FakeTokenAuth(httpx.Auth):
    method = "token"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Auth-Token"] = TOKEN
        yield request


class FakeAkSkAuth(httpx.Auth):
    method = "aksk"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = (
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=0"
        )
        yield request


class Recorder:
    """A MockTransport handler that answers from a script and remembers every request."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    @property
    def count(self) -> int:
        return len(self.requests)


def make_client(
    handler: Handler,
    *,
    clock: FakeClock | None = None,
    auth: httpx.Auth | None = None,
    retry: RetryPolicy | None = None,
    events: list[RetryEvent] | None = None,
    random: Callable[[], float] = lambda: 1.0,
) -> RomaClient:
    return RomaClient(
        ENDPOINT,
        PROJECT,
        auth if auth is not None else FakeTokenAuth(),
        transport=httpx.MockTransport(handler),
        clock=clock or FakeClock(),
        retry=retry,
        on_retry=events.append if events is not None else None,
        random=random,
    )


def instance(n: int) -> dict[str, Any]:
    return {"id": f"id-{n:04d}", "name": f"roma-{n}", "status": "RUNNING", "create_time": "x"}


def paged_handler(
    total: int | None, page_size: int = 100, *, report_total: bool = True
) -> Recorder:
    """A list endpoint holding `total` instances, answering at most `page_size` per page."""
    everything = [instance(n) for n in range(total or 0)]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path != LIST_PATH:
            return httpx.Response(
                200, json={"instance_id": "x", "name": "one", "status": "running"}
            )
        offset = int(request.url.params["offset"])
        limit = int(request.url.params["limit"])
        chunk = everything[offset : offset + min(limit, page_size)]
        body: dict[str, Any] = {"size": len(chunk), "instances": chunk}
        if report_total:
            body["total"] = total
        return httpx.Response(200, json=body)

    return Recorder(answer)


def offsets(recorder: Recorder) -> list[int]:
    return [int(r.url.params["offset"]) for r in recorder.requests]


def error_response(
    status: int,
    body: object = None,
    *,
    text: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    if text is not None:
        return httpx.Response(status, text=text, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


# --- paging ----------------------------------------------------------------------------------


async def test_list_follows_pages_until_total() -> None:
    rec = paged_handler(250)
    async with make_client(rec) as client:
        result = await client.list_instances()
    assert offsets(rec) == [0, 100, 200]
    assert all(r.url.params["limit"] == "100" for r in rec.requests)
    assert all(r.url.path == LIST_PATH for r in rec.requests)
    assert result.total == 250
    assert result.size == 250
    assert [i.id for i in result.instances] == [f"id-{n:04d}" for n in range(250)]
    assert len(result.raw["instances"]) == 250


async def test_list_keeps_paging_when_server_sends_fewer_than_limit() -> None:
    rec = paged_handler(25, page_size=10)
    async with make_client(rec) as client:
        result = await client.list_instances()
    assert offsets(rec) == [0, 10, 20]
    assert len(result.instances) == 25
    assert result.instances[-1].name == "roma-24"


async def test_list_without_total_stops_at_a_short_page() -> None:
    rec = paged_handler(130, report_total=False)
    async with make_client(rec) as client:
        result = await client.list_instances()
    assert offsets(rec) == [0, 100]
    assert len(result.instances) == 130
    assert result.total == 130


async def test_list_stops_at_an_empty_page_even_if_total_says_more() -> None:
    page = {"total": 500, "size": 100, "instances": [instance(n) for n in range(100)]}
    rec = Recorder(
        httpx.Response(200, json=page), httpx.Response(200, json={"total": 500, "instances": []})
    )
    async with make_client(rec) as client:
        result = await client.list_instances()
    assert rec.count == 2
    assert len(result.instances) == 100


async def test_list_of_nothing() -> None:
    rec = Recorder(httpx.Response(200, json={"total": 0, "size": 0, "instances": []}))
    async with make_client(rec) as client:
        result = await client.list_instances()
    assert rec.count == 1
    assert result.instances == []
    assert result.total == 0


async def test_list_drops_duplicates_when_the_list_shifts_while_paging() -> None:
    first = [instance(n) for n in range(100)]
    second = [instance(n) for n in range(99, 150)]  # one new instance pushed id-0099 down
    rec = Recorder(
        httpx.Response(200, json={"total": 151, "instances": first}),
        httpx.Response(200, json={"total": 151, "instances": second}),
    )
    async with make_client(rec) as client:
        result = await client.list_instances()
    ids = [i.id for i in result.instances]
    assert len(ids) == len(set(ids)) == 150
    assert [m["id"] for m in result.raw["instances"]] == ids
    assert (result.raw["size"], result.size) == (150, 150)


async def test_list_validates_the_merged_list_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages are only checked for their paging fields; the 250 members are validated once."""
    seen: list[object] = []
    original = InstanceListResponse.parse.__func__  # type: ignore[attr-defined]

    def spy(cls: type[InstanceListResponse], data: object) -> InstanceListResponse:
        seen.append(data)
        return original(cls, data)  # type: ignore[no-any-return]

    monkeypatch.setattr(InstanceListResponse, "parse", classmethod(spy))
    rec = paged_handler(250)
    async with make_client(rec) as client:
        result = await client.list_instances()
    assert rec.count == 3
    assert len(seen) == 1 and seen[0] is result.raw
    assert (result.raw["total"], result.raw["size"]) == (250, 250)
    assert [m["id"] for m in result.raw["instances"]] == [f"id-{n:04d}" for n in range(250)]


async def test_list_pages_stay_tolerant() -> None:
    """A quoted total still pages; odd members are kept raw and validated like one page."""
    first = [instance(0), "junk", {"id": "id-0001", "name": ["not", "text"], "status": 7}]
    rec = Recorder(
        httpx.Response(200, json={"total": "4", "instances": first}),
        httpx.Response(200, json={"total": "4", "instances": [instance(3)]}),
    )
    async with make_client(rec) as client:
        result = await client.list_instances()
    assert rec.count == 2
    assert [i.id for i in result.instances] == ["id-0000", "id-0001", "id-0003"]
    assert (result.instances[1].name, result.instances[1].status) == (None, "7")
    assert result.raw["instances"][1] == "junk"
    assert (result.total, result.size) == (4, 4)


async def test_a_list_page_that_is_not_an_object_is_a_bad_response() -> None:
    rec = Recorder(httpx.Response(200, json=[1, 2]))
    async with make_client(rec) as client:
        with pytest.raises(BadResponseError, match="instance list response is not a JSON object"):
            await client.list_instances()


async def test_status_filter_is_sent_on_every_page() -> None:
    rec = paged_handler(150)
    async with make_client(rec) as client:
        await client.list_instances(status="CREATING")
    assert rec.count == 2
    assert [r.url.params.get("status") for r in rec.requests] == ["CREATING", "CREATING"]


async def test_no_status_parameter_without_a_filter() -> None:
    rec = paged_handler(3)
    async with make_client(rec) as client:
        await client.list_instances()
    assert "status" not in rec.requests[0].url.params


# --- the single-instance endpoints -----------------------------------------------------------


async def test_the_progress_path_percent_encodes_the_id() -> None:
    rec = Recorder(
        lambda r: httpx.Response(200, json={"instance_id": "x", "progress": 40, "item": []})
    )
    async with make_client(rec) as client:
        progress = await client.get_creation_progress("a/b c?")
    assert rec.requests[0].url.raw_path == f"/v2/{PROJECT}/instances/a%2Fb%20c%3F/process".encode()
    assert progress.progress == 40
    assert progress.raw == {"instance_id": "x", "progress": 40, "item": []}


# --- error bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"error_code": "ROMA.1002", "error_msg": "Invalid request parameter"},
        {"errorCode": "ROMA.1002", "errorMsg": "Invalid request parameter"},
        {"code": "ROMA.1002", "message": "Invalid request parameter"},
        {"error": {"code": "ROMA.1002", "message": "Invalid request parameter", "title": "Bad"}},
    ],
    ids=["snake", "camel", "code-message", "nested"],
)
async def test_every_error_body_shape_gives_code_and_message(body: dict[str, Any]) -> None:
    rec = Recorder(error_response(400, body, headers={"X-Request-Id": "8c1e5d"}))
    async with make_client(rec) as client:
        with pytest.raises(ApiError) as info:
            await client.get_creation_progress("abc")
    error = info.value
    assert type(error) is ApiError
    assert error.status_code == 400
    assert error.error_code == "ROMA.1002"
    assert error.error_msg == "Invalid request parameter"
    assert error.message == "HTTP 400 ROMA.1002: Invalid request parameter (request 8c1e5d)"
    assert str(error) == error.message
    assert rec.count == 1


async def test_html_gateway_page_becomes_a_short_plain_message() -> None:
    page = (
        "<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head>"
        "<body>\n\n<center><h1>502   Bad Gateway</h1></center>\n"
        + "<p>upstream &amp; friends are down. " * 40
        + "</p><hr><center>nginx</center></body></html>"
    )
    rec = Recorder(error_response(502, text=page, headers={"Content-Type": "text/html"}))
    async with make_client(rec, retry=RetryPolicy(attempts=1)) as client:
        with pytest.raises(ApiError) as info:
            await client.list_instances()
    error = info.value
    assert error.status_code == 502
    assert error.error_code is None
    assert error.error_msg is not None
    assert error.error_msg.startswith("502 Bad Gateway 502 Bad Gateway upstream & friends")
    assert len(error.error_msg) <= 200
    assert "<" not in error.message and "color:red" not in error.message
    assert "\n" not in error.message
    assert len(error.message) < 230


async def test_request_id_is_kept() -> None:
    rid = "8c1e5d4b7f9a4e2c9d3b1a0f6e5d4c3b"
    body = {"error_code": "APIGW.0101", "error_msg": "The API does not exist"}
    rec = Recorder(error_response(400, body, headers={"X-Request-Id": rid}))
    async with make_client(rec) as client:
        with pytest.raises(ApiError) as info:
            await client.get_creation_progress("abc")
    assert info.value.request_id == rid
    assert f"(request {rid})" in info.value.message


async def test_empty_error_body_uses_the_reason_phrase() -> None:
    rec = Recorder(httpx.Response(400, content=b""))
    async with make_client(rec) as client:
        with pytest.raises(ApiError) as info:
            await client.get_creation_progress("abc")
    assert info.value.message == "HTTP 400: Bad Request"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, {"error_code": "APIC.7302", "error_msg": "Instance not found"}),
        (404, None),
        (500, {"error_code": "ROMA.00110002", "error_msg": "The instance does not exist"}),
    ],
)
async def test_not_found_by_status_or_by_code(status: int, body: object) -> None:
    rec = Recorder(error_response(status, body))
    async with make_client(rec) as client:
        with pytest.raises(NotFoundError) as info:
            await client.get_creation_progress("gone")
    assert info.value.not_found
    assert info.value.status_code == status
    assert rec.count == 1  # a missing instance is not a server hiccup: never retried


async def test_expired_token_says_so() -> None:
    body = {"error_code": "APIGW.0307", "error_msg": "The token must be updated."}
    rec = Recorder(error_response(401, body))
    async with make_client(rec) as client:
        with pytest.raises(AuthError) as info:
            await client.list_instances()
    assert "token expired" in info.value.message.lower()
    assert info.value.auth_failed


async def test_aksk_401_mentions_the_clock_and_the_lockout_and_is_not_retried() -> None:
    body = {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"}
    rec = Recorder(error_response(401, body))
    events: list[RetryEvent] = []
    client = make_client(rec, auth=FakeAkSkAuth(), retry=RetryPolicy(attempts=5), events=events)
    assert client.auth_method == "aksk"
    async with client:
        with pytest.raises(AuthError) as info:
            await client.list_instances()
    message = info.value.message
    assert message.startswith("The AK/SK signature was rejected")  # what it means, first
    assert message.endswith("HTTP 401 APIGW.0301: Incorrect IAM authentication information")
    assert "clock" in message and "15 minutes" in message
    assert "5 bad signatures" in message and "5 minutes" in message
    assert rec.count == 1
    assert events == []


async def test_token_401_is_never_retried_and_names_the_auth_method() -> None:
    body = {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"}
    rec = Recorder(error_response(401, body))
    async with make_client(rec, retry=RetryPolicy(attempts=5)) as client:
        with pytest.raises(AuthError) as info:
            await client.get_creation_progress("abc")
    assert rec.count == 1
    assert "auth: token" in info.value.message
    assert "clock" not in info.value.message


@pytest.mark.parametrize("status", [400, 403, 404, 409, 422])
async def test_other_4xx_are_not_retried(status: int) -> None:
    rec = Recorder(error_response(status, {"error_code": "ROMA.1000", "error_msg": "no"}))
    async with make_client(rec, retry=RetryPolicy(attempts=5)) as client:
        with pytest.raises(ApiError) as info:
            await client.get_creation_progress("abc")
    assert rec.count == 1
    assert info.value.status_code == status
    assert isinstance(info.value, AuthError) == (status == 403)


# --- retries ---------------------------------------------------------------------------------


async def test_5xx_is_retried_with_backoff_then_succeeds() -> None:
    clock = FakeClock()
    events: list[RetryEvent] = []
    ok = httpx.Response(200, json={"instance_id": "abc", "name": "roma", "status": "running"})
    rec = Recorder(error_response(503, {"error_code": "ROMA.9999"}), error_response(500, None), ok)
    policy = RetryPolicy()
    async with make_client(rec, clock=clock, retry=policy, events=events, random=lambda: 0.5) as c:
        detail = await c.get_creation_progress("abc")
    assert detail.status == "running"
    assert rec.count == 3
    assert [e.attempt for e in events] == [1, 2]
    assert [e.delay for e in events] == [0.25, 0.5]  # full jitter: 0.5 * (0.5, 1.0)
    assert [e.error.status_code for e in events if isinstance(e.error, ApiError)] == [503, 500]
    assert clock.monotonic() == pytest.approx(0.75)


async def test_5xx_gives_up_after_the_last_attempt_with_the_last_error() -> None:
    rec = Recorder(error_response(503, None), error_response(502, {"error_msg": "last"}))
    async with make_client(rec, retry=RetryPolicy(attempts=2)) as client:
        with pytest.raises(ApiError) as info:
            await client.list_instances()
    assert rec.count == 2
    assert info.value.status_code == 502
    assert info.value.error_msg == "last"


async def test_backoff_without_jitter_doubles_and_is_capped() -> None:
    clock = FakeClock()
    events: list[RetryEvent] = []
    rec = Recorder(httpx.ConnectError("[Errno 111] Connection refused"))
    policy = RetryPolicy(attempts=6, base_delay=1.0, max_delay=5.0, jitter=False)
    async with make_client(rec, clock=clock, retry=policy, events=events) as client:
        with pytest.raises(TransportError):
            await client.list_instances()
    assert [e.delay for e in events] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert clock.monotonic() == pytest.approx(17.0)


async def test_429_waits_at_least_retry_after_seconds() -> None:
    clock = FakeClock()
    events: list[RetryEvent] = []
    throttled = error_response(
        429,
        {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached"},
        headers={"Retry-After": "5"},
    )
    ok = httpx.Response(200, json={"total": 0, "instances": []})
    rec = Recorder(throttled, ok)
    policy = RetryPolicy()
    async with make_client(rec, clock=clock, retry=policy, events=events, random=lambda: 0.0) as c:
        await c.list_instances()
    assert rec.count == 2
    assert clock.monotonic() >= 5.0
    assert events[0].delay == 5.0
    assert isinstance(events[0].error, ApiError)
    assert events[0].error.retry_after == 5.0
    assert events[0].error.throttled
    assert "retry after 5 s" in events[0].error.message


async def test_429_retry_after_as_an_http_date() -> None:
    clock = FakeClock()
    when = format_datetime(clock.now() + timedelta(seconds=7), usegmt=True)
    rec = Recorder(
        error_response(429, None, headers={"Retry-After": when}),
        httpx.Response(200, json={"total": 0, "instances": []}),
    )
    async with make_client(rec, clock=clock, retry=RetryPolicy(), random=lambda: 0.0) as client:
        await client.list_instances()
    assert rec.count == 2
    assert clock.monotonic() >= 7.0


async def test_429_asking_for_too_long_is_raised_with_retry_after_for_the_caller() -> None:
    clock = FakeClock()
    rec = Recorder(error_response(429, None, headers={"Retry-After": "600"}))
    async with make_client(rec, clock=clock) as client:
        with pytest.raises(ApiError) as info:
            await client.list_instances()
    assert rec.count == 1
    assert info.value.retry_after == 600.0
    assert clock.monotonic() == 0.0


async def test_connection_refused_is_retried_then_raised_as_transport_error() -> None:
    clock = FakeClock()
    events: list[RetryEvent] = []
    rec = Recorder(httpx.ConnectError("[Errno 111] Connection refused"))
    async with make_client(rec, clock=clock, retry=RetryPolicy(), events=events) as client:
        with pytest.raises(TransportError) as info:
            await client.list_instances()
    assert info.value.message == f"cannot reach {ENDPOINT}: connection refused"
    assert info.value.transient
    assert rec.count == 3
    assert [e.attempt for e in events] == [1, 2]
    assert all(isinstance(e.error, TransportError) for e in events)
    assert clock.monotonic() == pytest.approx(0.5 + 1.0)


async def test_connection_error_then_success() -> None:
    rec = Recorder(
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.Response(200, json={"total": 1, "instances": [instance(1)]}),
    )
    async with make_client(rec, retry=RetryPolicy()) as client:
        result = await client.list_instances()
    assert rec.count == 2
    assert [i.id for i in result.instances] == ["id-0001"]


async def test_read_timeout_names_the_limit_and_the_endpoint() -> None:
    rec = Recorder(httpx.ReadTimeout("timed out"))
    async with make_client(rec, retry=RetryPolicy(attempts=1)) as client:
        with pytest.raises(TransportError) as info:
            await client.get_creation_progress("abc")
    assert info.value.message == f"timed out after 30 s waiting for {ENDPOINT}"


async def test_connect_timeout_is_retried() -> None:
    rec = Recorder(httpx.ConnectTimeout("timed out"))
    async with make_client(rec, retry=RetryPolicy()) as client:
        with pytest.raises(TransportError) as info:
            await client.get_creation_progress("abc")
    assert rec.count == 3
    assert info.value.message == f"timed out after 10 s connecting to {ENDPOINT}"


async def test_non_json_2xx_is_a_transient_bad_response_retried_like_a_5xx() -> None:
    """What a proxy cutting the connection looks like: a retrying policy tries again."""
    rec = Recorder(httpx.Response(200, text="<html><body>Login portal</body></html>"))
    async with make_client(rec, retry=RetryPolicy(attempts=2)) as client:
        with pytest.raises(BadResponseError) as info:
            await client.list_instances()
    assert rec.count == 2
    assert info.value.transient
    assert "not JSON" in info.value.message
    assert "Login portal" in info.value.message
    assert "<" not in info.value.message


async def test_json_of_the_wrong_shape_is_a_bad_response() -> None:
    rec = Recorder(httpx.Response(200, json=["not", "an", "object"]))
    async with make_client(rec) as client:
        with pytest.raises(BadResponseError):
            await client.get_creation_progress("abc")


async def test_only_roma_errors_escape() -> None:
    """Whatever httpx raises comes out as a RomaError."""
    for exc in (
        httpx.ConnectError("x"),
        httpx.ReadError("x"),
        httpx.WriteTimeout("x"),
        httpx.PoolTimeout("x"),
        httpx.ProxyError("x"),
        httpx.DecodingError("x"),
    ):
        rec = Recorder(exc)
        async with make_client(rec, retry=RetryPolicy(attempts=1)) as client:
            with pytest.raises(RomaError):
                await client.list_instances()


# --- headers, secrets, logging, reuse --------------------------------------------------------


async def test_user_agent_and_accept_headers() -> None:
    rec = Recorder(httpx.Response(200, json={"total": 0, "instances": []}))
    async with make_client(rec) as client:
        await client.list_instances()
    headers = rec.requests[0].headers
    assert headers["User-Agent"] == f"roma-tui/{__version__}"
    assert headers["Accept"] == "application/json"
    assert headers["X-Auth-Token"] == TOKEN  # the auth object did its job


def test_auth_method_attribute() -> None:
    rec = Recorder(httpx.Response(200))
    assert make_client(rec).auth_method == "token"
    assert make_client(rec, auth=FakeAkSkAuth()).auth_method == "aksk"
    plain = RomaClient(ENDPOINT, PROJECT, None, transport=httpx.MockTransport(rec))
    assert plain.auth_method == "none"
    assert plain.endpoint == ENDPOINT and plain.project_id == PROJECT


def test_auth_description_comes_from_the_auth_object() -> None:
    rec = Recorder(httpx.Response(200))
    token = make_client(rec, auth=TokenAuth(SecretStr(TOKEN)))
    assert token.auth_description == "token"
    assert TOKEN not in repr(token)
    assert make_client(rec, auth=FakeAkSkAuth()).auth_description == "FakeAkSkAuth"
    plain = RomaClient(ENDPOINT, PROJECT, None, transport=httpx.MockTransport(rec))
    assert plain.auth_description == "none"


def test_default_timeouts() -> None:
    client = make_client(Recorder(httpx.Response(200)))
    timeout = client.http.timeout
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (10, 30, 10, 10)


async def test_debug_log_has_method_path_status_but_no_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"}
    rec = Recorder(error_response(401, body, headers={"X-Request-Id": "rid-1"}))
    caplog.set_level(logging.DEBUG, logger="roma_tui.api")
    async with make_client(rec) as client:
        with pytest.raises(AuthError) as info:
            await client.list_instances()
    text = caplog.text
    assert f"GET {LIST_PATH}?offset=0&limit=100 -> 401" in text
    assert "APIGW.0301" in text and "rid-1" in text
    assert TOKEN not in text
    assert TOKEN not in info.value.message and TOKEN not in repr(client)


async def test_endpoint_credentials_never_reach_messages() -> None:
    rec = Recorder(httpx.ConnectError("[Errno 111] Connection refused"))
    client = RomaClient(
        "https://user:hunter2@roma.example.invalid/prefix/",
        PROJECT,
        None,
        transport=httpx.MockTransport(rec),
        clock=FakeClock(),
        retry=RetryPolicy(attempts=1),
    )
    async with client:
        with pytest.raises(TransportError) as info:
            await client.list_instances()
    assert (
        info.value.message == "cannot reach https://roma.example.invalid/prefix: connection refused"
    )
    assert rec.requests[0].url.path == f"/prefix{LIST_PATH}"


async def test_one_async_client_is_shared_by_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    created: list[httpx.AsyncClient] = []
    real = httpx.AsyncClient

    class Counting(real):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            created.append(self)

    monkeypatch.setattr(httpx, "AsyncClient", Counting)
    rec = paged_handler(120)
    async with make_client(rec) as client:
        await client.list_instances()
        await client.list_instances()
        await client.get_creation_progress("id-0001")
        assert not client.http.is_closed
    assert len(created) == 1
    assert created[0] is client.http
    assert client.http.is_closed


async def test_connection_reuse_over_a_real_loopback_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    connections = 0
    requests = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections, requests
        connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                requests += 1
                target = head.split(b" ", 2)[1].decode()
                if "/instances?" in target:
                    body = {"total": 1, "size": 1, "instances": [instance(1)]}
                else:
                    body = {"instance_id": "id-0001", "name": "roma-1", "status": "running"}
                data = json.dumps(body).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with RomaClient(f"http://127.0.0.1:{port}", PROJECT, None) as client:
            for _ in range(3):
                await client.list_instances()
                await client.get_creation_progress("id-0001")
    finally:
        server.close()
        await server.wait_closed()
    assert requests == 6
    assert connections == 1


def test_a_missing_ca_bundle_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        RomaClient(ENDPOINT, PROJECT, None, verify=str(tmp_path / "missing.pem"))
    assert "CA bundle" in info.value.message


async def test_an_empty_instance_id_is_refused_before_any_request() -> None:
    rec = Recorder(httpx.Response(200, json={}))
    async with make_client(rec) as client:
        with pytest.raises(ConfigError):
            await client.get_creation_progress("")
    assert rec.count == 0
