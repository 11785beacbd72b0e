"""`roma-tui wait ID [--timeout 60m] [--interval 10]`: block until a creation ends.

Polls the creation progress (sleeping through the injected clock) until the instance is
running or failed, or until the timeout. On a terminal it shows a live display (one bar per
sub-service); otherwise it prints one timestamped line per change, e.g.
`2025-03-06T12:01:43Z mqs creating 40%`, and nothing when nothing changed. Transient faults
(network, bad JSON, 5xx, 429) are reported on `err`, one line each, and retried with backoff
(honouring Retry-After, capped at 15 minutes); they end the wait only through the timeout.
This loop is the one retry layer: the client it is given should not retry (the CLI's does not).

Exit codes: 0 running; 1 creation failed (or an unexpected API error), the failing sub-service's
error code and message on `err`; 2 timed out; 3 configuration or authentication error;
4 instance not found; 130 interrupted. Cancellation (Ctrl-C under `asyncio.run`) is not
swallowed: `run_wait` prints "interrupted" on `err` and re-raises, and the caller maps
KeyboardInterrupt / CancelledError to 130 (`roma_tui.scripting.run_blocking` does).

Imports roma_tui.api (errors, model types), roma_tui.monitor and rich; never textual or httpx.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol, TextIO

from rich.console import Group
from rich.live import Live
from rich.text import Text

from roma_tui.api.errors import ApiError, RomaError
from roma_tui.api.limits import cap_retry_after
from roma_tui.api.models import CreationProgressResponse
from roma_tui.clock import Clock
from roma_tui.monitor.domain import CreationProgress, Status
from roma_tui.monitor.eta import EtaEstimator
from roma_tui.monitor.mapping import progress_from_wire
from roma_tui.scripting.render import (
    InstanceView,
    detail_renderable,
    fmt_duration,
    fmt_timeout,
    iso_utc,
    make_console,
    status_label,
    view_of,
    wants_plain,
)
from roma_tui.scripting.status import is_auth_problem, is_not_found

__all__ = [
    "EXIT_AUTH",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_RUNNING",
    "EXIT_TIMEOUT",
    "ProgressClient",
    "run_wait",
]

EXIT_RUNNING = 0
EXIT_FAILED = 1
EXIT_TIMEOUT = 2
EXIT_AUTH = 3
EXIT_NOT_FOUND = 4
EXIT_INTERRUPTED = 130

MIN_INTERVAL = 0.5
MAX_BACKOFF = 120.0


class ProgressClient(Protocol):
    """The part of `RomaClient` that `wait` uses."""

    async def get_creation_progress(self, instance_id: str) -> CreationProgressResponse: ...


def _stamp(moment: datetime) -> str:
    return iso_utc(moment) or ""


def _percent_word(status: Status, raw: str, progress: int) -> str:
    return f"{status_label(status, raw)} {progress}%"


def last_seen(progress: CreationProgress | None) -> str:
    """`roma-2222 creating 40%; mqs creating 40%`: the instance and its unfinished sub-services."""
    if progress is None:
        return "nothing yet"
    parts = [
        f"{progress.name or progress.instance_id} "
        + _percent_word(progress.status, progress.status_raw, progress.progress)
    ]
    parts += [
        f"{s.name} " + _percent_word(s.status, s.status_raw, s.progress)
        for s in progress.sub_services
        if not s.status.finished or s.status is Status.FAILED
    ]
    return "; ".join(parts)


# -- displays --------------------------------------------------------------------------------


class _Display(Protocol):
    def show(self, progress: CreationProgress, now: datetime) -> None: ...

    def note(self, line: str, now: datetime) -> None: ...

    def close(self) -> None: ...


class PlainDisplay:
    """For logs and pipes: one timestamped line per change, nothing when nothing changed."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self._out = out
        self._err = err
        self._seen: dict[str, str] = {}

    def _emit(self, key: str, text: str, now: datetime) -> None:
        if self._seen.get(key) == text:
            return
        self._seen[key] = text
        self._out.write(f"{_stamp(now)} {text}\n")

    def show(self, progress: CreationProgress, now: datetime) -> None:
        name = progress.name or progress.instance_id
        word = _percent_word(progress.status, progress.status_raw, progress.progress)
        self._emit("\0instance", f"instance {name} {word}", now)
        for sub in progress.sub_services:
            text = f"{sub.name} " + _percent_word(sub.status, sub.status_raw, sub.progress)
            if sub.error_code:
                text += f" (error {sub.error_code})"
            self._emit(sub.name, text, now)
        self._out.flush()

    def note(self, line: str, now: datetime) -> None:
        self._err.write(f"{_stamp(now)} {line}\n")
        self._err.flush()

    def close(self) -> None:
        self._out.flush()


