"""Bounds on what a server can make roma-tui do: waits, requests, memory, recursion, retries.

- Retry-After is capped at 15 minutes wherever it is read (client, monitor, `wait`).
- The instance list stops paging at what `total` and the page size imply, at a page that
  brings nothing new, and at MAX_INSTANCES.
- A body over 32 MB is an error, read no further (memory stays bounded); compressed content
  (never asked for) is refused; JSON nested deeper than any real answer is an error.
- A 200 whose body is cut or not JSON is transient: retried by whoever schedules, then reported.
- One retry layer: the client the CLI builds does not retry (the monitor and `wait` schedule);
  `status` allows itself one quick retry of a quick transient failure.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SimServer, SimSocket
from ptyrun import python_argv
from pydantic import SecretStr

from roma_tui.api.auth import TokenAuth
from roma_tui.api.client import NO_RETRY, ONE_RETRY, PAGE_LIMIT, RomaClient
from roma_tui.api.errors import ApiError, BadResponseError, TransportError
from roma_tui.api.limits import MAX_INSTANCES, MAX_RETRY_AFTER, cap_retry_after
from roma_tui.clock import FakeClock, SystemClock
from roma_tui.config import Config, make_client
from roma_tui.demo import simulator_client
from roma_tui.monitor.live import Monitor
from roma_tui.scripting.wait import run_wait
from roma_tui.simulator import Faults, SimulatorApp, create_app

SEED_ID = "b037d389-62a4-464a-8461-c88797ad4f23"
RUNNING_ID = "5f0c2d1e-8a47-4b6e-9c3f-2e1d7a9b0c44"
HUGE = 99999999999999
MB = 1024 * 1024
TOKEN = SecretStr("tok-limits-000000")


# -- Retry-After ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, None), (float("nan"), None), (-5.0, 0.0), (42.0, 42.0), (1e300, 900.0)],
)
def test_cap_retry_after(value: float | None, seconds: float | None) -> None:
    assert cap_retry_after(value) == seconds


async def test_a_huge_retry_after_is_read_as_15_minutes(
    sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    sim_app.faults = Faults(throttle=1, throttle_every=0, retry_after=HUGE)
    async with simulator_client(sim_app, clock=fake_clock) as client:
        with pytest.raises(ApiError) as caught:
            await client.list_instances()
    assert caught.value.retry_after == MAX_RETRY_AFTER
    assert "retry after 900 s" in caught.value.message


async def test_the_monitor_caps_retry_after_and_does_not_storm(
    sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    """A Retry-After from any source (here one the client did not cap) waits 15 minutes."""

    class Unbounded:
        endpoint, project_id = "https://roma.example.test", "0123456789abcdef0123456789abcdef"
        calls = 0

        async def list_instances(self, status: str | None = None) -> Any:
            Unbounded.calls += 1
            raise ApiError("throttled", status_code=429, retry_after=float(HUGE))

        async def get_creation_progress(self, instance_id: str) -> Any:
            raise AssertionError("not asked")

    monitor = Monitor(Unbounded(), fake_clock, interval=10)
    for _ in range(30):
        await monitor.poll_due()
        fake_clock.advance(1)
    assert Unbounded.calls == 1
    wait = monitor.snapshot.list_feed.next_due - fake_clock.now()
    assert timedelta(minutes=14) < wait <= timedelta(minutes=15)


async def test_wait_caps_retry_after_and_still_finishes(
    sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    sim_app.faults = Faults(throttle=1, throttle_every=0, retry_after=HUGE)
    out, err = io.StringIO(), io.StringIO()
    async with simulator_client(sim_app, clock=fake_clock) as client:
        code = await run_wait(
            client, fake_clock, RUNNING_ID, timeout=3600, interval=10, out=out, err=err
        )
    assert code == 0, err.getvalue()
    assert "retrying in 15m00s" in err.getvalue()


# -- paging -----------------------------------------------------------------------------------


def _listed(n: int) -> dict[str, Any]:
    return {"id": f"id-{n:07d}", "name": f"roma-{n}", "status": "RUNNING"}


async def _list_with(handler: Any) -> tuple[Any, int]:
    requests: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return handler(request)  # type: ignore[no-any-return]

    client = RomaClient(
        "http://127.0.0.1",
        "p",
        TokenAuth(TOKEN),
        transport=httpx.MockTransport(recording),
        clock=FakeClock(),
    )
    async with client:
        return await client.list_instances(), len(requests)


async def test_a_server_ignoring_offset_gets_two_requests_not_ten_thousand() -> None:
    page = [_listed(n) for n in range(PAGE_LIMIT)]

    def same_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"total": 10**6, "size": PAGE_LIMIT, "instances": page})

    listed, requests = await _list_with(same_page)
    assert requests == 2
    assert len(listed.instances) == PAGE_LIMIT


async def test_a_huge_total_stops_at_max_instances() -> None:
    def honest(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        items = [_listed(n) for n in range(offset, offset + PAGE_LIMIT)]
        return httpx.Response(200, json={"total": 10**6, "size": len(items), "instances": items})

    listed, requests = await _list_with(honest)
    assert requests == MAX_INSTANCES // PAGE_LIMIT
    assert len(listed.instances) == MAX_INSTANCES
    assert listed.total == 10**6  # the server's count, so a screen can say "5000 of 1000000"


async def test_pages_stop_at_what_total_and_the_page_size_imply() -> None:
    """A server that pages by 10 whatever `limit` says, and sends new ids for ever."""
    served = 0

    def endless(request: httpx.Request) -> httpx.Response:
        nonlocal served
        items = [_listed(served + n) for n in range(10)]
        served += 10
        return httpx.Response(200, json={"total": 25, "size": 10, "instances": items})

    _, requests = await _list_with(endless)
    assert requests == 3  # 25 at 10 a page


# -- body size, compression, nesting --------------------------------------------------------


class BigBody:
    """Answers with `size` bytes of a JSON string, in 1 MB chunks, declared or not."""

    def __init__(self, size: int, status: int = 200, *, declared: bool = False) -> None:
        self.size, self.status, self.declared = size, status, declared

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"application/json")]
        if self.declared:
            headers.append((b"content-length", str(self.size).encode()))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        chunk = b'"' + b"x" * (MB - 2) + b'"'
        for _ in range(self.size // MB):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def serve(sim_socket: SimSocket) -> Iterator[Any]:
    def install(app: Any) -> str:
        sim_socket.install(app)
        return sim_socket.base_url

    try:
        yield install
    finally:
        sim_socket.install(None)


def _client(base_url: str) -> RomaClient:
    return RomaClient(base_url, "p", TokenAuth(TOKEN))


@pytest.mark.parametrize("status", [200, 401])
async def test_a_200_mb_body_is_an_error_and_memory_stays_bounded(serve: Any, status: int) -> None:
    server = BigBody(200 * MB, status)
    base_url = serve(server)
    tracemalloc.start()
    try:
        async with _client(base_url) as client:
            with pytest.raises(BadResponseError) as caught:
                await client.list_instances()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "larger than 32 MB: not read" in caught.value.message
    assert peak < 48 * MB, f"peak {peak / MB:.0f} MB"


async def test_a_declared_oversize_body_is_not_read(serve: Any) -> None:
    server = BigBody(200 * MB, declared=True)
    async with _client(serve(server)) as client:
        with pytest.raises(BadResponseError, match="larger than 32 MB"):
            await client.list_instances()


def test_status_against_a_200_mb_body_fails_in_bounded_memory(serve: Any, tmp_path: Path) -> None:
    base_url = serve(BigBody(200 * MB))
    measure = (
        "import resource, subprocess, sys; "
        "code = subprocess.run(sys.argv[1:]).returncode; "
        "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    env = {**os.environ, "ROMA_TUI_TOKEN": "tok-limits-000000", "HOME": str(tmp_path)}
    project = "0123456789abcdef0123456789abcdef"
    argv = python_argv("status", "--endpoint", base_url, "--project-id", project)
    proc = subprocess.run(
        [sys.executable, "-c", measure, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    code, max_rss_kb = proc.stdout.split()
    assert code == "1"
    assert "larger than 32 MB" in proc.stderr and "Traceback" not in proc.stderr
    assert int(max_rss_kb) < 200 * 1024, f"status used {int(max_rss_kb) // 1024} MB"


async def test_compressed_content_is_refused(serve: Any) -> None:
    async def gzipped(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-encoding", b"gzip")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"\x1f\x8b..."})

    async with _client(serve(gzipped)) as client:
        with pytest.raises(BadResponseError, match="gzip-compressed content"):
            await client.list_instances()
        assert client.http.headers["Accept-Encoding"] == "identity"


@pytest.mark.parametrize("depth", [100, 100_000])
async def test_deeply_nested_json_is_a_clear_bad_response(depth: int) -> None:
    body = b"[" * depth + b"]" * depth
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    auth = TokenAuth(TOKEN)
    async with RomaClient("http://127.0.0.1", "p", auth, transport=transport) as client:
        with pytest.raises(BadResponseError, match="nested deeper than any ROMA response"):
            await client.get_creation_progress(SEED_ID)


# -- a cut 200 is transient -------------------------------------------------------------------


async def test_a_cut_200_is_retried_by_the_monitor_like_a_5xx_then_recovers(
    sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    async with simulator_client(sim_app, clock=fake_clock) as client:
        monitor = Monitor(client, fake_clock, interval=10)
        sim_app.faults = Faults(malformed=1.0)
        await monitor.poll_due()
        feed = monitor.snapshot.list_feed
        assert isinstance(feed.error, BadResponseError)
        assert feed.next_due - fake_clock.now() == timedelta(seconds=10)  # not the 60 s of a 4xx
        sim_app.faults = Faults()
        fake_clock.advance(10)
        await monitor.poll_due()
        assert monitor.snapshot.list_feed.error is None
        assert monitor.snapshot.instances


async def test_a_cut_200_is_retried_by_wait_and_reported(
    sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    sim_app.faults = Faults(malformed=1.0)
    err = io.StringIO()

    class Heal:
        """Clears the fault after the second failed poll."""

        def __init__(self, client: RomaClient) -> None:
            self.client, self.calls = client, 0
            self.endpoint, self.project_id = client.endpoint, client.project_id

        def heal(self) -> None:
            self.calls += 1  # every request: the first of each poll is the list's
            if self.calls == 3:
                sim_app.faults = Faults()

        async def list_instances(self, status: str | None = None) -> Any:
            self.heal()
            return await self.client.list_instances(status)

        async def get_creation_progress(self, instance_id: str) -> Any:
            self.heal()
            return await self.client.get_creation_progress(instance_id)

    async with simulator_client(sim_app, clock=fake_clock) as client:
        code = await run_wait(
            Heal(client),
            fake_clock,
            RUNNING_ID,
            timeout=600,
            interval=10,
            out=io.StringIO(),
            err=err,
        )
    assert code == 0
    problems = [line for line in err.getvalue().splitlines() if "problem (try" in line]
    assert len(problems) == 2 and "not JSON" in problems[0]
    assert "recovered after 2 failed tries" in err.getvalue()


# -- one retry layer --------------------------------------------------------------------------


@pytest.fixture
async def cli_client(sim_server: SimServer) -> AsyncIterator[RomaClient]:
    """The client the CLI builds for the TUI's monitor and `wait`."""
    creds = sim_server.credentials
    config = Config(
        endpoint=sim_server.base_url,
        project_id=creds.project_id,
        auth_method="token",
        token=creds.token,
    )
    async with make_client(config, sim_server.clock) as client:
        yield client


