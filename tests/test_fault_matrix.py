"""The fault matrix: what a network or a server can do wrong, against every front end.

One table (`FAULTS`), one test: each fault is played against the TUI (Pilot), `status` and `wait`,
over a real loopback socket to the simulator, on a fake clock. The simulator serves good data
until FAULT_AT, misbehaves until CLEAR_AT (FAULT_DURATION: six refresh intervals), then behaves
again. Faults switch at those moments of the fake clock (`TimelineClock`); "down" closes the
port and "up" serves the same simulator on it again. Each row asserts, for each front end:

- it keeps running (the TUI, and `wait` through a transient fault; `status` exits with a code);
- one clear line says what is wrong (the TUI's status line, `status`'s and `wait`'s stderr),
  with the row's words ("cannot reach", "timed out", "HTTP 429"...);
- the last good data stays on screen, marked ("last good 40s ago"; a one-shot `status` shows
  nothing it did not get);
- it is back within two intervals of the fault clearing, or, after an authentication failure,
  by the time it announced (the hold that keeps an AK/SK from being locked);
- its requests stay within the budget: no more than a healthy app sends in the same time, a
  429's Retry-After waited out, no IAM token per request, one bad signature per hold.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

import httpx
import pytest
from conftest import SimSocket
from pydantic import SecretStr
from test_tui import text_of
from textual.pilot import Pilot

from roma_tui.api.auth import AkSkAuth, PasswordAuth, TokenAuth
from roma_tui.api.client import NO_RETRY, ONE_RETRY, RetryPolicy, RomaClient
from roma_tui.clock import FakeClock
from roma_tui.monitor.budget import MAX_CONCURRENCY
from roma_tui.monitor.live import Monitor
from roma_tui.scripting import run_status, run_wait
from roma_tui.simulator import Faults, Scenario, SimulatorApp, create_app
from roma_tui.simulator.scenario import InstanceSpec, SubServiceSpec
from roma_tui.tui.app import RomaApp, TuiOptions
from roma_tui.tui.instance_list import InstanceList

INTERVAL = 10.0
FAULT_AT = 20.0
FAULT_DURATION = 6 * INTERVAL
CLEAR_AT = FAULT_AT + FAULT_DURATION
RECOVERY = 2 * INTERVAL
TIMEOUT = httpx.Timeout(0.25)  # real seconds (httpx's timeouts are real): SLOW is past it
SLOW = 1.0
QUICK_ID = "00000000-0000-4000-8000-00000000000b"  # runs at 150 s: what `wait` waits for

Front = Literal["tui", "status", "wait"]
Auth = Literal["token", "password", "aksk"]


def matrix_scenario() -> Scenario:
    """Three instances: one running, one whose creation ends at 150 s, one creating all along."""
    return Scenario(
        "matrix",
        (
            InstanceSpec(
                "00000000-0000-4000-8000-00000000000a",
                "mx-running",
                "basic",
                (SubServiceSpec("lvs", 0, 60),),
                created=-86400,
            ),
            InstanceSpec(
                QUICK_ID,
                "mx-quick",
                "basic",
                (SubServiceSpec("lvs", 0, 180, step=5),),
                created=-30,
            ),
            InstanceSpec(
                "00000000-0000-4000-8000-00000000000c",
                "mx-long",
                "basic",
                (SubServiceSpec("lvs", 0, 3600, step=5),),
                created=-60,
            ),
        ),
    )


NAMES = ("mx-running", "mx-quick", "mx-long")


# -- the server, the clock -------------------------------------------------------------------


@dataclass
class Request:
    at: float  # fake clock, seconds from the start
    path: str
    status: int | None  # None: no answer (the connection was dropped)


class Site:
    """The simulator on 127.0.0.1:<port>: it can go down (the port closed) and come back on
    the same port with the same data. Records every request it gets."""

    def __init__(self, app: SimulatorApp, clock: FakeClock) -> None:
        self.app = app
        self.clock = clock
        self.credentials = app.sim.credentials
        self.requests: list[Request] = []
        with socket.create_server(("127.0.0.1", 0)) as probe:
            self.port: int = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._socket: SimSocket | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(self.clock.monotonic(), scope["path"], None)
        self.requests.append(request)
        await self.app(scope, receive, _Noting(send, request).send)

    def up(self) -> None:
        if self._socket is None:
            self._socket = SimSocket(self.port)
            self._socket.install(self)
            self._socket.start()

    def down(self) -> None:
        if self._socket is not None:
            self._socket.stop()
            self._socket = None

    def faults(self, faults: Faults) -> None:
        self.app.faults = faults

    def restore(self) -> None:
        """Everything as it was: up, no faults, the original credentials."""
        self.up()
        self.app.faults = Faults()
        self.app.sim.credentials = self.credentials

    def api(self, start: float, end: float) -> list[Request]:
        """The ROMA API requests received in [start, end) (fake clock)."""
        return [r for r in self.requests if r.path.startswith("/v2/") and start <= r.at < end]

    def iam(self, start: float, end: float) -> list[Request]:
        return [r for r in self.requests if r.path == "/v3/auth/tokens" and start <= r.at < end]


class _Noting:
    """Passes a response on, noting its status. Its `send` is a bound method of an object
    with the server's `transport`, as uvicorn's is: the simulator's dropped connection aborts
    that transport."""

    def __init__(self, send: Any, request: Request) -> None:
        self._send = send
        self._request = request
        self.transport = getattr(getattr(send, "__self__", None), "transport", None)

    async def send(self, message: Any) -> None:
        if message["type"] == "http.response.start":
            self._request.status = message["status"]
        await self._send(message)


class TimelineClock(FakeClock):
    """A fake clock that runs actions when it passes given moments (seconds from its start),
    before anything woken by the move runs."""

    def __init__(self) -> None:
        super().__init__(auto_advance=False)
        self._events: list[tuple[float, Callable[[], None]]] = []

    def at(self, moment: float, action: Callable[[], None]) -> None:
        self._events.append((moment, action))
        self._events.sort(key=lambda event: event[0])

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        while self._events and self._events[0][0] <= self.monotonic():
            _, action = self._events.pop(0)
            action()


# -- the table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    name: str
    says: str  # a regex: what the one line about it must say ("" for a fault nobody sees)
    inject: Callable[[Site], None]
    auth: Auth = "token"
    from_start: bool = False  # the fault is there before the first request
    stops: int | None = None  # the exit code that ends `wait` (a fault waiting cannot fix)
    status_exit: int = 1  # `status`'s exit code while the fault lasts
    holds: bool = False  # an authentication failure: every request waits for the hold
    unseen: bool = False  # handled below the surface: no front end shows anything
    iam_budget: int | None = None  # IAM token requests allowed while it lasts


def _faults(**values: Any) -> Callable[[Site], None]:
    return lambda site: site.faults(Faults(**values))


def _rotate(site: Site) -> None:
    site.app.sim.credentials = replace(site.credentials, sk=SecretStr("sk-ROTATED-000000"))


FAULTS = (
    Fault("down at start", r"cannot reach", Site.down, from_start=True),
    Fault("killed and restarted", r"cannot reach|dropped|broken", Site.down),
    Fault("slow past the read timeout", r"timed out after 0\.25 s", _faults(latency=SLOW)),
    Fault("5xx storm", r"HTTP 50[03]", _faults(error_rate=1.0)),
    Fault(
        "429 with Retry-After",
        r"HTTP 429",
        _faults(throttle=10**6, throttle_every=0, retry_after=30),
    ),
    Fault("malformed body", r"not JSON", _faults(malformed=1.0)),
    Fault("HTML error page", r"HTTP 502", _faults(html=1.0)),
    Fault("connection reset", r"dropped|broken|reset", _faults(drop=1.0)),
    Fault(
        "token expired (token auth)",
        r"token expired",
        _faults(token_ttl=1),
        stops=3,
        status_exit=3,
        holds=True,
    ),
    Fault(
        "token expiry (password auth)",
        "",
        _faults(token_ttl=15),
        auth="password",
        from_start=True,  # the tokens IAM issues last 15 s, then a day again
        unseen=True,
        iam_budget=int(FAULT_DURATION / (15 * 3 / 4)) + 2,  # a token per 3/4 of its life
    ),
    Fault(
        "AK/SK rotated",
        r"signature",
        _rotate,
        auth="aksk",
        stops=3,
        status_exit=3,
        holds=True,
    ),
)


# -- what every front end needs ---------------------------------------------------------------


@pytest.fixture
def clock() -> TimelineClock:
    return TimelineClock()


@pytest.fixture
def site(clock: TimelineClock) -> Iterator[Site]:
    # real sleeps for the injected latency: httpx's read timeout is real time
    site = Site(create_app(matrix_scenario(), clock=clock, sleep=asyncio.sleep), clock)
    site.up()
    try:
        yield site
    finally:
        site.down()


def client_for(fault: Fault, site: Site, clock: FakeClock, retry: RetryPolicy) -> RomaClient:
    creds = site.credentials
    auth: httpx.Auth
    if fault.auth == "token":
        auth = TokenAuth(creds.token)
    elif fault.auth == "aksk":
        auth = AkSkAuth(creds.ak, creds.sk, creds.project_id, clock=clock)
    else:
        auth = PasswordAuth(
            site.url, creds.iam_user, creds.iam_domain, creds.iam_password, creds.project_id, clock
        )
    return RomaClient(site.url, creds.project_id, auth, timeout=TIMEOUT, clock=clock, retry=retry)


def schedule(fault: Fault, site: Site, clock: TimelineClock) -> tuple[float, float]:
    """Put the fault on the timeline; (when it starts, when it clears)."""
    start = 0.0 if fault.from_start else FAULT_AT
    end = start + FAULT_DURATION
    if fault.from_start:
        fault.inject(site)
    else:
        clock.at(start, lambda: fault.inject(site))
    clock.at(end, site.restore)
    return start, end


def healthy_budget(seconds: float, fast: float) -> float:
    """The most requests a healthy TUI sends in `seconds`: the list every interval, the two
    creating instances' progress every `fast` seconds, and one of each at the start."""
    return seconds / INTERVAL + 2 * seconds / fast + 3


