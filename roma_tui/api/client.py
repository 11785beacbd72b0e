"""RomaClient: the one place that sends HTTP requests to the ROMA Connect API.

One shared `httpx.AsyncClient` (connection reuse, timeouts, User-Agent), paging of the
instance list, typed errors for every failure (see `roma_tui.api.errors`), bounds on what a
server can send (`roma_tui.api.limits`: body size, JSON nesting, Retry-After, list length).

Where retries live: a request is tried once by default (`NO_RETRY`): the monitor and `wait`
already schedule the next poll themselves, with backoff and Retry-After, so a second layer of
retries here would only stack long timeouts before they notice. A one-shot caller (`status`)
passes `ONE_RETRY`: one more try, a second later, of a quick transient failure (5xx, 429 with
a short Retry-After, a refused or dropped connection, a 200 whose body is cut or not JSON),
never of a timeout, never of a 401. Backoff sleeps go through the injected `Clock`. Below
this layer, `PasswordAuth` renews an expired IAM token once per request, and `AkSkAuth`'s
lockout guard holds a rejected key: neither is a retry of a failure.

Must not import textual, roma_tui.monitor, roma_tui.tui, roma_tui.scripting or
roma_tui.simulator.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import math
import os
import random as _random
import re
import ssl
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, NamedTuple, Self
from urllib.parse import quote

import httpx

from roma_tui import __version__
from roma_tui.api.auth import AkSkAuth, describe_auth
from roma_tui.api.errors import (
    CLOCK_SKEW_CODES,
    NOT_FOUND_CODES,
    THROTTLED_CODES,
    TOKEN_EXPIRED_CODES,
    ApiError,
    AuthError,
    BadResponseError,
    ConfigError,
    NotFoundError,
    RomaError,
    TransportError,
)
from roma_tui.api.limits import (
    MAX_BODY_BYTES,
    MAX_INSTANCES,
    cap_retry_after,
    json_depth_exceeds,
)
from roma_tui.api.models import (
    CreationProgressResponse,
    InstanceListPage,
    InstanceListResponse,
)
from roma_tui.api.safetext import terminal_safe
from roma_tui.clock import Clock, SystemClock

__all__ = [
    "DEFAULT_TIMEOUT",
    "NO_RETRY",
    "ONE_RETRY",
    "PAGE_LIMIT",
    "RetryEvent",
    "RetryPolicy",
    "RomaClient",
    "api_error",
]

log = logging.getLogger("roma_tui.api")

#: Connect 10 s, read 30 s, write 10 s, waiting for a pooled connection 10 s.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=10.0, pool=10.0)
#: Keep a few connections open between polls so each refresh reuses one.
DEFAULT_LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=8, keepalive_expiry=90)
#: The API's largest page size for the instance list.
PAGE_LIMIT = 100
#: At most this many characters of an error text go into a message.
EXCERPT_CHARS = 200


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a request is tried.

    `attempts` counts every try, the first included (1 = never retry). Before try n+1 the
    client sleeps a random time in [0, min(max_delay, base_delay * 2**(n-1))] ("full
    jitter"; without jitter the upper bound itself). A 429 waits at least its Retry-After;
    one asking for more than `max_retry_after` seconds is not retried here at all (the
    error carries `retry_after`, so the caller can schedule the next try itself). A timeout
    is retried only with `retry_timeouts` (a host that does not answer in 30 s rarely
    answers the next time, and a second try doubles the wait).
    """

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: bool = True
    max_retry_after: float = 30.0
    retry_timeouts: bool = True

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0:
            raise ValueError("RetryPolicy delays must not be negative")

    def backoff(self, attempt: int, random: Callable[[], float]) -> float:
        """The sleep after failed try number `attempt` (1-based), before Retry-After."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** max(0, attempt - 1))
        return ceiling * random() if self.jitter else ceiling


#: Try once: for callers that schedule their own next try (the monitor, `wait`). The default.
NO_RETRY = RetryPolicy(attempts=1)
#: For one-shot callers (`status`): one more try, a second later, of a quick transient failure.
ONE_RETRY = RetryPolicy(
    attempts=2,
    base_delay=1.0,
    max_delay=1.0,
    jitter=False,
    max_retry_after=5.0,
    retry_timeouts=False,
)


@dataclass(frozen=True)
class RetryEvent:
    """Told to `on_retry` before each backoff sleep: try `attempt` failed with `error`."""

    attempt: int
    delay: float
    error: RomaError


class RomaClient:
    """Async client for the ROMA Connect endpoints a monitor needs.

    Raises only `RomaError` subclasses: `TransportError` (no usable HTTP exchange),
    `BadResponseError` (2xx but not the expected JSON), `ApiError` and its subclasses
    `AuthError` (401/403) and `NotFoundError` (404, or a not-found error code).
    """

    def __init__(
        self,
        endpoint: str,
        project_id: str,
        auth: httpx.Auth | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: bool | str = True,
        timeout: httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        on_retry: Callable[[RetryEvent], None] | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.project_id = project_id
        self.auth_method: str = "none" if auth is None else str(getattr(auth, "method", "custom"))
        self.auth_description = describe_auth(auth)
        self._guard = auth.guard if isinstance(auth, AkSkAuth) else None
        self.retry = retry or NO_RETRY
        self.on_retry = on_retry
        self._clock: Clock = clock or SystemClock()
        self._random: Callable[[], float] = random or _random.random
        self._timeout = timeout or DEFAULT_TIMEOUT
        self._where = _display_endpoint(endpoint)
        self._project_segment = _segment(project_id, "project id")
        self._http = httpx.AsyncClient(
            base_url=endpoint,
            auth=auth,
            transport=transport,
            verify=_ssl_verify(verify),
            timeout=self._timeout,
            limits=DEFAULT_LIMITS,
            headers={
                "User-Agent": f"roma-tui/{__version__}",
                "Accept": "application/json",
                "Accept-Encoding": "identity",  # so the size cap bounds what is decoded
            },
            follow_redirects=False,
            event_hooks={"response": [self._cap_response]},
        )

    def __repr__(self) -> str:
        return (
            f"RomaClient({self._where!r}, project_id={self.project_id!r}, auth={self.auth_method})"
        )

    @property
    def http(self) -> httpx.AsyncClient:
        """The shared HTTP client (one per RomaClient, reused by every call)."""
        return self._http

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- endpoints -------------------------------------------------------------------

    async def list_instances(self, status: str | None = None) -> InstanceListResponse:
        """Every instance of the project (all pages merged), optionally only one status.

        Pages by `offset` until `total` is reached (a server may send fewer than `limit`
        items per page); stops at an empty page, or, when `total` is missing, at a short
        page. Instances seen twice (the list shifted while paging) are kept once. Each page
        is checked for its shape and paging fields only; the merged list is validated once.

        Bounded whatever the server claims: it stops at a page that brings nothing new (a
        server ignoring `offset` sends the same page again: 2 requests, not `total / limit`),
        after the pages that `total` and the first page's size imply (plus one, for a list
        that shifted), and at `MAX_INSTANCES` instances (`total` then keeps the server's
        count, larger than the instances returned).
        """
        path = f"/v2/{self._project_segment}/instances"
        merged_raw: dict[str, Any] | None = None
        items: list[object] = []
        seen: set[str] = set()
        total: int | None = None
        offset = 0
        pages = 0
        max_pages = math.ceil(MAX_INSTANCES / PAGE_LIMIT)  # until the first page says more
        previous: list[object] | None = None
        while pages < max_pages:
            params: dict[str, str | int] = {"offset": offset, "limit": PAGE_LIMIT}
            if status:
                params["status"] = status
            data = await self._get_json(path, params)
            pages += 1
            page = InstanceListPage.parse(data)
            raw = page.raw
            if merged_raw is None:
                merged_raw = dict(raw)
            raw_items = raw.get("instances")
            page_items: list[object] = raw_items if isinstance(raw_items, list) else []
            if isinstance(page.total, int):
                total = page.total
            new = 0
            for item in page_items:
                item_id = item.get("id") if isinstance(item, dict) else None
                if isinstance(item_id, str) and item_id:
                    if item_id in seen:
                        continue
                    seen.add(item_id)
                items.append(item)
                new += 1
            count = len(page_items)
            offset += count
            if count == 0 or new == 0 or page_items == previous:
                break  # the end, or a server that does not page: it sent this page before
            if len(items) >= MAX_INSTANCES:
                log.debug("instance list: stopped at %d instances (total=%s)", len(items), total)
                del items[MAX_INSTANCES:]
                break
            if total is not None:
                if offset >= total:
                    break
                if pages == 1:
                    max_pages = math.ceil(min(total, MAX_INSTANCES) / count) + 1
            elif count < PAGE_LIMIT:
                break
            previous = page_items
        assert merged_raw is not None
        merged_raw["total"] = total if total is not None else len(items)
        merged_raw["size"] = len(items)
        merged_raw["instances"] = items
        # thousands of instances take milliseconds to validate: in a thread, so that the event
        # loop (a TUI's keys and screen) gets its turn every few milliseconds meanwhile
        return await asyncio.to_thread(InstanceListResponse.parse, merged_raw)

    async def get_creation_progress(self, instance_id: str) -> CreationProgressResponse:
        """Creation progress of one instance, with its sub-services (`.../process`)."""
        segment = _segment(instance_id, "instance id")
        data = await self._get_json(f"/v2/{self._project_segment}/instances/{segment}/process")
        return CreationProgressResponse.parse(data)

    # -- machinery -------------------------------------------------------------------

    async def _get_json(self, path: str, params: Mapping[str, str | int] | None = None) -> object:
        """GET `path`, retrying per the policy; the decoded JSON body of a 2xx answer."""
        attempt = 1
        while True:
            try:
                return await self._get_json_once(path, params)
            except RomaError as error:
                delay = self._retry_delay(error, attempt)
                if delay is None:
                    raise
                log.debug(
                    "GET %s: try %d failed (%s); retrying in %.2f s", path, attempt, error, delay
                )
                if self.on_retry is not None:
                    self.on_retry(RetryEvent(attempt=attempt, delay=delay, error=error))
                await self._clock.sleep(delay)
                attempt += 1

    def _retry_delay(self, error: RomaError, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None to give up with `error`."""
        policy = self.retry
        if attempt >= policy.attempts:
            return None
        if isinstance(error, TransportError):
            timed_out = isinstance(error.__cause__, httpx.TimeoutException)
            return (
                None
                if timed_out and not policy.retry_timeouts
                else policy.backoff(attempt, self._random)
            )
        if isinstance(error, BadResponseError):
            return policy.backoff(attempt, self._random)  # a cut or garbled 200: a proxy hiccup
        if not isinstance(error, ApiError):
            return None
        if error.status_code == 401:
            return None  # never: five bad AK/SK signatures lock the key for five minutes
        if error.status_code == 429:
            delay = policy.backoff(attempt, self._random)
            if error.retry_after is not None:
                if error.retry_after > policy.max_retry_after:
                    return None
                delay = max(delay, error.retry_after)
            return delay
        if error.status_code >= 500 and not error.not_found:
            delay = policy.backoff(attempt, self._random)
            if error.retry_after is not None and error.retry_after <= policy.max_retry_after:
                delay = max(delay, error.retry_after)
            return delay
        return None

    async def _get_json_once(self, path: str, params: Mapping[str, str | int] | None) -> object:
        started = self._clock.monotonic()
        try:
            response = await self._http.get(path, params=params)
        except httpx.HTTPError as exc:
            error = self._transport_error(exc)
            log.debug(
                "GET %s failed after %.0f ms: %s (%s: %r)",
                path,
                (self._clock.monotonic() - started) * 1000,
                error,
                type(exc).__name__,
                str(exc),
            )
            raise error from exc
        except UnicodeEncodeError as exc:  # a header value (a credential) that is not ASCII
            raise _unsendable_header() from exc
        elapsed_ms = (self._clock.monotonic() - started) * 1000
        request_id = response.headers.get("X-Request-Id")
        log.debug(
            "GET %s -> %d in %.0f ms (%d bytes, request %s)",
            response.request.url.raw_path.decode("ascii", "replace"),
            response.status_code,
            elapsed_ms,
            len(response.content),
            request_id or "-",
        )
        if not response.is_success:
            error = self._api_error(response)
            held = self._guard.held_until(self._clock.now()) if self._guard else None
            if held is not None:  # a rejected signature: say how long the key is held
                wait = (held - self._clock.now()).total_seconds()
                error.retry_after = max(error.retry_after or 0.0, wait)
            raise error
        return self._decode_json(response)

    async def _cap_response(self, response: httpx.Response) -> None:
        """Every response, before anything reads it (an httpx response hook, so IAM's answers
        and the ones an auth flow reads itself are covered too): a body declared or turning out
        larger than `MAX_BODY_BYTES` is a BadResponseError, read no further than the cap;
        compressed content (never asked for) is refused, so the cap bounds what is decoded."""
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise BadResponseError(
                f"{self._where} sent {_excerpt(encoding, 40)}-compressed content although "
                "roma-tui asked for none (Accept-Encoding: identity): not read"
            )
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            raise self._too_large(response.status_code)
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        response.stream = _CappedStream(stream, lambda: self._too_large(response.status_code))

    def _too_large(self, status: int) -> BadResponseError:
        return BadResponseError(
            f"a body larger than {MAX_BODY_BYTES // (1024 * 1024)} MB: not read (no ROMA "
            f"response is that big): HTTP {status} from {self._where}"
        )

    def _decode_json(self, response: httpx.Response) -> object:
        """The JSON value of a 2xx body; BadResponseError when it is not JSON or nests too deep
        (what a proxy that cut the connection, or a hostile server, sends)."""
        try:
            data = json.loads(response.content)
        except RecursionError:
            data = _TOO_DEEP
        except ValueError as exc:
            content_type = response.headers.get("Content-Type", "no content type")
            log.debug("2xx body is not JSON (%s): %r", content_type, response.text[:2000])
            excerpt = _excerpt(response.text)
            what = f": {excerpt}" if excerpt else " (empty body)"
            raise BadResponseError(
                f"an answer that is not JSON: HTTP {response.status_code} ({content_type}) "
                f"from {self._where}{what}"
            ) from exc
        if data is _TOO_DEEP or json_depth_exceeds(data):
            raise BadResponseError(
                "JSON nested deeper than any ROMA response: not read (HTTP "
                f"{response.status_code} from {self._where})"
            )
        return data

    def _transport_error(self, exc: httpx.HTTPError) -> RomaError:
        where = self._where
        for kind, phase, doing in _TIMEOUTS:
            if isinstance(exc, kind):
                limit = _secs(getattr(self._timeout, phase))
                return TransportError(f"timed out after {limit} {doing} {where}")
        if isinstance(exc, httpx.TimeoutException):
            return TransportError(f"timed out waiting for {where}")
        if isinstance(exc, httpx.ConnectError):
            return TransportError(f"cannot reach {where}: {_reason(exc)}")
        if isinstance(exc, httpx.RemoteProtocolError):
            return TransportError(
                f"connection dropped by {where}: {_reason(exc) or 'protocol error'}"
            )
        if isinstance(exc, httpx.ReadError | httpx.WriteError):
            return TransportError(f"connection broken to {where}: {_reason(exc)}")
        if isinstance(exc, httpx.LocalProtocolError) and "header" in str(exc).lower():
            return _unsendable_header()  # h11's text would show the value: never use it
        return TransportError(f"request to {where} failed: {_reason(exc) or type(exc).__name__}")

    def _api_error(self, response: httpx.Response) -> ApiError:
        return api_error(response, auth_method=self.auth_method, clock=self._clock)


