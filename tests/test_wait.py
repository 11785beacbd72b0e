"""`roma-tui wait` against the simulator on a fake clock: exit codes, lines, faults, Ctrl-C."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from roma_tui.api.auth import TokenAuth
from roma_tui.api.client import RetryPolicy, RomaClient
from roma_tui.api.models import CreationProgressResponse, InstanceListResponse
from roma_tui.clock import FakeClock
from roma_tui.scripting import EXIT_INTERRUPTED, run_blocking, run_wait
from roma_tui.simulator import Faults, SimulatorApp

SEED_ID = "b037d389-62a4-464a-8461-c88797ad4f23"  # basic, running after ~30 simulated minutes
FAILING_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
FAILING_CODE = "ROMA.00110020"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (.+) (\S+) (\d+)%(?: \(error \S+\))?$")


@dataclass
class Result:
    code: int
    out: str
    err: str


async def wait(
    client: Any,
    clock: FakeClock,
    instance_id: str,
    *,
    timeout: float = 3600,
    interval: float = 10,
    is_tty: bool | None = None,
) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = await run_wait(
        client,
        clock,
        instance_id,
        timeout=timeout,
        interval=interval,
        out=out,
        err=err,
        is_tty=is_tty,
    )
    return Result(code, out.getvalue(), err.getvalue())


class Counting:
    """Counts the polls; optionally switches the simulator's faults after some of them."""

    def __init__(self, client: RomaClient, app: SimulatorApp | None = None, heal_after: int = 0):
        self.client = client
        self.endpoint = client.endpoint
        self.project_id = client.project_id
        self.app = app
        self.heal_after = heal_after
        self.calls = 0  # progress requests
        self.requests = 0  # every request

    async def list_instances(self, status: str | None = None) -> InstanceListResponse:
        self._heal()
        return await self.client.list_instances(status)

    def _heal(self) -> None:
        """Clear the faults once `heal_after` requests (of any kind) have been made."""
        self.requests += 1
        if self.app is not None and self.requests == self.heal_after + 1:
            self.app.faults = Faults()

    async def get_creation_progress(self, instance_id: str) -> CreationProgressResponse:
        self.calls += 1
        self._heal()
        return await self.client.get_creation_progress(instance_id)


INSIGHT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (ETA ~|stalled: |usually: )")


def subjects(out: str) -> list[tuple[str, str, str]]:
    """(subject, status, percent) per status line; every line must have a documented shape
    (a status line, or an ETA, stall or usual-duration line)."""
    rows = []
    for line in out.splitlines():
        if INSIGHT.match(line):
            continue
        match = LINE.match(line)
        assert match, f"not a status line: {line!r}"
        rows.append((match[2], match[3], match[4]))
    return rows


# -- exit codes ----------------------------------------------------------------------------