@pytest.mark.parametrize("front", ["tui", "status", "wait"])
@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
async def test_fault(fault: Fault, front: Front, site: Site, clock: TimelineClock) -> None:
    if front == "tui":
        await tui_through(fault, site, clock)
    elif front == "status":
        await status_through(fault, site, clock)
    else:
        await wait_through(fault, site, clock)
    if fault.auth == "aksk":  # one bad signature per hold: the gateway never locked the key
        rejected = [r for r in site.api(0, clock.monotonic() + 1) if r.status == 401]
        assert 1 <= len(rejected) <= MAX_CONCURRENCY
        assert not site.app.sim._locked_until
    if fault.iam_budget is not None:
        start, end = (0.0, FAULT_DURATION) if fault.from_start else (FAULT_AT, CLEAR_AT)
        assert len(site.iam(start, end)) <= fault.iam_budget


# -- the TUI ----------------------------------------------------------------------------------


def status_line(app: RomaApp) -> str:
    return text_of(app, "#status")


def rows(app: RomaApp) -> list[str]:
    table = app.screen_stack[0].query_one("#instances", InstanceList)
    views = [table.view(iid) for iid in table.ids]
    return sorted(v.name for v in views if v is not None)


async def caught_up(pilot: Pilot[int]) -> None:
    """Until the monitor waits for its next job and the screen shows its latest snapshot (real
    time passes while requests go over the socket)."""
    app = pilot.app
    assert isinstance(app, RomaApp)
    deadline = time.monotonic() + 15
    while not app.settled:
        assert time.monotonic() < deadline, "the monitor never came to rest"
        await pilot.pause(0.01)
    await pilot.pause()
    app.tick()