def api_error(response: httpx.Response, *, auth_method: str, clock: Clock) -> ApiError:
    """The typed error for an HTTP error answer: what it means and what to do about it (when
    that can be said), then the status, Huawei's code and message, and the request id support
    asks for (header, else body)."""
    status = response.status_code
    body = _parse_error_body(response)
    request_id = response.headers.get("X-Request-Id") or body.request_id
    retry_after = _parse_retry_after(response.headers.get("Retry-After"), clock)
    log.debug(
        "HTTP %d from %s: error_code=%r error_msg=%r request_id=%r retry_after=%r body=%r",
        status,
        response.request.url.raw_path.decode("ascii", "replace"),
        body.code,
        body.message,
        request_id,
        retry_after,
        response.text[:2000],
    )

    head = f"HTTP {status}"
    if body.code:
        head += f" {body.code}"
    text = body.message or response.reason_phrase or "error"
    if 300 <= status < 400:
        location = response.headers.get("Location")
        text = f"redirected to {_excerpt(location)}" if location else text
    message = f"{head}: {text}"
    if request_id:
        message += f" (request {request_id})"
    hint = _hint(status, body.code, retry_after, auth_method, clock)
    if hint:  # what it means first: a screen that has room for one line keeps that
        message = f"{hint}. {message}"

    kwargs: dict[str, Any] = {
        "status_code": status,
        "error_code": body.code,
        "error_msg": body.message,
        "request_id": request_id,
        "retry_after": retry_after,
    }
    if status == 404 or body.code in NOT_FOUND_CODES:
        return NotFoundError(message, **kwargs)
    if status in (401, 403):
        return AuthError(message, **kwargs)
    return ApiError(message, **kwargs)


