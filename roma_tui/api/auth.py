"""The three ways roma-tui authenticates to ROMA Connect, as `httpx.Auth` subclasses.

- `TokenAuth`: a ready IAM token in `X-Auth-Token`.
- `AkSkAuth`: Huawei's SDK-HMAC-SHA256 signature (see `roma_tui.api.signing`). A 401 is never
  retried, and the key's lockout guard (`roma_tui.api.guard`) holds every request signed with
  it for five minutes after one: five bad signatures in a row lock the key for five minutes.
- `PasswordAuth`: fetches a token from IAM (`POST /v3/auth/tokens`), caches it, refreshes it
  shortly before it expires, and on a 401 refreshes once and retries once. Without a project
  id it scopes the token by project name (the region) and learns the id from IAM's answer.

Secrets are `SecretStr`; `describe()`, `repr()` and every error message are safe for the screen.
Each secret is remembered by `roma_tui.api.redaction` when it is given (and each IAM-issued
token when it arrives), so no log line or error message can show it.
Must not import textual, the client, the models, or anything above roma_tui.api.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncGenerator, Generator
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import httpx
from pydantic import SecretStr

from roma_tui.api import signing
from roma_tui.api.errors import ApiError, AuthError, BadResponseError
from roma_tui.api.guard import KeyGuard, guard_for
from roma_tui.api.redaction import remember_password, remember_secret
from roma_tui.api.regions import is_project_id
from roma_tui.clock import Clock, SystemClock

TOKEN_HEADER = "X-Auth-Token"
SUBJECT_TOKEN_HEADER = "X-Subject-Token"
PROJECT_ID_HEADER = "X-Project-Id"
SECURITY_TOKEN_HEADER = "X-Security-Token"

# Headers the transport or a proxy may add or rewrite: signing them would make valid requests
# fail. The official SDK does not sign them either (its HTTP library adds them after signing).
UNSIGNED_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "authorization",
        "connection",
        "content-length",
        "transfer-encoding",
    }
)
# Refresh an IAM token this long before its expires_at (a quarter of its life when that is
# shorter: a token that lasts less than the margin is not renewed on every request).
REFRESH_MARGIN = timedelta(minutes=5)
# When IAM does not say when a token expires (it always should), use it for this long.
DEFAULT_TOKEN_LIFETIME = timedelta(hours=1)


def mask_ak(ak: str) -> str:
    """An access key as shown anywhere: its first and last four characters, or just "set"."""
    return f"{ak[:4]}…{ak[-4:]}" if len(ak) >= 12 else "set"


def describe_auth(auth: httpx.Auth | None) -> str:
    """How requests are authenticated, safe for the screen: "token", "AK/SK HPUA…0001", ..."""
    if auth is None:
        return "none"
    describe = getattr(auth, "describe", None)
    return str(describe()) if callable(describe) else type(auth).__name__


class _DescribedAuth(httpx.Auth):
    method: ClassVar[str]

    def describe(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"

    __str__ = __repr__


class TokenAuth(_DescribedAuth):
    method = "token"

    def __init__(self, token: SecretStr) -> None:
        self._token = token
        remember_secret(token)

    def describe(self) -> str:
        return "token"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[TOKEN_HEADER] = self._token.get_secret_value()
        yield request


class AkSkAuth(_DescribedAuth):
    """Signs every request; sends the query string exactly as signed (sorted, encoded).

    Every request goes through the key's lockout guard (`guard`, by default the process-wide
    one of this access key, its hold kept in the platform's cache directory).
    """

    method = "aksk"
    requires_request_body = True

    def __init__(
        self,
        ak: str,
        sk: SecretStr,
        project_id: str | None,
        security_token: SecretStr | None = None,
        clock: Clock | None = None,
        guard: KeyGuard | None = None,
    ) -> None:
        self.ak = ak
        self.project_id = project_id
        self._sk = sk
        self._security_token = security_token
        self._clock = clock or SystemClock()
        self.guard = guard or guard_for(ak, f"AK/SK {mask_ak(ak)}")
        remember_secret(sk)
        remember_secret(security_token)

    def describe(self) -> str:
        temporary = " (temporary)" if self._security_token is not None else ""
        return f"AK/SK {mask_ak(self.ak)}{temporary}"

    def sign(self, request: httpx.Request) -> None:
        """Add X-Sdk-Date, Host, X-Project-Id, X-Security-Token and Authorization in place."""
        headers = request.headers
        headers.pop("Authorization", None)
        headers[signing.DATE_HEADER] = (
            self._clock.now().astimezone(UTC).strftime(signing.SDK_DATE_FORMAT)
        )
        if "Host" not in headers:
            headers["Host"] = request.url.netloc.decode("ascii")
        if self.project_id:
            headers[PROJECT_ID_HEADER] = self.project_id
        if self._security_token is not None:
            headers[SECURITY_TOKEN_HEADER] = self._security_token.get_secret_value()
        content_type = headers.get("Content-Type")
        if content_type and not content_type.startswith(("application/json", "application/bson")):
            headers[signing.CONTENT_SHA256_HEADER] = signing.UNSIGNED_PAYLOAD

        to_sign: dict[str, str] = {}
        for name, value in headers.items():
            if name not in UNSIGNED_HEADERS:
                to_sign[name] = headers[name] = value.strip()  # send what is signed
        names = signing.signed_header_names(to_sign)

        query = list(request.url.params.multi_items())
        if request.url.query:
            request.url = request.url.copy_with(
                query=signing.canonical_query(query).encode("ascii") or None
            )
        path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        canonical = signing.canonical_request(
            request.method, path, query, to_sign, names, request.content
        )
        signature = signing.compute_signature(
            canonical, headers[signing.DATE_HEADER], self._sk.get_secret_value()
        )
        headers["Authorization"] = signing.authorization_header(self.ak, names, signature)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # Sync clients (tests, tools) get the hold but not the one-probe-at-a-time rule.
        self.guard.check(self._clock.now())
        self.sign(request)
        response = yield request  # a 401 comes back as is: retrying it risks a lockout
        if response is not None:
            self.guard.observe(response.status_code, self._clock.now())

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        probe = await self.guard.admit(self._clock.now)
        try:
            self.sign(request)  # after the wait: X-Sdk-Date is the time it is sent
            response = yield request
            self.guard.observe(response.status_code, self._clock.now())
        finally:
            self.guard.release(probe)


class _Refresh:
    """A step of PasswordAuth's flow: get a new token unless `stale` was already replaced."""

    __slots__ = ("stale",)

    def __init__(self, stale: str | None) -> None:
        self.stale = stale


