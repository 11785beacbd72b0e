"""Secrets out of every log line and error message, whoever wrote it.

Two nets, applied together by `redact`:

- by shape: the values of the `X-Subject-Token`, `X-Auth-Token`, `X-Security-Token`,
  `Authorization` (and `Proxy-Authorization`, `Cookie`) headers however they are written
  (`Name: value`, httpcore's `(b'name', b'value')`, a dict's `'name': 'value'`), `key=value` /
  `"key": "value"` pairs whose key names a secret (password, sk, secret_key, security_token,
  token, signature, ...), and the password of a URL's user info;
- by value: every secret of the running configuration, remembered when an auth object is
  built (`remember_secret`: token, SK, security token, each IAM-issued token) or a password
  is known (`remember_password`: logs only, see below), in every form it may take in text: as
  is, each of its lines, Python's `repr` of it as `str` and as `bytes` (what httpx's "Illegal
  header value b'...'" shows for a token holding a line break), JSON- and URL-escaped.
  Values shorter than `MIN_SECRET_LENGTH` are not matched by value: they cannot be told
  from ordinary words.

`RedactingFilter` is a `logging.Filter` for handlers (the CLI puts it on the handler it adds
to the root logger, which every logger's records reach, httpx's and httpcore's included): it
formats each record, redacts the result, the exception text and the stack, and drops the
arguments. `roma_tui.api.errors` runs every error message through `redact_message`, which
uses the same nets except passwords: a password is a word a person chose and may well appear
in unrelated text, so it is kept out of messages by construction instead (see
`roma_tui.api.auth.PasswordAuth`), and only blotted out of logs.

Imports the standard library only (pydantic's `SecretStr` for type hints).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:  # pydantic itself is not loaded for `roma-tui --help`
    from pydantic import SecretStr


__all__ = [
    "MASK",
    "MIN_SECRET_LENGTH",
    "RedactingFilter",
    "redact",
    "redact_message",
    "remember_password",
    "remember_secret",
]

MASK = "***"
MIN_SECRET_LENGTH = 6
#: Remembered secrets kept (the oldest go first): a renewed IAM token every day adds one.
MAX_REMEMBERED = 64

_SECRET_HEADERS = (
    r"x-subject-token|x-auth-token|x-security-token|proxy-authorization|authorization"
    r"|set-cookie|cookie"
)
# `Name: value`, `(b'name', b'value')`, `'name': 'value'`, `name=value`: the value runs to the
# closing quote or the end of the line.
_HEADER = re.compile(
    rf"(?i)(?<![\w-])((?:{_SECRET_HEADERS})['\"]?\s*[:=,]\s*b?['\"]?)([^'\"\r\n]+)"
)
_SECRET_KEYS = (
    r"(?:huaweicloud_sdk_|hw_|roma_tui_|roma_sim_|iam_)?"
    r"(?:password|passwd|secret_access_key|secret_key|secretkey|sk|security_token"
    r"|securitytoken|access_token|auth_token|subject_token|token|signature)"
)
# key=value, key: value, "key": "value" (a quoted value may hold spaces and escaped quotes).
_KEY_VALUE = re.compile(
    rf"(?i)(?<![\w-])({_SECRET_KEYS}['\"]?\s*[:=]\s*)"
    r"(?:(b?(['\"]))((?:\\.|(?!\3)[^\\\r\n])*)\3|([^\s'\",;&{}\[\]()<>]+))"
)
_URL_USERINFO = re.compile(r"(?<=://)[^/\s@:]+:[^/\s@]+@")

_lock = threading.Lock()
_secrets: dict[str, None] = {}  # remembered values, oldest first (an ordered set)
_passwords: dict[str, None] = {}
_message_pattern: re.Pattern[str] | None = None  # secrets in any form
_log_pattern: re.Pattern[str] | None = None  # secrets and passwords in any form


def _forms(value: str) -> set[str]:
    """Every way `value` may be written in text."""
    forms = {value, value.strip(), repr(value)[1:-1], json.dumps(value)[1:-1]}
    forms.add(repr(value.encode("utf-8", "backslashreplace"))[2:-1])
    forms.add(quote(value, safe=""))
    forms.update(line.strip() for line in value.splitlines())
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def _pattern(values: dict[str, None]) -> re.Pattern[str] | None:
    forms: set[str] = set()
    for value in values:
        forms |= _forms(value)
    if not forms:
        return None
    # Longest first, so a value wins over any of its own lines.
    return re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))


def _remember(store: dict[str, None], value: str | SecretStr | None) -> None:
    global _message_pattern, _log_pattern
    if value is not None and not isinstance(value, str):
        value = value.get_secret_value()
    if not value or not _forms(value):
        return
    with _lock:
        if value in store:
            return
        store[value] = None
        while len(store) > MAX_REMEMBERED:
            del store[next(iter(store))]
        _message_pattern = _pattern(_secrets)
        _log_pattern = _pattern({**_secrets, **_passwords})


def remember_secret(value: str | SecretStr | None) -> None:
    """Redact this value (token, SK, security token) from every log line and error message."""
    _remember(_secrets, value)


def remember_password(value: str | SecretStr | None) -> None:
    """Redact this password from every log line (messages never hold it in the first place)."""
    _remember(_passwords, value)


def _mask_key_value(match: re.Match[str]) -> str:
    if match.group(2) is not None:  # quoted: keep the quotes
        return f"{match.group(1)}{match.group(2)}{MASK}{match.group(3)}"
    return f"{match.group(1)}{MASK}"


def _redact(text: str, known: re.Pattern[str] | None) -> str:
    if known is not None:
        text = known.sub(MASK, text)
    text = _HEADER.sub(lambda m: m.group(1) + MASK, text)
    text = _KEY_VALUE.sub(_mask_key_value, text)
    return _URL_USERINFO.sub(MASK + "@", text)


def redact(text: str) -> str:
    """`text` with every secret (by shape, and every remembered value) replaced by `***`."""
    return _redact(text, _log_pattern)


def redact_message(text: str) -> str:
    """Like `redact`, without matching passwords by value (see the module docstring)."""
    return _redact(text, _message_pattern)


class RedactingFilter(logging.Filter):
    """Redacts a record's message (arguments merged in), exception text and stack in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad arguments: keep the template, never the arguments
            message = f"{record.msg} (the arguments did not fit the message)"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
