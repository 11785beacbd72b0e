"""`roma-tui wait ID [--timeout 60m] [--interval 10]`: block until a creation ends.

Polls the creation progress every interval (sleeping through the injected clock), and the
instance list at the start, every LIST_EVERY polls and whenever the creation looks over, so
that the list's word (ERROR, Frozen, Deleting...) is heard: what ends the wait is the view
model's status (roma_tui.monitor.view), the one the TUI and `status` show. On a terminal it
shows a live display (one bar per sub-service); otherwise it prints one timestamped line per
change, e.g. `2025-03-06T12:01:43Z mqs creating 40%`, and nothing when nothing changed.
Transient faults (network, bad JSON, 5xx, 429) are reported on `err`, one line each, and tried
again with backoff up to two intervals (roma_tui.monitor.budget.backoff), never sooner than
Retry-After (capped at 15 minutes): `wait` is its own retry layer, its client does not retry;
they end the wait only through the timeout. Every answer extends the creation's trace, which
the ETA and the stall warning are read from; with the history on (a `Recorder`), every change
is kept there too.

Exit codes: 0 running; 1 creation failed, or the instance ended up anything but running
(error, frozen, deleting, deleted), with the reason on `err`; 2 timed out; 3 configuration or
authentication error; 4 instance not found; 130 interrupted. Cancellation (Ctrl-C under
`asyncio.run`) is not swallowed: `run_wait` prints "interrupted" on `err` and re-raises, and
the caller maps KeyboardInterrupt / CancelledError to 130 (`roma_tui.scripting.run_blocking`).

Imports roma_tui.api (errors), roma_tui.monitor and rich; never textual or httpx.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, TextIO

from rich.console import Group
from rich.live import Live
from rich.text import Text

from roma_tui.api.errors import ApiError, RomaError
from roma_tui.clock import Clock
from roma_tui.monitor.budget import RECOVERY_INTERVALS, backoff
from roma_tui.monitor.domain import CreationProgress, Instance, Place, Status
from roma_tui.monitor.history import Recorder
from roma_tui.monitor.mapping import instance_from_listed, progress_from_wire
from roma_tui.monitor.present import (
    eta_phrase,
    iso_utc,
    printable,
    stall_phrase,
    usual_phrase,
)
from roma_tui.monitor.snapshot import one_shot
from roma_tui.monitor.trace import Trace
from roma_tui.monitor.view import InstanceView, instance_view
from roma_tui.scripting import EXIT_INTERRUPTED
from roma_tui.scripting.render import (
    detail_renderable,
    fmt_duration,
    fmt_timeout,
    make_console,
    wants_plain,
)
from roma_tui.scripting.status import (
    IdError,
    StatusClient,
    is_auth_problem,
    is_not_found,
    resolve_id,
    say,
)

__all__ = [
    "EXIT_AUTH",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_RUNNING",
    "EXIT_TIMEOUT",
    "run_wait",
]

EXIT_RUNNING = 0
EXIT_FAILED = 1
EXIT_TIMEOUT = 2
EXIT_AUTH = 3  # and every other configuration or usage error
EXIT_NOT_FOUND = 4

MIN_INTERVAL = 0.5
LIST_EVERY = 3  # the list is read every this many polls (and whenever the creation looks over)
# Where a wait ends: running is success; these will not turn into "running" by themselves.
_ENDS_BADLY = (Status.FAILED, Status.ERROR, Status.FROZEN, Status.DELETING, Status.DELETED)


def _stamp(moment: datetime) -> str:
    return iso_utc(moment) or ""


def _state(view: InstanceView) -> str:
    """`roma-2222 creating 40%; mqs creating 40%`: the instance and its unfinished parts."""
    parts = [f"{view.name or view.id} {view.status.word} {view.progress or 0}%"]
    parts += [
        f"{s.name} {s.state.value} {s.progress}%"
        for s in view.sub_services
        if s.state.value not in ("done", "waiting")
    ]
    return printable("; ".join(parts))


# -- displays --------------------------------------------------------------------------------


class _Display(Protocol):
    def show(self, view: InstanceView, now: datetime) -> None: ...

    def note(self, line: str, now: datetime) -> None: ...

    def close(self) -> None: ...


class PlainDisplay:
    """For logs and pipes: one timestamped line per change, nothing when nothing changed:
    `instance NAME STATUS P%`, one per sub-service `NAME STATUS P%`, and `ETA ...`,
    `stalled: ...`, `usually: ...` when there is something to say."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self._out = out
        self._err = err
        self._seen: dict[str, str] = {}

    def _emit(self, key: str, text: str, now: datetime, same: str | None = None) -> None:
        """Write `text` unless it (or `same`, what matters in it) is what was said last."""
        said = text if same is None else same
        if self._seen.get(key) == said:
            return
        self._seen[key] = said
        self._out.write(f"{_stamp(now)} {printable(text)}\n")

    def show(self, view: InstanceView, now: datetime) -> None:
        percent = "" if view.progress is None else f" {view.progress}%"
        self._emit(
            "\0instance", f"instance {view.name or view.id} {view.status.word}{percent}", now
        )
        if view.eta is not None and view.eta_at is not None:
            eta = eta_phrase(view.eta_at, view.eta, view.eta_low, view.eta_high)
            # once per expected end (to the minute): the range alone narrows every minute
            self._emit("\0eta", f"ETA {eta}", now, same=f"{view.eta_at:%Y%m%d%H%M}")
        if view.stalled is not None:
            self._emit("\0stalled", f"stalled: {stall_phrase(view.stalled, view.stall_usual)}", now)
        usual = view.usual
        if usual is not None:
            phrase = usual_phrase(None, False, usual.type, usual.region, usual.median, usual.p90)
            slower = "; this one is slower" if view.slower_than_usual else ""
            self._emit("\0usual", f"usually: {phrase}{slower}", now)
        for sub in view.sub_services:
            text = f"{sub.name} {sub.state.value} {sub.progress}%"
            if sub.error_code:
                text += f" (error {sub.error_code})"
            self._emit(sub.name, text, now)
        self._out.flush()

    def note(self, line: str, now: datetime) -> None:
        say(self._err, f"{_stamp(now)} {line}")

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
        err_is_tty: bool,
    ) -> None:
        self._console = make_console(out, plain=False)
        self._err = err
        self._err_is_tty = err_is_tty
        self._interval = interval
        self._deadline_at = deadline_at
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
            f"timeout in {fmt_duration(timedelta(seconds=max(0.0, self._deadline_at())))}",
            style="dim",
        )
        parts.append(footer)
        if self._problem:
            parts.append(Text(self._problem, style="yellow"))
        return Group(*parts)

    def show(self, view: InstanceView, now: datetime) -> None:
        self._view = view
        self._problem = None
        self._live.update(self._render(now), refresh=True)

    def note(self, line: str, now: datetime) -> None:
        self._problem = printable(line)
        if self._err_is_tty:
            self._live.console.print(Text(f"{_stamp(now)} {self._problem}"))
        else:
            say(self._err, f"{_stamp(now)} {line}")
        self._live.update(self._render(now), refresh=True)

    def close(self) -> None:
        self._live.stop()