async def step(pilot: Pilot[int], clock: FakeClock, monitor: Monitor, until: float) -> None:
    """Move the clock to the monitor's next job (between 0.5 and 5 s on), or to `until`."""
    wake = (monitor.next_wakeup() - clock.now()).total_seconds()
    clock.advance(max(0.0, min(until - clock.monotonic(), max(0.5, min(5.0, wake)))))
    app = pilot.app
    assert isinstance(app, RomaApp)
    app.request_poll()
    await caught_up(pilot)


def live(line: str) -> bool:
    return line.startswith("● live") and "✖" not in line


async def tui_through(fault: Fault, site: Site, clock: TimelineClock) -> None:
    start, end = schedule(fault, site, clock)
    monitor = Monitor(client_for(fault, site, clock, NO_RETRY), clock, interval=INTERVAL)
    options = TuiOptions(endpoint_label=site.url, interval=INTERVAL, bell=False, clock=clock)
    app = RomaApp(monitor, options)
    async with app.run_test(size=(120, 40)) as pilot:
        await caught_up(pilot)
        while clock.monotonic() < start - 1:
            await step(pilot, clock, monitor, start - 1)
        if not fault.from_start:  # good data, a second before the fault
            assert live(status_line(app)) and rows(app) == sorted(NAMES)
        seen: list[str] = []
        while clock.monotonic() < end:
            await step(pilot, clock, monitor, end)
            assert app.is_running
            line = status_line(app)
            seen.append(line)
            if fault.unseen:
                assert live(line), line
                continue
            if "✖" not in line:
                continue  # before the first failed request
            assert re.search(fault.says, line), line  # what is wrong, on the status line
            if not fault.from_start:  # the last good data stays, marked
                assert rows(app) == sorted(NAMES)
                assert "last good" in line, line
        assert fault.unseen or any("✖ failing" in line for line in seen), seen
        fast = monitor.fast_interval
        assert len(site.api(start, end)) <= healthy_budget(FAULT_DURATION, fast)
        if fault.name.startswith("429"):  # nothing asked again before its Retry-After
            lists = [r for r in site.api(start, end) if r.path.endswith("/instances")]
            assert len(lists) <= FAULT_DURATION / 30 + 1
        # recovery: within two intervals, or when the hold it announced ends
        held = monitor.held_until(clock.now())
        hold_left = (held - clock.now()).total_seconds() if held is not None else 0.0
        deadline = end + max(RECOVERY, hold_left + INTERVAL if fault.holds else 0.0)
        while not live(status_line(app)):
            assert clock.monotonic() <= deadline, status_line(app)
            await step(pilot, clock, monitor, deadline + 1)
        assert rows(app) == sorted(NAMES)
        await pilot.press("q")


