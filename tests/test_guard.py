"""The AK/SK lockout guard: a rejected key is not signed with again until the gateway's lock
is over, whatever asks: concurrent requests, the monitor, `r`, other processes, a shell loop.

The simulator locks a key for 5 minutes after 5 bad signatures, as the API gateway does; these
tests count what reaches it.
"""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SimSocket
from ptyrun import python_argv
from pydantic import SecretStr

from roma_tui.api.auth import AkSkAuth
from roma_tui.api.client import RomaClient
from roma_tui.api.errors import ApiError, AuthError, RomaError
from roma_tui.api.guard import HOLD, SignatureHeld
from roma_tui.clock import FakeClock, SystemClock
from roma_tui.monitor.live import Monitor
from roma_tui.simulator import SimulatorApp, create_app
from roma_tui.tui.app import RomaApp, TuiOptions
from roma_tui.tui.screenshots import settle

SEED_ID = "b037d389-62a4-464a-8461-c88797ad4f23"
SIX_IDS = [SEED_ID, *(f"00000000-0000-4000-8000-00000000000{n}" for n in range(5))]
WRONG_SK = SecretStr("wrong-secret-key-0000")


def aksk_client(sim_app: SimulatorApp, clock: FakeClock, sk: SecretStr | None = None) -> RomaClient:
    creds = sim_app.sim.credentials
    auth = AkSkAuth(creds.ak, sk or creds.sk, creds.project_id, clock=clock)
    return RomaClient(
        "http://127.0.0.1",
        creds.project_id,
        auth,
        transport=httpx.ASGITransport(app=sim_app),
        clock=clock,
    )


async def fetch_all(client: RomaClient, ids: list[str]) -> list[object]:
    return await asyncio.gather(
        *(client.get_creation_progress(i) for i in ids), return_exceptions=True
    )