# -- the loop --------------------------------------------------------------------------------


def _backoff(failures: int, interval: float, error: RomaError) -> float:
    """Doubling from the interval up to two intervals (back within two intervals of a fault
    clearing); never sooner than Retry-After (itself capped)."""
    retry_after = error.retry_after if isinstance(error, ApiError) else None
    return backoff(interval, failures, RECOVERY_INTERVALS * interval, retry_after)


class _Stop(Exception):
    """The wait is over: `code`, after the lines in `lines` went to `err`."""

    def __init__(self, code: int, *lines: str) -> None:
        super().__init__(code)
        self.code = code
        self.lines = lines


@dataclass
class _Watch:
    """What `wait` knows of the instance so far."""

    client: StatusClient
    clock: Clock
    instance_id: str
    listed: Instance | None = None
    list_seen: bool = False  # the list was read at least once
    polls_since_list: int = 0
    recorder: Recorder | None = None
    progress: CreationProgress | None = None
    trace: Trace | None = None
    progress_missing: bool = False
    view: InstanceView | None = field(default=None, init=False)

    async def poll(self) -> InstanceView:
        """One round of requests, and what they say (kept in the history when it changed)."""
        before = self.trace
        fresh = not self.list_seen
        if fresh:  # first the list, so that a prefix of an id can be resolved
            await self._read_list()
        try:
            self.progress = progress_from_wire(
                await self.client.get_creation_progress(self.instance_id)
            )
            self.progress_missing = False
            now = self.clock.now()
            self.trace = (
                Trace.first(self.progress, now)
                if self.trace is None
                else self.trace.observe(self.progress, now)
            )
        except RomaError as error:
            if not is_not_found(error):
                raise
            self.progress_missing = True
        self.polls_since_list += 1
        known = self.progress is not None or self.listed is not None
        # the list's word is heard before an end is announced: it may say ERROR or Frozen
        if not fresh and (self.polls_since_list >= LIST_EVERY or (known and self._view().over)):
            await self._read_list()
        if self.progress_missing and self.listed is None:
            raise _Stop(EXIT_NOT_FOUND, f"error: instance {self.instance_id} not found")
        view = self.view = self._view()
        if self.recorder is not None and (self.trace is not before or view.over):
            self.recorder.record(view, self.trace, self.clock.now())
        return view

    async def _read_list(self) -> None:
        instances = [
            instance_from_listed(item) for item in (await self.client.list_instances()).instances
        ]
        if not self.list_seen:
            try:
                self.instance_id = resolve_id(self.instance_id, instances)
            except IdError as error:
                raise _Stop(EXIT_AUTH, f"error: {error}") from None
        self.listed = next((i for i in instances if i.id == self.instance_id), None)
        self.list_seen = True
        self.polls_since_list = 0

    def _view(self) -> InstanceView:
        now = self.clock.now()
        progress = {self.instance_id: self.progress} if self.progress is not None else {}
        traces = {self.instance_id: self.trace} if self.trace is not None else {}
        place = Place(self.client.endpoint, self.client.project_id)
        listed = [self.listed] if self.listed is not None else []
        typical = self.recorder.typical() if self.recorder is not None else None
        snapshot = one_shot(place, listed, progress, now, traces, typical)
        view = instance_view(snapshot, self.instance_id, now)
        assert view is not None  # a listed instance or a progress: one is always there
        return view


