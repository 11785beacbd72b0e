"""Typed errors raised by the API layer.

Every error has a one-line `message` fit for a person (what happened and what to do);
`str(error)` is that message. Secrets never appear in any of them, and neither does anything
that could act on a terminal: every message (and an `ApiError`'s server-sent fields) goes
through `redact_message` and `terminal_safe` when the error is made, whoever made it.
"""

from __future__ import annotations

from roma_tui.api.redaction import redact_message
from roma_tui.api.safetext import terminal_safe

NOT_FOUND_CODES = frozenset({"ROMA.00110002", "APIC.7302"})


def _gateway(number: str) -> frozenset[str]:
    """Both spellings of an API gateway code: Huawei's docs and gateways use `APIG.` and
    `APIGW.` (support.huaweicloud.com devg-apisign/api-sign-0001 shows `APIGW.0301`,
    apig_faq/apig-faq-0003 the same error as `APIG.0301`)."""
    return frozenset({f"APIG.{number}", f"APIGW.{number}"})


#: "Incorrect IAM authentication information": a bad signature or token, an unknown AK, or an
#: AK locked after five bad signatures.
BAD_CREDENTIALS_CODES = _gateway("0301")
#: "Incorrect app authentication information: signature expired": X-Sdk-Date more than
#: 15 minutes off the gateway's clock (devg-apisign/api-sign-0003, apig-faq-0009).
CLOCK_SKEW_CODES = _gateway("0303")
#: "The token must be updated."
TOKEN_EXPIRED_CODES = _gateway("0307")
#: "The throttling threshold has been reached."
THROTTLED_CODES = _gateway("0308")


class RomaError(Exception):
    """Base of every error roma-tui raises on purpose."""

    def __init__(self, message: str) -> None:
        message = terminal_safe(redact_message(message))
        super().__init__(message)
        self.message = message

    @property
    def transient(self) -> bool:
        """True when trying again later may succeed without anyone changing anything."""
        return False

    def __str__(self) -> str:
        return self.message


class ConfigError(RomaError):
    """Missing or invalid configuration (endpoint, project id, credentials, files)."""


class TransportError(RomaError):
    """No usable HTTP exchange: connection refused or dropped, DNS, TLS, timeout."""

    @property
    def transient(self) -> bool:
        return True


class BadResponseError(RomaError):
    """The server answered 2xx but the body is not what the API sends (bad JSON, wrong shape)."""

    @property
    def transient(self) -> bool:
        return True


class ApiError(RomaError):
    """The server answered with an HTTP error status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_code: str | None = None,
        error_msg: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error_code = _shown(error_code)
        self.error_msg = _shown(error_msg)
        self.request_id = _shown(request_id)
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.status_code == 429 or (self.status_code >= 500 and not self.not_found)

    @property
    def not_found(self) -> bool:
        return self.status_code == 404 or self.error_code in NOT_FOUND_CODES

    @property
    def throttled(self) -> bool:
        return self.status_code == 429 or self.error_code in THROTTLED_CODES

    @property
    def auth_failed(self) -> bool:
        return self.status_code in (401, 403)

    @property
    def clock_skew(self) -> bool:
        """The gateway says the request's date is too far off: the local clock is wrong."""
        return self.error_code in CLOCK_SKEW_CODES


def _shown(text: str | None) -> str | None:
    return None if text is None else terminal_safe(redact_message(text))


class AuthError(ApiError):
    """401/403: credentials missing, wrong, expired, or not allowed."""


class NotFoundError(ApiError):
    """No such instance (404, or an error_code that means it, whatever the status)."""