def _hint(
    status: int, error_code: str | None, retry_after: float | None, auth: str, clock: Clock
) -> str:
    """What the person should do about an error answer, in one sentence (or none)."""
    if error_code in CLOCK_SKEW_CODES:
        local = clock.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return (
            "The gateway says the request's date is more than 15 minutes off its own clock: "
            f"this machine's clock is wrong (it says {local}); set it right, e.g. turn on NTP"
        )
    if error_code in TOKEN_EXPIRED_CODES:
        return "The token expired: get a new one (tokens last 24 h)"
    if status == 401:
        if auth == "aksk":
            return (
                "The AK/SK signature was rejected: check the keys, and the local clock may be "
                "off (X-Sdk-Date must be within 15 minutes of the server's time). Not retried: "
                "5 bad signatures in a row lock the key for 5 minutes"
            )
        if auth == "none":
            return "No credentials were sent: configure a token, AK/SK or IAM password"
        return f"The credentials were rejected (auth: {auth}): check or renew them"
    if status == 403:
        return (
            f"The credentials (auth: {auth}) are not allowed to do this: "
            "check the IAM permissions for ROMA Connect and the project id"
        )
    if status == 429 or error_code in THROTTLED_CODES:
        wait = f"retry after {_secs(retry_after)}" if retry_after is not None else "back off"
        return f"Throttled by the API gateway: {wait}"
    return ""


