"""The last errors the monitor's feeds reported, each once however long it lasts: when, which
request, and the error (HTTP status, Huawei's code and message, the request id support asks
for). `ErrorsScreen` (`e`) shows them. Imports roma_tui.api.errors and roma_tui.monitor.present.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

from roma_tui.api.errors import ApiError, RomaError
from roma_tui.monitor.present import printable

__all__ = ["MAX_ERRORS", "ErrorEntry", "ErrorLog"]

MAX_ERRORS = 50


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    at: datetime
    request: str  # "list", "progress roma-2222"
    error: RomaError

    @property
    def status(self) -> str:
        return str(self.error.status_code) if isinstance(self.error, ApiError) else "—"

    @property
    def code(self) -> str:
        code = self.error.error_code if isinstance(self.error, ApiError) else None
        return printable(code) if code else "—"

    @property
    def request_id(self) -> str | None:
        return self.error.request_id if isinstance(self.error, ApiError) else None


class ErrorLog:
    """The last errors, each recorded once (a feed repeating the same error object is one)."""

    def __init__(self) -> None:
        self._entries: deque[ErrorEntry] = deque(maxlen=MAX_ERRORS)
        self._seen: dict[str, RomaError] = {}

    def observe(self, request: str, error: RomaError | None, at: datetime) -> None:
        if error is None:
            self._seen.pop(request, None)
            return
        if self._seen.get(request) is error:
            return
        self._seen[request] = error
        self._entries.append(ErrorEntry(at, request, error))

    def newest_first(self) -> list[ErrorEntry]:
        return list(reversed(self._entries))

    def __len__(self) -> int:
        return len(self._entries)