async def test_the_monitor_gets_a_client_that_does_not_retry(
    sim_server: SimServer, cli_client: RomaClient
) -> None:
    assert cli_client.retry == NO_RETRY
    sim_server.app.faults = Faults(error_rate=1.0)
    monitor = Monitor(cli_client, sim_server.clock, interval=10)
    await monitor.poll_due()
    assert sim_server.app.sim.requests == 1  # one failed poll is one request, seen at once
    assert monitor.snapshot.list_feed.error is not None


async def test_wait_polls_once_per_try(sim_server: SimServer, cli_client: RomaClient) -> None:
    sim_server.app.faults = Faults(error_rate=1.0)
    err = io.StringIO()
    code = await run_wait(
        cli_client, sim_server.clock, SEED_ID, timeout=100, interval=10, out=io.StringIO(), err=err
    )
    assert code == 2
    tries = err.getvalue().count("problem (try")
    assert sim_server.app.sim.requests == tries


def _status(base_url: str, creds: Any) -> int:
    from roma_tui.cli import main

    return main(["status", "--endpoint", base_url, "--project-id", creds.project_id])


@pytest.fixture
def real_sim(sim_socket: SimSocket, monkeypatch: pytest.MonkeyPatch) -> Iterator[SimulatorApp]:
    for name in list(os.environ):
        if name.startswith(("ROMA_TUI_", "HUAWEICLOUD_SDK_", "HW_")):
            monkeypatch.delenv(name)
    app = create_app(clock=SystemClock())
    monkeypatch.setenv("ROMA_TUI_TOKEN", app.sim.credentials.token.get_secret_value())
    sim_socket.install(app)
    try:
        yield app
    finally:
        sim_socket.install(None)


def test_status_retries_a_transient_failure_once(
    sim_socket: SimSocket, real_sim: SimulatorApp, capsys: pytest.CaptureFixture[str]
) -> None:
    real_sim.faults = Faults(throttle=1, throttle_every=0, retry_after=1)  # the first is a 429
    assert _status(sim_socket.base_url, real_sim.sim.credentials) == 0
    assert "roma-2222" in capsys.readouterr().out
    real_sim.faults = Faults(error_rate=1.0)
    assert _status(sim_socket.base_url, real_sim.sim.credentials) == 1
    assert real_sim.sim.requests == 2  # the list, and one retry


async def test_one_retry_never_retries_a_timeout() -> None:
    calls = 0

    def slow(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadTimeout("timed out")

    auth = TokenAuth(TOKEN)
    client = RomaClient(
        "http://127.0.0.1", "p", auth, transport=httpx.MockTransport(slow), retry=ONE_RETRY
    )
    async with client:
        with pytest.raises(TransportError, match="timed out"):
            await client.list_instances()
    assert calls == 1