# -- helpers -------------------------------------------------------------------------


_TOO_DEEP = object()  # json.loads hit the recursion limit


def _unsendable_header() -> ConfigError:
    return ConfigError(
        "cannot send the request: a credential holds a line break or a character HTTP "
        "headers cannot carry; check the token (a token file must hold it on one line), "
        "the AK/SK and the security token"
    )


class _CappedStream(httpx.AsyncByteStream):
    """A response body stream that raises `too_large()` once more than MAX_BODY_BYTES came."""

    def __init__(self, inner: httpx.AsyncByteStream, too_large: Callable[[], RomaError]) -> None:
        self._inner = inner
        self._too_large = too_large

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = 0
        async for chunk in self._inner:
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise self._too_large()
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


def _segment(value: str, what: str) -> str:
    """`value` percent-encoded as one URL path segment."""
    if not value or not value.strip():
        raise ConfigError(f"the {what} is empty")
    return quote(value, safe="")


def _display_endpoint(endpoint: str) -> str:
    """The endpoint as a person should see it: scheme, host, port, path; no credentials."""
    try:
        url = httpx.URL(endpoint)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigError(f"the endpoint is not a valid URL: {_excerpt(endpoint)}") from exc
    netloc = url.netloc.decode("ascii", "replace")
    path = url.path.rstrip("/")
    return f"{url.scheme}://{netloc}{path}" if url.scheme else endpoint