async def test_six_concurrent_requests_with_a_bad_sk_send_one(
    sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    async with aksk_client(sim_app, fake_clock, WRONG_SK) as client:
        results = await fetch_all(client, SIX_IDS)
    assert sim_app.sim.requests == 1
    assert all(isinstance(r, AuthError) for r in results)
    held = [r for r in results if isinstance(r, SignatureHeld)]
    assert len(held) == 5
    message = held[0].message
    assert "held until 12:06:43 UTC (in 5m00s)" in message
    assert "keys are probably wrong, or the local clock is off" in message
    assert held[0].retry_after == 300


async def test_the_hold_lasts_five_minutes_then_one_probe_goes(
    sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    async with aksk_client(sim_app, fake_clock, WRONG_SK) as client:
        await fetch_all(client, SIX_IDS)
        fake_clock.advance(HOLD.total_seconds() - 1)
        with pytest.raises(SignatureHeld) as caught:
            await client.list_instances()
        assert caught.value.retry_after == 1
        assert sim_app.sim.requests == 1
        fake_clock.advance(1)
        await fetch_all(client, SIX_IDS)  # still wrong: one probe, rejected, held again
        assert sim_app.sim.requests == 2
    # The right SK for the same key, in another client: held just the same, then fine.
    async with aksk_client(sim_app, fake_clock) as client:
        with pytest.raises(SignatureHeld):
            await client.list_instances()
        fake_clock.advance(HOLD.total_seconds())
        results = await fetch_all(client, SIX_IDS)
    assert sim_app.sim.requests == 8
    assert not any(isinstance(r, AuthError) for r in results)


async def test_an_unproven_key_sends_one_request_first_then_the_rest_together(
    sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    in_flight: list[int] = []
    active = 0
    inner = httpx.ASGITransport(app=sim_app)

    async def counting(request: httpx.Request) -> httpx.Response:
        nonlocal active
        active += 1
        in_flight.append(active)
        await asyncio.sleep(0.01)
        try:
            return await inner.handle_async_request(request)
        finally:
            active -= 1

    creds = sim_app.sim.credentials
    auth = AkSkAuth(creds.ak, creds.sk, creds.project_id, clock=fake_clock)
    transport = httpx.MockTransport(counting)
    async with RomaClient(
        "http://127.0.0.1", creds.project_id, auth, transport=transport, clock=fake_clock
    ) as client:
        results = await fetch_all(client, [SEED_ID] * 6)
    assert not any(isinstance(r, RomaError) for r in results)
    assert in_flight[0] == 1  # the first went alone...
    assert max(in_flight) > 1  # ...the others together once it was accepted


async def test_a_key_rotated_under_a_running_monitor(
    sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    """The key stops working: one batch in flight is rejected, then one probe per hold."""
    async with aksk_client(sim_app, fake_clock) as client:
        monitor = Monitor(client, fake_clock, interval=10)
        monitor.select(SEED_ID)
        await monitor.poll_due()
        assert monitor.snapshot.list_feed.error is None
        creds = sim_app.sim.credentials
        sim_app.sim.credentials = replace(creds, sk=SecretStr("rotated-secret-key-1111"))
        sim_app.sim.requests = 0
        sent: list[int] = []  # requests the simulator got, after each second
        for _ in range(15 * 60):  # a quarter of an hour, second by second, pressing r
            fake_clock.advance(1)
            monitor.refresh_now()
            await monitor.poll_due()
            sent.append(sim_app.sim.requests)
    first_batch = sent[0]  # what was in flight when the first rejection came back
    assert 1 <= first_batch <= monitor.max_concurrency
    assert sent[299] == first_batch  # nothing during the hold, r or not
    assert sent[300] == first_batch + 1  # then one probe when it ends...
    assert sent[-1] == first_batch + 2  # ...and one per hold after that
    error = monitor.snapshot.list_feed.error
    assert isinstance(error, ApiError) and error.auth_failed


async def test_the_hold_file_is_private_and_does_not_name_the_key(
    sim_app: SimulatorApp, fake_clock: FakeClock, private_dirs: Path
) -> None:
    async with aksk_client(sim_app, fake_clock, WRONG_SK) as client:
        await fetch_all(client, SIX_IDS[:1])
    (hold,) = (private_dirs / "cache").rglob("*.json")
    assert stat.S_IMODE(hold.stat().st_mode) == 0o600
    assert sim_app.sim.credentials.ak not in hold.read_text() + hold.name


# -- real processes over loopback -----------------------------------------------------------------


@pytest.fixture
def live_sim(sim_socket: SimSocket) -> Iterator[SimulatorApp]:
    app = create_app(clock=SystemClock())  # AK/SK dates are checked against the real time
    sim_socket.install(app)
    try:
        yield app
    finally:
        sim_socket.install(None)


def _env(tmp_path: Path, app: SimulatorApp) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("ROMA_TUI_", "HUAWEI", "HW_"))}
    return {
        **keep,
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HUAWEICLOUD_SDK_AK": app.sim.credentials.ak,
        "HUAWEICLOUD_SDK_SK": WRONG_SK.get_secret_value(),
        "ROMA_TUI_PROJECT_ID": app.sim.credentials.project_id,
    }


def test_status_of_six_ids_with_a_bad_sk_sends_one_request(
    tmp_path: Path, sim_socket: SimSocket, live_sim: SimulatorApp
) -> None:
    proc = subprocess.run(
        python_argv("status", *SIX_IDS, "--endpoint", sim_socket.base_url),
        env=_env(tmp_path, live_sim),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 3
    assert live_sim.sim.requests == 1  # the list, refused: nothing more is signed
    assert proc.stderr.count("error:") == 1 and "cannot list instances" in proc.stderr


def test_status_in_a_shell_loop_cannot_lock_the_key(
    tmp_path: Path, sim_socket: SimSocket, live_sim: SimulatorApp
) -> None:
    status = " ".join(python_argv("status", "--endpoint", sim_socket.base_url))
    loop = f"for i in 1 2 3 4 5 6; do {status}; echo exit=$?; done"
    proc = subprocess.run(
        ["bash", "-c", loop],
        env=_env(tmp_path, live_sim),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.stdout.split() == ["exit=3"] * 6
    assert live_sim.sim.requests == 1  # five in a row would have locked it
    assert proc.stderr.count("held until") == 5


# -- the TUI: `r` during a hold --------------------------------------------------------------


async def test_r_during_a_hold_says_when_it_will_retry(
    sim_app: SimulatorApp, fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_clock.auto_advance = False  # the monitor's loop sleeps until the test moves the clock
    client = aksk_client(sim_app, fake_clock, WRONG_SK)
    monitor = Monitor(client, fake_clock, interval=10)
    options = TuiOptions(endpoint_label="sim", interval=10, bell=False, clock=fake_clock)
    app = RomaApp(monitor, options)
    said: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        original = app.notify

        def notify(message: str, **kwargs: Any) -> None:
            said.append(message)
            original(message, **kwargs)

        monkeypatch.setattr(app, "notify", notify)
        await settle(pilot)
        requests = sim_app.sim.requests
        assert requests == 1
        fake_clock.advance(30)
        await pilot.press("r")
        await settle(pilot)
        assert sim_app.sim.requests == requests
    await client.aclose()
    assert any("next try is at" in s and "(in 4m30s)" in s for s in said), said