class LiveDisplay:
    """For a terminal: one bar per sub-service under the instance header, redrawn in place.

    Notes go to `err`; when `err` is the terminal too they are printed above the live area
    (through the live console) so they cannot tear the display.
    """

    def __init__(
        self,
        out: TextIO,
        err: TextIO,
        *,
        interval: float,
        deadline_at: Callable[[], float],
        eta: EtaEstimator | None,
        err_is_tty: bool,
    ) -> None:
        self._console = make_console(out, plain=False)
        self._err = err
        self._err_is_tty = err_is_tty
        self._interval = interval
        self._deadline_at = deadline_at
        self._eta = eta
        self._live = Live(
            Text("waiting for the first answer..."),
            console=self._console,
            auto_refresh=False,
            transient=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live.start(refresh=True)
        self._view: InstanceView | None = None
        self._problem: str | None = None

    def _render(self, now: datetime) -> Group:
        parts: list[Text | Group] = []
        if self._view is not None:
            parts.append(detail_renderable(self._view, now, plain=False))
        footer = Text(
            f"updated {_stamp(now)}, polling every {fmt_timeout(self._interval)}, "
            f"timeout in {fmt_duration_secs(self._deadline_at())}",
            style="dim",
        )
        parts.append(footer)
        if self._problem:
            parts.append(Text(self._problem, style="yellow"))
        return Group(*parts)

    def show(self, progress: CreationProgress, now: datetime) -> None:
        self._view = view_of(None, progress, now, self._eta)
        self._problem = None
        self._live.update(self._render(now), refresh=True)

    def note(self, line: str, now: datetime) -> None:
        self._problem = line
        if self._err_is_tty:
            self._live.console.print(Text(f"{_stamp(now)} {line}"))
        else:
            self._err.write(f"{_stamp(now)} {line}\n")
            self._err.flush()
        self._live.update(self._render(now), refresh=True)

    def close(self) -> None:
        self._live.stop()


def fmt_duration_secs(seconds: float) -> str:
    return fmt_duration(timedelta(seconds=max(0.0, seconds)))


# -- the loop --------------------------------------------------------------------------------


def _backoff(failures: int, interval: float, error: RomaError) -> float:
    """Exponential from the interval, capped; never sooner than Retry-After (itself capped)."""
    delay = min(interval * 2.0 ** min(failures - 1, 32), max(interval, MAX_BACKOFF))
    if isinstance(error, ApiError):
        delay = max(delay, cap_retry_after(error.retry_after) or 0.0)
    return delay


def _failure_lines(progress: CreationProgress) -> list[str]:
    name = progress.name or progress.instance_id
    lines = []
    for sub in progress.failed_sub_services:
        lines.append(
            f"error: instance {name} failed: sub-service {sub.name}: "
            f"{sub.error_code or '(no error code)'}: {sub.error_msg or '(no error message)'}"
        )
    inner = progress.instance
    if not lines and inner is not None and (inner.error_code or inner.error_msg):
        lines.append(
            f"error: instance {name} failed: "
            f"{inner.error_code or '(no error code)'}: {inner.error_msg or '(no error message)'}"
        )
    if not lines:
        lines.append(f"error: instance {name} failed; the API gave no error code or message")
    return lines


async def run_wait(
    client: ProgressClient,
    clock: Clock,
    instance_id: str,
    *,
    timeout: float,
    interval: float,
    out: TextIO,
    err: TextIO,
    is_tty: bool | None = None,
    eta: EtaEstimator | None = None,
) -> int:
    """Wait until `instance_id` is running (0) or failed (1); 2 timeout, 3 auth, 4 not found.

    `timeout` and `interval` are seconds. `is_tty` overrides terminal detection of `out`
    (NO_COLOR or TERM=dumb always mean plain lines). On cancellation it reports on `err` and
    re-raises `CancelledError`; a KeyboardInterrupt raised inside returns 130.
    """
    interval = max(MIN_INTERVAL, interval)
    deadline = clock.monotonic() + max(0.0, timeout)
    display: _Display
    if wants_plain(out, is_tty):
        display = PlainDisplay(out, err)
    else:
        display = LiveDisplay(
            out,
            err,
            interval=interval,
            deadline_at=lambda: deadline - clock.monotonic(),
            eta=eta,
            err_is_tty=not wants_plain(err),
        )
    last: CreationProgress | None = None
    last_error: RomaError | None = None
    failures = 0
    try:
        while True:
            delay = interval
            try:
                progress = progress_from_wire(await client.get_creation_progress(instance_id))
            except RomaError as error:
                if is_auth_problem(error):
                    display.close()
                    err.write(f"error: {error.message}\n")
                    return EXIT_AUTH
                if is_not_found(error):
                    display.close()
                    err.write(f"error: instance not found: {error.message}\n")
                    return EXIT_NOT_FOUND
                if not error.transient:
                    display.close()
                    err.write(f"error: {error.message}\n")
                    return EXIT_FAILED
                failures += 1
                last_error = error
                delay = _backoff(failures, interval, error)
                left = deadline - clock.monotonic()
                display.note(
                    f"problem (try {failures}): {error.message}; "
                    f"retrying in {fmt_duration_secs(min(delay, max(left, 0.0)))}",
                    clock.now(),
                )
            else:
                if failures:
                    display.note(f"recovered after {failures} failed tries", clock.now())
                failures, last_error, last = 0, None, progress
                display.show(progress, clock.now())
                if progress.status is Status.RUNNING:
                    display.close()
                    return EXIT_RUNNING
                if progress.status is Status.FAILED:
                    display.close()
                    for line in _failure_lines(progress):
                        err.write(line + "\n")
                    return EXIT_FAILED
            left = deadline - clock.monotonic()
            if left <= 0:
                display.close()
                message = f"timed out after {fmt_timeout(timeout)}; last seen: {last_seen(last)}"
                if last_error is not None:
                    message += f"; last error: {last_error.message}"
                err.write(message + "\n")
                return EXIT_TIMEOUT
            await clock.sleep(min(delay, left))
    except (asyncio.CancelledError, KeyboardInterrupt) as stop:
        display.close()
        err.write(f"interrupted; last seen: {last_seen(last)}\n")
        err.flush()
        if isinstance(stop, KeyboardInterrupt):
            return EXIT_INTERRUPTED
        raise
    finally:
        display.close()
        err.flush()
        out.flush()