def _ssl_verify(verify: bool | str) -> bool | ssl.SSLContext:
    """httpx's verify: True/False, or an SSL context trusting a CA bundle file/dir."""
    if isinstance(verify, bool):
        return verify
    try:
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot use CA bundle {verify}: {exc}") from exc


#: Each httpx timeout: the `httpx.Timeout` field that set it, and what was being done.
_TIMEOUTS: tuple[tuple[type[httpx.TimeoutException], str, str], ...] = (
    (httpx.ConnectTimeout, "connect", "connecting to"),
    (httpx.ReadTimeout, "read", "waiting for"),
    (httpx.WriteTimeout, "write", "sending to"),
    (httpx.PoolTimeout, "pool", "waiting for a free connection to"),
)


def _secs(value: float | None) -> str:
    return "no limit" if value is None else f"{value:g} s"


_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")


def _reason(exc: BaseException) -> str:
    """A short lower-case reason such as "connection refused" from an httpx error."""
    text = str(exc).strip()
    if not text and exc.__cause__ is not None:
        text = str(exc.__cause__).strip()
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return "TLS certificate not trusted (for a private CA, use a CA bundle)"
    text = _ERRNO.sub("", text)
    text = _excerpt(text)
    return text[:1].lower() + text[1:] if text else ""


