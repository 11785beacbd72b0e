"""The simulator's ASGI application (Starlette): a faithful fake of the ROMA Connect API.

Endpoints (same paths, query parameters, casing and error bodies as the real service):
`GET /v2/{project_id}/instances`, `GET /v2/{project_id}/instances/{id}/process`,
`GET /v2/{project_id}/apic/instances/{id}`, and IAM's `POST /v3/auth/tokens` (scoped by project
id or name) and `GET /v3/projects?name=` (the official SDK's project-id lookup).
Authentication is checked like the API gateway does: `X-Auth-Token` (the configured token or
one IAM issued and not expired) or an `SDK-HMAC-SHA256` signature, recomputed with the SK.
Gateway errors carry the codes and messages of Huawei's API signing FAQ (APIGW.0301 bad or
locked credentials, APIGW.0303 a date more than 15 minutes off, APIGW.0307 an expired token,
APIGW.0308 throttling; `APIG.` with the `apig=1` fault), and every error body its `request_id`.

Time: simulated now = anchor + (clock.now() - anchor) * speed; every instance's state is a pure
function of it. Faults (see `faults.py`) can be changed at run time: `app.faults = Faults(...)`.
May import roma_tui.clock and roma_tui.api.signing only; never api.models or api.client.
"""

from __future__ import annotations

import asyncio
import contextvars
import hmac
import json
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from roma_tui.api import signing
from roma_tui.clock import Clock
from roma_tui.simulator import wire
from roma_tui.simulator.credentials import SimCredentials
from roma_tui.simulator.faults import Faults
from roma_tui.simulator.scenario import (
    InstanceSpec,
    InstanceState,
    Scenario,
    default_scenario,
    evaluate,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
MAX_LIMIT = 100
SDK_DATE_SKEW = timedelta(minutes=15)
TOKEN_LIFETIME = timedelta(hours=24)
LOCKOUT_FAILURES = 5
LOCKOUT_TIME = timedelta(minutes=5)
JSON_TYPE = "application/json;charset=UTF-8"

BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)

Sleep = Callable[[float], Awaitable[None]]


def _ms(moment: datetime) -> int:
    return (moment - _EPOCH) // _MS


# The request being answered: its id goes in the X-Request-Id header and in error bodies (the
# gateway's own errors and ROMA's carry `request_id`), and how the gateway spells its codes.
_REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_GATEWAY: contextvars.ContextVar[str] = contextvars.ContextVar("gateway", default="APIGW.")


def error_body(code: str, msg: str) -> dict[str, str]:
    body = {"error_code": code, "error_msg": msg}
    request_id = _REQUEST_ID.get()
    if request_id is not None:
        body["request_id"] = request_id
    return body


def gateway_code(number: str) -> str:
    """An API gateway error code, e.g. "0301" -> "APIGW.0301" (or "APIG.0301")."""
    return _GATEWAY.get() + number


def json_response(
    data: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    all_headers = {"Content-Type": JSON_TYPE, **(headers or {})}
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(body, status_code=status_code, headers=all_headers)


def api_error(status_code: int, code: str, msg: str, **headers: str) -> Response:
    return json_response(error_body(code, msg), status_code, headers)


def _iam_error(status_code: int, title: str, message: str) -> Response:
    body = {"error": {"code": status_code, "message": message, "title": title}}
    return json_response(body, status_code)


def _same_secret(given: str, secret: str) -> bool:
    """Constant-time comparison that also takes non-ASCII input (a str one raises TypeError)."""
    return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))


def _unauthorized(detail: str) -> Response:
    message = f"Incorrect IAM authentication information: {detail}"
    return api_error(401, gateway_code("0301"), message)


def _expired_token() -> Response:
    return api_error(401, gateway_code("0307"), "The token must be updated.")