# -- status -----------------------------------------------------------------------------------


async def run_status_once(
    client: RomaClient, clock: FakeClock, *, as_json: bool
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await run_status(client, clock, [], as_json=as_json, status=None, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


async def status_through(fault: Fault, site: Site, clock: TimelineClock) -> None:
    """`status` during the fault (plain and --json), then after it cleared."""
    clock.auto_advance = True  # its one retry sleeps a second
    client = client_for(fault, site, clock, ONE_RETRY)
    if not fault.from_start:
        code, out, _ = await run_status_once(client, clock, as_json=False)
        assert code == 0 and all(name in out for name in NAMES)
        clock.advance(FAULT_AT - clock.monotonic())
    fault.inject(site)
    before = len(site.requests)
    code, out, err = await run_status_once(client, clock, as_json=False)
    if fault.unseen:
        clock.advance(FAULT_DURATION / 2)  # into the fault: tokens expired meanwhile
        code, out, err = await run_status_once(client, clock, as_json=False)
        assert code == 0 and err == "" and all(name in out for name in NAMES)
    else:
        assert code == fault.status_exit
        assert out == ""  # nothing shown as if it were current
        (line,) = err.splitlines()  # one line...
        assert re.search(fault.says, line), line  # ...that says what is wrong
        code, out, err = await run_status_once(client, clock, as_json=True)
        assert code == fault.status_exit
        document = json.loads(out)
        assert document["instances"] == [] and document["errors"]
        assert re.search(fault.says, document["errors"][0]["message"])
        # two runs: each the list and at most one quick retry of it, nothing else
        assert len([r for r in site.requests[before:] if r.path.startswith("/v2/")]) <= 4
    site.restore()
    if fault.holds:  # the hold is kept in the cache dir: the next run waits for it too
        clock.advance(300)
    code, out, err = await run_status_once(client, clock, as_json=False)
    assert code == 0 and all(name in out for name in NAMES), err
    await client.aclose()


# -- wait -------------------------------------------------------------------------------------

STAMP = re.compile(r"^(\S+Z) ")


def moment(line: str, started: datetime) -> float:
    """Seconds from `started` at which a timestamped line was written."""
    match = STAMP.match(line)
    assert match, line
    at = datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
    return float((at - started).total_seconds())


async def wait_through(fault: Fault, site: Site, clock: TimelineClock) -> None:
    start, end = schedule(fault, site, clock)
    clock.auto_advance = True
    origin = clock.now()
    client = client_for(fault, site, clock, NO_RETRY)
    out, err = io.StringIO(), io.StringIO()
    code = await run_wait(
        client, clock, QUICK_ID, timeout=600, interval=INTERVAL, out=out, err=err, is_tty=False
    )
    await client.aclose()
    problems = [line for line in err.getvalue().splitlines() if " problem (try " in line]
    if fault.stops is not None:  # waiting will not fix it: one line, and the exit code
        assert code == fault.stops
        (line,) = err.getvalue().splitlines()
        assert re.search(fault.says, line), line
        assert "mx-quick" in out.getvalue()  # what it saw before stays on the screen
        return
    assert code == 0, err.getvalue()  # it rode the fault out, and saw the creation end
    assert "mx-quick running 100%" in out.getvalue()
    if fault.unseen:
        assert problems == []
        return
    assert problems  # one line per failed try, each saying what is wrong
    for line in problems:
        assert re.search(fault.says, line), line
    (recovered,) = [line for line in err.getvalue().splitlines() if "recovered after" in line]
    assert moment(recovered, origin) <= end + RECOVERY
    polls = [r for r in site.api(start, end) if r.path.endswith("/process")]
    assert len(polls) <= FAULT_DURATION / INTERVAL + 1  # backing off, never faster


class Hang:
    """Injected latency that lasts until the test lets the answers go (server side)."""

    def __init__(self) -> None:
        self.released = threading.Event()

    async def sleep(self, seconds: float) -> None:
        while not self.released.is_set():
            await asyncio.sleep(0.01)


async def test_a_slow_answer_says_slow_before_the_read_timeout(clock: TimelineClock) -> None:
    """The real read timeout (30 s) is longer than two intervals: before it gives up, the
    status line says the server is slow and for how long, not only that the data is stale."""
    hang = Hang()
    site = Site(create_app(matrix_scenario(), clock=clock, sleep=hang.sleep), clock)
    site.up()
    try:
        clock.at(FAULT_AT, lambda: site.faults(Faults(latency=1)))
        client = RomaClient(
            site.url,
            site.credentials.project_id,
            TokenAuth(site.credentials.token),
            timeout=httpx.Timeout(30.0),
            clock=clock,
            retry=NO_RETRY,
        )
        monitor = Monitor(client, clock, interval=INTERVAL)
        app = RomaApp(monitor, TuiOptions(endpoint_label=site.url, bell=False, clock=clock))
        async with app.run_test(size=(120, 40)) as pilot:
            await caught_up(pilot)
            while clock.monotonic() < FAULT_AT:
                await step(pilot, clock, monitor, FAULT_AT)
            for _ in range(6):  # the answers hang; the clock goes on
                clock.advance(5)
                await pilot.pause(0.02)
                app.tick()
            line = status_line(app)
            assert line.startswith("⏳ slow"), line
            assert re.search(r"list \S+ · ⏳ slow: no answer for (2\d|30)s", line), line
            hang.released.set()
            site.faults(Faults())
            await caught_up(pilot)
            assert live(status_line(app)), status_line(app)
            await pilot.press("q")
    finally:
        hang.released.set()
        site.down()