def _outcome(view: InstanceView) -> _Stop | None:
    status = view.status
    name = view.name or view.id
    if status.status is Status.RUNNING:
        return _Stop(EXIT_RUNNING)
    if status.status is Status.FAILED:
        reason = view.reason.text() if view.reason is not None else "the API gave no reason"
        return _Stop(EXIT_FAILED, f"error: instance {name} failed: {reason}")
    if status.status in _ENDS_BADLY:
        why = f": {view.reason.text()}" if view.reason is not None else ""
        return _Stop(
            EXIT_FAILED,
            f"error: instance {name} is {status.word} ({status.meaning}), not running{why}",
        )
    return None


async def run_wait(
    client: StatusClient,
    clock: Clock,
    instance_id: str,
    *,
    timeout: float,
    interval: float,
    out: TextIO,
    err: TextIO,
    is_tty: bool | None = None,
    recorder: Recorder | None = None,
) -> int:
    """Wait until `instance_id` is running (0), or failed or anything but running (1);
    2 timeout, 3 auth, 4 not found. With a `recorder`, the creation is kept in the history.

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
            err_is_tty=not wants_plain(err),
        )
    watch = _Watch(client, clock, instance_id, recorder=recorder)
    last_error: RomaError | None = None
    failures = 0

    def stop(code: int, *lines: str) -> int:
        display.close()
        for line in lines:
            say(err, line)
        return code

    try:
        while True:
            delay = interval
            try:
                view = await watch.poll()
            except _Stop as over:
                return stop(over.code, *over.lines)
            except RomaError as error:
                if is_auth_problem(error):
                    return stop(EXIT_AUTH, f"error: {error.message}")
                if not error.transient:
                    return stop(EXIT_FAILED, f"error: {error.message}")
                failures += 1
                last_error = error
                delay = _backoff(failures, interval, error)
                left = deadline - clock.monotonic()
                wait_for = timedelta(seconds=min(delay, max(left, 0.0)))
                display.note(
                    f"problem (try {failures}): {error.message}; "
                    f"retrying in {fmt_duration(wait_for)}",
                    clock.now(),
                )
            else:
                if failures:
                    display.note(f"recovered after {failures} failed tries", clock.now())
                failures, last_error = 0, None
                display.show(view, clock.now())
                end = _outcome(view)
                if end is not None:
                    return stop(end.code, *end.lines)
            left = deadline - clock.monotonic()
            if left <= 0:
                seen = _state(watch.view) if watch.view is not None else "nothing yet"
                message = f"timed out after {fmt_timeout(timeout)}; last seen: {seen}"
                if last_error is not None:
                    message += f"; last error: {last_error.message}"
                return stop(EXIT_TIMEOUT, message)
            await clock.sleep(min(delay, left))
    except (asyncio.CancelledError, KeyboardInterrupt) as interrupted:
        seen = _state(watch.view) if watch.view is not None else "nothing yet"
        stop(EXIT_INTERRUPTED, f"interrupted; last seen: {seen}")
        if isinstance(interrupted, KeyboardInterrupt):
            return EXIT_INTERRUPTED
        raise
    finally:
        display.close()
        err.flush()
        out.flush()