class PasswordAuth(_DescribedAuth):
    """IAM user + password -> token (project scope), cached and refreshed before expiry.

    The scope is the project id when known, else the project name (`project_name`, the
    region): IAM then answers the project's id in `token.project.id`, kept in `project_id`.
    """

    method = "password"
    requires_request_body = True
    requires_response_body = True

    def __init__(
        self,
        iam_endpoint: str,
        user: str,
        domain: str,
        password: SecretStr,
        project_id: str | None,
        clock: Clock | None = None,
        *,
        project_name: str | None = None,
    ) -> None:
        if project_id is None and project_name is None:
            raise ValueError("PasswordAuth needs a project id or a project name")
        base = iam_endpoint.rstrip("/")
        self.token_url = base.removesuffix("/v3") + "/v3/auth/tokens"
        self.user = user
        self.domain = domain
        self.project_id = project_id
        self.project_name = project_name
        self._password = password
        self._clock = clock or SystemClock()
        remember_password(password)
        self._token: SecretStr | None = None
        self._expires_at: datetime | None = None
        self._refresh_at: datetime | None = None
        self._thread_lock = threading.Lock()
        self._async_lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    def describe(self) -> str:
        return f"IAM password {self.user}@{self.domain}"

    @property
    def expires_at(self) -> datetime | None:
        """When the cached token expires (None before the first one)."""
        return self._expires_at

    # -- the flow, as steps: requests to send, and _Refresh markers the drivers handle under a lock

    def _steps(
        self, request: httpx.Request
    ) -> Generator[httpx.Request | _Refresh, httpx.Response | None, None]:
        yield _Refresh(None)
        used = self._current()
        response = yield self._authorize(request)
        if response is not None and response.status_code == 401:
            yield _Refresh(used)
            yield self._authorize(request)  # whatever this answers is final

    def _current(self) -> str | None:
        return None if self._token is None else self._token.get_secret_value()

    def _needs_refresh(self, stale: str | None) -> bool:
        if self._token is None or self._refresh_at is None:
            return True
        if stale is not None:
            return self._current() == stale
        return self._clock.now() >= self._refresh_at

    def _authorize(self, request: httpx.Request) -> httpx.Request:
        request.headers[TOKEN_HEADER] = self._current() or ""
        return request

    def _scope(self) -> dict[str, str]:
        if self.project_id is not None:
            return {"id": self.project_id}
        assert self.project_name is not None
        return {"name": self.project_name}

    def _token_request(self, original: httpx.Request | None = None) -> httpx.Request:
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": self.user,
                            "password": self._password.get_secret_value(),
                            "domain": {"name": self.domain},
                        }
                    },
                },
                "scope": {"project": self._scope()},
            }
        }
        return httpx.Request(
            "POST",
            self.token_url,
            headers={"Content-Type": "application/json;charset=utf8"},
            content=json.dumps(body).encode("utf-8"),
            extensions={}
            if original is None
            else {k: v for k, v in original.extensions.items() if k == "timeout"},
        )

    def _accept_token(self, response: httpx.Response) -> None:
        """Cache the token from IAM's answer, or raise a one-line error without the password.

        The password is never put into a message; an IAM message that repeats it is left
        out whole rather than edited (an edit could mangle unrelated words).
        """
        request_id = response.headers.get("X-Request-Id")
        data = _json_object(response.content)
        if response.status_code >= 300:
            error_code, error_msg = _iam_error(data)
            if error_msg and self._password.get_secret_value() in error_msg:
                said = " (IAM's message is not shown: it repeats the password)"
                error_msg = None
            else:
                said = f" (IAM says: {error_msg})" if error_msg else ""
            if response.status_code == 401:
                message = (
                    f"IAM rejected user {self.user} in domain {self.domain}: "
                    f"check ROMA_TUI_PASSWORD / the user and domain{said}"
                )
            else:
                project = self.project_id or self.project_name
                message = (
                    f"IAM refused a token for user {self.user} in domain {self.domain}, "
                    f"project {project}: HTTP {response.status_code}{said}"
                )
            error_type = AuthError if response.status_code < 500 else ApiError
            raise error_type(
                message,
                status_code=response.status_code,
                error_code=error_code,
                error_msg=error_msg,
                request_id=request_id,
            )
        token = response.headers.get(SUBJECT_TOKEN_HEADER)
        if not token:
            raise BadResponseError(
                f"IAM answered HTTP {response.status_code} without an {SUBJECT_TOKEN_HEADER} header"
            )
        if self.project_id is None:
            self.project_id = self._scoped_project_id(data)
        remember_secret(token)
        self._token = SecretStr(token)
        now = self._clock.now()
        self._expires_at = _expires_at(data) or now + DEFAULT_TOKEN_LIFETIME
        life = max(timedelta(0), self._expires_at - now)
        self._refresh_at = self._expires_at - min(REFRESH_MARGIN, life / 4)

    def _scoped_project_id(self, data: dict[str, object]) -> str:
        """The project id in IAM's answer to a token scoped by name (`token.project.id`)."""
        token = data.get("token")
        project = token.get("project") if isinstance(token, dict) else None
        found = str(project.get("id", "")).lower() if isinstance(project, dict) else ""
        if not is_project_id(found):
            raise BadResponseError(
                f"IAM issued a token for project {self.project_name} without a valid project id"
            )
        return found

    async def fetch_token(self, http: httpx.AsyncClient) -> str | None:
        """Get a token now unless a fresh one is cached; returns the project id it is for.

        `http` must not carry this auth itself: the token request goes out unauthenticated.
        """
        async with self._lock_for_this_loop():
            if self._needs_refresh(None):
                response = await http.send(self._token_request())
                await response.aread()
                self._accept_token(response)
        return self.project_id

    def _lock_for_this_loop(self) -> asyncio.Lock:
        # An asyncio.Lock belongs to one event loop; the app may run more than one in turn.
        loop = asyncio.get_running_loop()
        if self._async_lock is None or self._async_lock[0] is not loop:
            self._async_lock = (loop, asyncio.Lock())
        return self._async_lock[1]

    # -- drivers: `auth_flow` (driven by httpx's sync_auth_flow, which reads the bodies) and
    # `async_auth_flow`; each refreshes under a lock so concurrent requests share one IAM call.

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        steps = self._steps(request)
        step = _advance(steps, None)
        while step is not None:
            if isinstance(step, _Refresh):
                with self._thread_lock:
                    if self._needs_refresh(step.stale):
                        self._accept_token((yield self._token_request(request)))
                step = _advance(steps, None)
            else:
                step = _advance(steps, (yield step))

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        steps = self._steps(request)
        step = _advance(steps, None)
        while step is not None:
            if isinstance(step, _Refresh):
                async with self._lock_for_this_loop():
                    if self._needs_refresh(step.stale):
                        token_response = yield self._token_request(request)
                        await token_response.aread()
                        self._accept_token(token_response)
                step = _advance(steps, None)
            else:
                response = yield step
                await response.aread()
                step = _advance(steps, response)


def _advance(
    steps: Generator[httpx.Request | _Refresh, httpx.Response | None, None],
    reply: httpx.Response | None,
) -> httpx.Request | _Refresh | None:
    """PasswordAuth's next step after `reply` (None: the flow is over)."""
    try:
        return steps.send(reply)
    except StopIteration:
        return None


def _json_object(body: bytes) -> dict[str, object]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _iam_error(data: dict[str, object]) -> tuple[str | None, str | None]:
    """(code, message) from IAM's error body, in either Huawei shape; (None, None) if neither."""
    inner = data.get("error")
    if isinstance(inner, dict):
        code, message = inner.get("code"), inner.get("message")
    else:
        code, message = data.get("error_code"), data.get("error_msg")
    return (
        None if code is None else str(code)[:64],
        None if message is None else str(message)[:200],
    )


def _expires_at(data: dict[str, object]) -> datetime | None:
    token = data.get("token")
    raw = token.get("expires_at") if isinstance(token, dict) else None
    try:
        parsed = datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