_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Plain one-line text of at most `limit` characters, safe for a terminal: escape
    sequences, controls and bidi marks gone (before and after HTML entities are decoded),
    tags stripped, spaces collapsed."""
    text = _SCRIPT_STYLE.sub(" ", terminal_safe(text))
    text = _TAG.sub(" ", text)
    text = terminal_safe(html.unescape(text))
    text = _SPACE.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _as_text(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = _excerpt(str(value))
    return text or None


class ErrorBody(NamedTuple):
    """What an error body says: Huawei's error code and message, and its request id."""

    code: str | None
    message: str | None
    request_id: str | None = None


def _parse_error_body(response: httpx.Response) -> ErrorBody:
    """Code, message and request id from any error body shape the API is known to send.

    The gateway puts `request_id` in its error bodies (`{"error_code": "APIGW.0301",
    "error_msg": ..., "request_id": ...}`, Huawei's API signing FAQ), ROMA too.
    """
    try:
        data = response.json()
    except ValueError:
        return ErrorBody(None, _excerpt(response.text) or None)
    if not isinstance(data, dict):
        return ErrorBody(None, _excerpt(str(data)) or None)
    request_id = _as_text(data.get("request_id"))
    nested = data.get("error")
    if isinstance(nested, dict):
        code = _as_text(nested.get("code") or nested.get("error_code"))
        msg = _as_text(nested.get("message") or nested.get("error_msg") or nested.get("title"))
        if code or msg:
            return ErrorBody(code, msg, request_id or _as_text(nested.get("request_id")))
    for code_key, msg_key in (
        ("error_code", "error_msg"),
        ("errorCode", "errorMsg"),
        ("code", "message"),
        ("error_code", "error_message"),
        ("errorCode", "errorMessage"),
    ):
        code = _as_text(data.get(code_key))
        msg = _as_text(data.get(msg_key))
        if code or msg:
            return ErrorBody(code, msg, request_id)
    if isinstance(nested, str):
        return ErrorBody(None, _as_text(nested), request_id)
    return ErrorBody(None, _as_text(data.get("message") or data.get("msg")), request_id)


def _parse_retry_after(value: str | None, clock: Clock) -> float | None:
    """Retry-After as seconds from now (delta-seconds or an HTTP date), capped at 15 minutes."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return cap_retry_after(seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return cap_retry_after((when - clock.now()).total_seconds())