async def test_exit_0_when_the_instance_is_running(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    result = await wait(sim_client, fake_clock, SEED_ID)
    assert result.code == 0, result.err
    assert result.err == ""
    assert "\x1b" not in result.out
    lines = result.out.splitlines()
    assert lines[0] == "2025-03-06T12:01:43Z instance roma-2222 creating 0%"
    assert "instance roma-2222 running 100%" in lines[-2] + lines[-1]
    assert any(line.endswith(" mqs done 100%") for line in lines[-3:])
    assert fake_clock.now().strftime("%H:%M") == "12:31"  # ~30 simulated minutes went by


async def test_lines_only_on_change_never_twice_in_a_row(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    counting = Counting(sim_client)
    result = await wait(counting, fake_clock, SEED_ID, interval=5)
    assert result.code == 0
    rows = subjects(result.out)
    last: dict[str, tuple[str, str]] = {}
    for subject, state, percent in rows:
        assert last.get(subject) != (state, percent), f"repeated line for {subject}"
        last[subject] = (state, percent)
    # mqs moves in 5% steps of 75 s, lvs in 10% steps of 60 s: polling every 5 s sees
    # far more polls than changes, and each change exactly once.
    assert counting.calls > 300
    assert len(rows) < counting.calls / 3
    # mqs: waiting 0%, creating 0, 5, ..., 95%, done 100%; lvs starts at once
    assert sum(1 for s, _, _ in rows if s == "mqs") == 22
    assert sum(1 for s, _, _ in rows if s == "lvs") == 11  # creating 0, 10, ..., 90%, done


async def test_exit_1_for_the_failing_instance_with_its_error_on_stderr(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    result = await wait(sim_client, fake_clock, FAILING_ID)
    assert result.code == 1
    assert FAILING_CODE in result.err
    assert f"failed: link: {FAILING_CODE}: " in result.err and "EIP quota" in result.err
    assert "instance roma-legacy-migration failed 71%" in result.out
    assert f"link failed 55% (error {FAILING_CODE})" in result.out
    assert FAILING_CODE not in result.out.replace(f"(error {FAILING_CODE})", "")


async def test_exit_2_on_timeout_with_what_was_last_seen(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    start = fake_clock.monotonic()
    result = await wait(sim_client, fake_clock, SEED_ID, timeout=10 * 60, interval=30)
    assert result.code == 2
    assert fake_clock.monotonic() - start == pytest.approx(600)
    assert result.err.startswith("timed out after 10m; last seen: roma-2222 creating ")
    assert "mqs creating" in result.err
    assert result.err.count("\n") == 1


async def test_exit_4_for_an_unknown_instance(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    result = await wait(sim_client, fake_clock, UNKNOWN_ID)
    assert result.code == 4
    assert "not found" in result.err
    assert result.out == ""


async def test_exit_3_on_rejected_credentials(sim_app: SimulatorApp, fake_clock: FakeClock) -> None:
    client = RomaClient(
        "http://127.0.0.1",
        sim_app.sim.credentials.project_id,
        TokenAuth(SecretStr("wrong-token")),
        transport=httpx.ASGITransport(app=sim_app),
        clock=fake_clock,
    )
    async with client:
        result = await wait(client, fake_clock, SEED_ID)
    assert result.code == 3
    assert "wrong-token" not in result.err
    assert result.err.startswith("error: ")


async def test_exit_3_when_the_token_expires_mid_wait(
    sim_app: SimulatorApp, sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    sim_app.faults = Faults(token_ttl=120)
    result = await wait(sim_client, fake_clock, SEED_ID, interval=30)
    assert result.code == 3
    assert "instance roma-2222 creating" in result.out


# -- transient faults ------------------------------------------------------------------------


async def test_recovers_from_a_5xx_burst(
    sim_app: SimulatorApp, sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    sim_app.faults = Faults(error_rate=1.0)
    client = Counting(sim_client, sim_app, heal_after=3)
    result = await wait(client, fake_clock, SEED_ID, interval=10)
    assert result.code == 0
    problems = [line for line in result.err.splitlines() if "problem" in line]
    assert len(problems) == 3
    assert all(
        re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ problem \(try \d\): ", p) for p in problems
    )
    assert "retrying in 10s" in problems[0] and "retrying in 20s" in problems[1]
    assert "recovered after 3 failed tries" in result.err
    assert "instance roma-2222 running 100%" in result.out


async def test_recovers_from_429_bursts_honouring_retry_after(
    sim_app: SimulatorApp, sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    # every 20 requests, 6 answers of 429 asking for 45 s: more than the client waits itself
    sim_app.faults = Faults(throttle=6, throttle_every=20, retry_after=45)
    result = await wait(sim_client, fake_clock, SEED_ID, interval=10)
    assert result.code == 0
    problems = [line for line in result.err.splitlines() if "problem" in line]
    assert problems, result.err
    assert "retrying in 45s" in problems[0]
    assert all(re.search(r"retrying in (45s|[1-9]\d*m\d\ds)$", p) for p in problems), result.err
    assert "instance roma-2222 running 100%" in result.out


async def test_a_fault_lasting_past_the_timeout_ends_in_exit_2(
    sim_app: SimulatorApp, sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    result = await wait(sim_client, fake_clock, SEED_ID, timeout=300, interval=10)
    assert result.code == 2  # sanity: not finished in 5 minutes anyway
    sim_app.faults = Faults(error_rate=1.0)
    start = fake_clock.monotonic()
    result = await wait(sim_client, fake_clock, SEED_ID, timeout=300, interval=10)
    assert result.code == 2
    assert result.out == ""
    assert "timed out after 5m; last seen: nothing yet; last error: " in result.err
    assert fake_clock.monotonic() - start < 300 + 60  # the client's own retries may overrun


async def test_malformed_answers_and_drops_over_a_real_socket(sim_server: Any) -> None:
    clock = sim_server.clock
    sim_server.app.faults = Faults(malformed=0.3, drop=0.2, seed=7)
    client = RomaClient(
        sim_server.base_url,
        sim_server.credentials.project_id,
        TokenAuth(sim_server.credentials.token),
        clock=clock,
        retry=RetryPolicy(attempts=1),
    )
    async with client:
        result = await wait(client, clock, SEED_ID, interval=30)
    assert result.code == 0
    assert "problem (try 1)" in result.err
    assert "instance roma-2222 running 100%" in result.out


async def test_exit_codes_over_a_real_socket(sim_server: Any) -> None:
    clock = sim_server.clock
    creds = sim_server.credentials
    async with RomaClient(
        sim_server.base_url, creds.project_id, TokenAuth(creds.token), clock=clock
    ) as client:
        failed = await wait(client, clock, FAILING_ID)
        missing = await wait(client, clock, UNKNOWN_ID)
    async with RomaClient(
        sim_server.base_url, creds.project_id, TokenAuth(SecretStr("nope")), clock=clock
    ) as bad:
        denied = await wait(bad, clock, SEED_ID)
    assert (failed.code, missing.code, denied.code) == (1, 4, 3)
    assert FAILING_CODE in failed.err


# -- the terminal display --------------------------------------------------------------------


async def test_live_display_on_a_terminal(
    sim_client: RomaClient, fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    result = await wait(sim_client, fake_clock, SEED_ID, interval=60, is_tty=True)
    assert result.code == 0
    assert "\x1b[" in result.out  # redrawn in place
    assert "━" in result.out  # one bar per sub-service
    assert "mqs" in result.out and "lvs" in result.out
    assert result.out.endswith("\x1b[?25h")  # cursor given back


async def test_no_color_means_plain_lines_even_on_a_terminal(
    sim_client: RomaClient, fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    result = await wait(sim_client, fake_clock, SEED_ID, is_tty=True)
    assert result.code == 0
    assert "\x1b" not in result.out
    subjects(result.out)


# -- Ctrl-C ------------------------------------------------------------------------------------


class StallsAfterFirst(Counting):
    """Answers once from the simulator, then never again."""

    async def get_creation_progress(self, instance_id: str) -> CreationProgressResponse:
        self.calls += 1
        if self.calls > 1:
            await asyncio.Event().wait()
        return await self.client.get_creation_progress(instance_id)


async def test_cancellation_reports_and_propagates(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    out, err = io.StringIO(), io.StringIO()
    client = StallsAfterFirst(sim_client)
    task = asyncio.create_task(
        run_wait(client, fake_clock, SEED_ID, timeout=3600, interval=10, out=out, err=err)
    )
    while client.calls < 2:
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert err.getvalue() == "interrupted; last seen: roma-2222 creating 0%; lvs creating 0%\n"
    assert "instance roma-2222 creating 0%" in out.getvalue()


def test_run_blocking_maps_interrupts_to_130() -> None:
    async def interrupted() -> int:
        raise KeyboardInterrupt

    async def cancelled() -> int:
        raise asyncio.CancelledError

    async def fine() -> int:
        return 4

    assert run_blocking(interrupted()) == EXIT_INTERRUPTED == 130
    assert run_blocking(cancelled()) == 130
    assert run_blocking(fine()) == 4


SIGINT_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from roma_tui.clock import SystemClock
    from roma_tui.scripting import run_blocking, run_wait

    class Hangs:
        endpoint, project_id = "http://127.0.0.1", "0123456789abcdef0123456789abcdef"

        async def list_instances(self, status=None):
            print("polling", flush=True)
            await asyncio.Event().wait()

    sys.exit(run_blocking(run_wait(Hangs(), SystemClock(), "x", timeout=3600, interval=10,
                                   out=sys.stdout, err=sys.stderr)))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_exits_130_without_a_traceback() -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", SIGINT_SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "polling"
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert "interrupted" in stderr


async def test_wait_takes_a_unique_prefix_and_refuses_an_ambiguous_one(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    result = await wait(sim_client, fake_clock, SEED_ID[:8])
    assert result.code == 0, result.err
    assert "instance roma-2222 running 100%" in result.out
    short = await wait(sim_client, fake_clock, SEED_ID[:4])
    assert short.code == 3 and "too short to name an instance" in short.err