class SimState:
    """Everything the simulator knows: scenario, time, credentials, tokens, faults."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        clock: Clock,
        speed: float,
        credentials: SimCredentials,
        faults: Faults,
        anchor: datetime | None,
        sleep: Sleep,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.scenario = scenario
        self.clock = clock
        self.speed = speed
        self.credentials = credentials
        self.sleep = sleep
        self.started = clock.now()
        self.anchor = anchor or self.started
        self.anchor_ms = _ms(self.anchor)
        self.tokens: dict[str, datetime] = {}  # issued by IAM: token -> expires at
        self._failures: dict[str, int] = {}  # AK -> bad signatures in a row
        self._locked_until: dict[str, datetime] = {}
        self._ids = random.Random(0x5EED)
        self._final: dict[str, InstanceState] = {}  # instances whose creation is over
        self._last: tuple[int, list[InstanceState]] | None = None
        self.requests = 0  # ROMA API requests since the faults were last set
        self._faults = faults
        self._dice = random.Random(faults.seed)

    # -- faults ----------------------------------------------------------------------------
    @property
    def faults(self) -> Faults:
        return self._faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self._faults = faults
        self._dice = random.Random(faults.seed)
        self.requests = 0

    def roll(self, probability: float) -> bool:
        return probability > 0 and self._dice.random() < probability

    def next_request_id(self) -> str:
        return f"{self._ids.getrandbits(128):032x}"

    # -- time and data ---------------------------------------------------------------------
    def now_ms(self) -> int:
        """The simulated time, ms epoch."""
        elapsed = (self.clock.now() - self.anchor) / _MS
        return self.anchor_ms + round(elapsed * self.speed)

    def _evaluate(self, spec: InstanceSpec, now_ms: int) -> InstanceState | None:
        if spec.deleted_after is not None:  # its end is not final: it will be deleted
            return evaluate(spec, self.anchor_ms, now_ms)
        final = self._final.get(spec.id)
        if final is not None:
            return final
        state = evaluate(spec, self.anchor_ms, now_ms)
        if state is not None and (
            state.phase == "failed"
            or (state.phase == "running" and state.lifecycle == spec.lifecycle)
        ):
            self._final[spec.id] = state  # it never changes again
        return state

    def instances(self, now_ms: int) -> list[InstanceState]:
        """The instances that exist at `now_ms`, newest first."""
        if self._last is not None and self._last[0] == now_ms:
            return self._last[1]
        states = [self._evaluate(spec, now_ms) for spec in self.scenario.instances]
        existing = [s for s in states if s is not None]
        existing.sort(key=lambda s: (-s.created_ms, s.spec.id))
        self._last = (now_ms, existing)
        return existing

    def instance(self, instance_id: str, now_ms: int) -> InstanceState | None:
        spec = self.scenario.find(instance_id)
        return None if spec is None else self._evaluate(spec, now_ms)

    # -- tokens ----------------------------------------------------------------------------
    def token_lifetime(self) -> timedelta:
        ttl = self.faults.token_ttl
        return TOKEN_LIFETIME if ttl is None else timedelta(seconds=ttl)

    def issue_token(self) -> tuple[str, datetime, datetime]:
        now = self.clock.now()
        token = "MIIsim" + uuid.UUID(int=self._ids.getrandbits(128)).hex + uuid.uuid4().hex
        expires = now + self.token_lifetime()
        self.tokens[token] = expires
        return token, now, expires

    def check_token(self, token: str) -> Response | None:
        now = self.clock.now()
        if _same_secret(token, self.credentials.token.get_secret_value()):
            ttl = self.faults.token_ttl
            if ttl is not None and now >= self.started + timedelta(seconds=ttl):
                return _expired_token()
            return None
        expires = self.tokens.get(token)
        if expires is None:
            return _unauthorized("decrypt token fail")
        if now >= expires:
            return _expired_token()
        return None

    def check_signature(self, request: Request, authorization: str, body: bytes) -> Response | None:
        parsed = signing.parse_authorization(authorization)
        if parsed is None:
            return _unauthorized("the Authorization header is not SDK-HMAC-SHA256")
        ak, signed_headers, signature = parsed
        if ak != self.credentials.ak:
            return _unauthorized("Get secretKey failed,ak:******,err:ak not exist")
        now = self.clock.now()
        locked = self._locked_until.get(ak)
        if locked is not None and now < locked:
            return _unauthorized("AK access failed to reach the limit,forbidden.")
        headers = {k.lower(): v for k, v in request.headers.items()}
        sdk_date = headers.get("x-sdk-date", "")
        try:
            signed_at = datetime.strptime(sdk_date, signing.SDK_DATE_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            return _unauthorized("the X-Sdk-Date header is missing or not yyyymmddThhmmssZ")
        if abs(now - signed_at) > SDK_DATE_SKEW:
            # Huawei's API signing FAQ (devg-apisign api-sign-0003): a date more than 15 minutes
            # off the gateway's clock is APIGW.0303 "signature expired", not a bad signature.
            server_time = now.astimezone(UTC).strftime(signing.SDK_DATE_FORMAT)
            return api_error(
                401,
                gateway_code("0303"),
                "Incorrect app authentication information: signature expired, "
                f"signature time:{sdk_date},server time:{server_time}",
            )
        if "x-sdk-date" not in [h.lower() for h in signed_headers]:
            return self._bad_signature(ak, now, "x-sdk-date is not a signed header")
        query = parse_qsl(request.url.query, keep_blank_values=True)
        raw_path = request.scope.get("raw_path") or request.url.path.encode("utf-8")
        canonical = signing.canonical_request(
            request.method, raw_path.decode("latin-1"), query, headers, signed_headers, body
        )
        expected = signing.compute_signature(
            canonical, sdk_date, self.credentials.sk.get_secret_value()
        )
        if not hmac.compare_digest(expected, signature):
            return self._bad_signature(ak, now, "verify aksk signature fail")
        self._failures.pop(ak, None)
        return None

    def _bad_signature(self, ak: str, now: datetime, detail: str) -> Response:
        failures = self._failures.get(ak, 0) + 1
        self._failures[ak] = failures
        if failures >= LOCKOUT_FAILURES:
            self._locked_until[ak] = now + LOCKOUT_TIME
            self._failures.pop(ak, None)
        return _unauthorized(detail)

    async def authenticate(self, request: Request) -> Response | None:
        """None when the request carries valid credentials, else the 401 to send."""
        token = request.headers.get("x-auth-token")
        if token:
            return self.check_token(token)
        authorization = request.headers.get("authorization")
        if authorization:
            return self.check_signature(request, authorization, await request.body())
        return _unauthorized("no X-Auth-Token or Authorization header")


def _sim(request: Request) -> SimState:
    app = request.app
    assert isinstance(app, SimulatorApp)
    return app.sim


async def _guard(request: Request) -> tuple[SimState, Response | None]:
    sim = _sim(request)
    problem = await sim.authenticate(request)
    if problem is not None:
        return sim, problem
    project_id = request.path_params["project_id"]
    if project_id != sim.credentials.project_id:
        return sim, api_error(
            403,
            gateway_code("0302"),
            f"The IAM user is not authorized to access the API: project {project_id} "
            "is not the project of these credentials.",
        )
    return sim, None


def _int_param(request: Request, name: str, default: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        return None


async def list_instances(request: Request) -> Response:
    sim, problem = await _guard(request)
    if problem is not None:
        return problem
    offset = _int_param(request, "offset", 0)
    limit = _int_param(request, "limit", 10)  # the real default page size
    if offset is None or offset < 0:
        return api_error(400, "ROMA.00110001", "Invalid parameter: offset must be an integer >= 0.")
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        return api_error(
            400, "ROMA.00110001", f"Invalid parameter: limit must be between 1 and {MAX_LIMIT}."
        )
    now = sim.now_ms()
    states = sim.instances(now)
    status = request.query_params.get("status")
    if status:
        wanted = status.upper()
        states = [s for s in states if wire.status_text(wire.word(s), "upper") == wanted]
    page_size = limit if sim.scenario.page_cap is None else min(limit, sim.scenario.page_cap)
    page = states[offset : offset + page_size]
    project_id = sim.credentials.project_id
    return json_response(
        {
            "total": len(states),
            "size": len(page),
            "instances": [wire.listed_instance(s, project_id) for s in page],
        }
    )


async def creation_progress(request: Request) -> Response:
    sim, problem = await _guard(request)
    if problem is not None:
        return problem
    now = sim.now_ms()
    state = sim.instance(request.path_params["instance_id"], now)
    if state is None or wire.word(state) in wire.GONE:
        return api_error(404, "ROMA.00110002", "The instance does not exist.")
    if state.spec.progress_lag:  # a document that lags behind the list
        lagging = now - round(state.spec.progress_lag * 1000)
        state = evaluate(state.spec, sim.anchor_ms, lagging) or state
    return json_response(wire.creation_progress(state, sim.credentials.project_id, now))


async def instance_detail(request: Request) -> Response:
    sim, problem = await _guard(request)
    if problem is not None:
        return problem
    state = sim.instance(request.path_params["instance_id"], sim.now_ms())
    if state is None or wire.word(state) in wire.GONE:
        return api_error(404, "APIC.7302", "Instance not found.")
    return json_response(wire.instance_detail(state, sim.credentials.project_id))


def _fmt_iam_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def iam_tokens(request: Request) -> Response:
    sim = _sim(request)
    creds = sim.credentials
    try:
        data = json.loads(await request.body())
        identity = data["auth"]["identity"]
        methods = identity["methods"]
        user = identity["password"]["user"]
        name, password = str(user["name"]), str(user["password"])
        domain = user.get("domain") or {}
        scope = data["auth"].get("scope") or {}
        project = scope.get("project") if isinstance(scope, dict) else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return _iam_error(400, "Bad Request", "The request body is invalid.")
    if "password" not in methods:
        return _iam_error(400, "Bad Request", "Only the password method is supported here.")
    good_user = name == creds.iam_user and domain.get("name", creds.iam_domain) == creds.iam_domain
    good_password = _same_secret(password, creds.iam_password.get_secret_value())
    if not (good_user and good_password):
        return _iam_error(401, "Unauthorized", "The username or password is wrong.")
    if not isinstance(project, dict) or not ({"id", "name"} & set(project)):
        return _iam_error(400, "Bad Request", "A project scope (id or name) is required.")
    # Scoped by id, or by name: a region's project is named after the region.
    if (
        project.get("id", creds.project_id) != creds.project_id
        or project.get("name", creds.region) != creds.region
    ):
        return _iam_error(401, "Unauthorized", "The project in the scope does not exist.")
    token, issued, expires = sim.issue_token()
    domain_ref = {"id": "d" + creds.project_id[1:], "name": creds.iam_domain}
    body = {
        "token": {
            "expires_at": _fmt_iam_time(expires),
            "issued_at": _fmt_iam_time(issued),
            "methods": ["password"],
            "catalog": [],
            "roles": [{"id": "0", "name": "op_service"}, {"id": "1", "name": "te_admin"}],
            "project": {"id": creds.project_id, "name": creds.region, "domain": domain_ref},
            "user": {
                "id": "u" + creds.project_id[1:],
                "name": creds.iam_user,
                "domain": domain_ref,
                "password_expires_at": "",
            },
        }
    }
    return json_response(body, 201, {"X-Subject-Token": token})


async def iam_projects(request: Request) -> Response:
    """`GET /v3/projects?name=`: the projects these credentials see, by exact name (Keystone's
    project list, as the SDK's `IamHelper.get_keystone_list_projects_request` asks for it)."""
    sim = _sim(request)
    problem = await sim.authenticate(request)
    if problem is not None:
        return problem
    creds = sim.credentials
    base = str(request.base_url).rstrip("/")
    domain_id = "d" + creds.project_id[1:]
    projects = [
        {
            "id": creds.project_id,
            "name": creds.region,
            "description": "",
            "domain_id": domain_id,
            "parent_id": domain_id,
            "enabled": True,
            "is_domain": False,
            "links": {"self": f"{base}/v3/projects/{creds.project_id}"},
        }
    ]
    name = request.query_params.get("name")
    if name is not None:
        projects = [p for p in projects if p["name"] == name]
    query = f"?{request.url.query}" if request.url.query else ""
    links = {"self": f"{base}/v3/projects{query}", "previous": None, "next": None}
    return json_response({"links": links, "projects": projects})


async def no_such_api(request: Request) -> Response:
    return api_error(
        404,
        gateway_code("0101"),
        "The API does not exist or has not been published in the environment.",
    )


_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class SimulatorApp(Starlette):
    """The Starlette app plus the simulator state (`sim`) and run-time fault switching."""

    sim: SimState

    @property
    def faults(self) -> Faults:
        return self.sim.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self.sim.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request_id = self.sim.next_request_id()
        tokens = (_REQUEST_ID.set(request_id), _GATEWAY.set(self.sim.faults.gateway_prefix))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                header = (b"x-request-id", request_id.encode())
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            if not str(scope.get("path", "")).startswith("/v2/"):
                await super().__call__(scope, receive, send_with_id)
            else:
                await self._api_call(scope, receive, send, send_with_id)
        finally:
            _REQUEST_ID.reset(tokens[0])
            _GATEWAY.reset(tokens[1])

    async def _api_call(self, scope: Scope, receive: Receive, raw_send: Send, send: Send) -> None:
        sim = self.sim
        faults = sim.faults
        index = sim.requests
        sim.requests += 1
        delay = faults.latency + (sim._dice.uniform(0, faults.jitter) if faults.jitter else 0.0)
        if delay > 0:
            await sim.sleep(delay)
        if sim.roll(faults.drop):
            await _drop_connection(raw_send)
            return
        response: Response | None = None
        if sim.roll(faults.html):
            response = Response(BAD_GATEWAY_HTML, 502, media_type="text/html")
        elif faults.throttle and (
            (faults.throttle_every and index % faults.throttle_every < faults.throttle)
            or (not faults.throttle_every and index < faults.throttle)
        ):
            response = api_error(
                429,
                gateway_code("0308"),
                "The throttling threshold has been reached: policy user over ratelimit.",
                **{"Retry-After": str(faults.retry_after)},
            )
        elif sim.roll(faults.error_rate):
            if sim._dice.random() < 0.5:
                response = api_error(500, "ROMA.00110500", "Internal server error.")
            else:
                response = api_error(503, gateway_code("0201"), "Backend unavailable.")
        if response is not None:
            await response(scope, receive, send)
            return
        if sim.roll(faults.malformed):
            send = _truncating(send)
        await super().__call__(scope, receive, send)


def _truncating(send: Send) -> Send:
    """Cut a 200 answer's body in half: JSON that does not parse."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start" and message["status"] == 200:
            start = dict(message)
            return
        if message["type"] == "http.response.body" and start is not None:
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            body = body[: max(1, len(body) // 2)]
            headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await send(message)

    return wrapped


async def _drop_connection(send: Send) -> None:
    """Close the connection without answering.

    Over a real socket (uvicorn) the server's send callable belongs to an object holding the
    asyncio transport: abort it. In process (httpx.ASGITransport) raise the error httpx raises
    when a server hangs up, so the client sees a transport-level failure either way.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if isinstance(transport, asyncio.BaseTransport):
        abort = getattr(transport, "abort", transport.close)
        abort()
        for _ in range(3):  # let the server notice the disconnect before we return
            await asyncio.sleep(0)
        return
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


def create_app(
    scenario: Scenario | None = None,
    *,
    clock: Clock,
    speed: float = 1.0,
    credentials: SimCredentials | None = None,
    faults: Faults | None = None,
    anchor: datetime | None = None,
    sleep: Sleep | None = None,
) -> SimulatorApp:
    """The simulator as an ASGI app. `sleep` (default asyncio.sleep) serves injected latency."""
    app = SimulatorApp(
        routes=[
            Route("/v2/{project_id}/instances", list_instances, methods=["GET"]),
            Route(
                "/v2/{project_id}/instances/{instance_id}/process",
                creation_progress,
                methods=["GET"],
            ),
            Route(
                "/v2/{project_id}/apic/instances/{instance_id}", instance_detail, methods=["GET"]
            ),
            Route("/v3/auth/tokens", iam_tokens, methods=["POST"]),
            Route("/v3/projects", iam_projects, methods=["GET"]),
            Route("/{path:path}", no_such_api, methods=_ALL_METHODS),
        ]
    )
    app.sim = SimState(
        scenario or default_scenario(),
        clock=clock,
        speed=speed,
        credentials=credentials or SimCredentials.demo(),
        faults=faults or Faults(),
        anchor=anchor,
        sleep=sleep or asyncio.sleep,
    )
    return app
