"""Signals and closed pipes end roma-tui cleanly: real processes, a real pseudo-terminal.

- The TUI (`roma-tui --demo` in a pty): SIGTERM, SIGHUP and SIGINT restore the terminal
  (alternate screen off, mouse tracking off, cursor shown) and exit 128 + signal; a hang-up
  that closes the terminal ends it too.
- `status` and `wait` on SIGTERM / SIGHUP: 128 + signal, one line, no traceback.
- `status | head -1` and `wait | head -1`: exit 141 (as SIGPIPE would), nothing on stderr.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SimSocket
from ptyrun import python_argv, spawn

from roma_tui.clock import SystemClock
from roma_tui.simulator import Faults, SimCredentials, create_app

SEED_ID = "b037d389-62a4-464a-8461-c88797ad4f23"

ALT_SCREEN_ON, ALT_SCREEN_OFF = b"\x1b[?1049h", b"\x1b[?1049l"
MOUSE_ON, MOUSE_OFF = b"\x1b[?1000h", b"\x1b[?1000l"
CURSOR_HIDDEN, CURSOR_SHOWN = b"\x1b[?25l", b"\x1b[?25h"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A private home, no credentials of the user's, a terminal type."""
    home = tmp_path / "home"
    home.mkdir()
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("ROMA_TUI_", "HUAWEI", "HW_"))}
    return {
        **keep,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
    }


def assert_terminal_restored(output: bytes) -> None:
    for on, off, what in (
        (ALT_SCREEN_ON, ALT_SCREEN_OFF, "alternate screen"),
        (MOUSE_ON, MOUSE_OFF, "mouse tracking"),
        (CURSOR_HIDDEN, CURSOR_SHOWN, "hidden cursor"),
    ):
        assert on in output, f"the app never turned on the {what}"
        assert output.rfind(off) > output.rfind(on), f"the {what} was left on"


@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)],
)
def test_tui_restores_the_terminal_and_exits_128_plus_signal(
    env: dict[str, str], signum: int, code: int
) -> None:
    run = spawn(python_argv("--demo", "--no-bell"), env)
    try:
        assert run.read_until(b"roma-2222"), bytes(run.output[-2000:])
        time.sleep(0.3)  # let it settle into its idle loop
        run.signal(signum)
        assert run.wait() == code
    finally:
        run.close()
    assert_terminal_restored(bytes(run.output))
    assert b"Traceback" not in run.output


def test_tui_ends_when_the_terminal_goes_away(env: dict[str, str]) -> None:
    """An SSH disconnect: the pty closes under the app; the kernel sends SIGHUP."""
    run = spawn(python_argv("--demo", "--no-bell"), env)
    try:
        assert run.read_until(b"roma-2222"), bytes(run.output[-2000:])
        os.close(run.fd)
        deadline = time.monotonic() + 20
        while run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert run.status == 129
    finally:
        if run.poll() is None:
            os.kill(run.pid, signal.SIGKILL)
            os.waitpid(run.pid, 0)


# -- status and wait ------------------------------------------------------------------------------


@pytest.fixture
def slow_sim(sim_socket: SimSocket) -> Iterator[tuple[str, SimCredentials, object]]:
    """The simulator on the real clock, answering after 60 s (real time): requests hang,
    until the test is over (then they end, so the server can stop at once)."""
    over = threading.Event()

    async def sleep(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not over.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    app = create_app(clock=SystemClock(), faults=Faults(latency=60), sleep=sleep)
    sim_socket.install(app)
    try:
        yield sim_socket.base_url, app.sim.credentials, app
    finally:
        over.set()
        sim_socket.install(None)


def _script(env: dict[str, str], base_url: str, creds: SimCredentials, *args: str) -> list[str]:
    env["ROMA_TUI_TOKEN"] = creds.token.get_secret_value()
    return python_argv(*args, "--endpoint", base_url, "--project-id", creds.project_id)


@pytest.mark.parametrize("command", ["status", "wait"])
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_status_and_wait_exit_128_plus_signal_without_a_traceback(
    env: dict[str, str],
    slow_sim: tuple[str, SimCredentials, object],
    command: str,
    signum: int,
    code: int,
) -> None:
    base_url, creds, app = slow_sim
    args = [command] if command == "status" else [command, SEED_ID]
    proc = subprocess.Popen(
        _script(env, base_url, creds, *args),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while app.sim.requests == 0 and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.05)
        assert app.sim.requests > 0, "no request arrived"  # type: ignore[attr-defined]
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code
    text = err.decode()
    assert "Traceback" not in text
    assert f"stopped by {signal.Signals(signum).name}" in text


@pytest.fixture
def live_sim(sim_socket: SimSocket) -> Iterator[tuple[str, SimCredentials]]:
    app = create_app(clock=SystemClock())
    sim_socket.install(app)
    try:
        yield sim_socket.base_url, app.sim.credentials
    finally:
        sim_socket.install(None)


@pytest.mark.parametrize("command", ["status", "wait"])
def test_a_closed_output_pipe_exits_141_quietly(
    env: dict[str, str], live_sim: tuple[str, SimCredentials], command: str
) -> None:
    """`roma-tui status | head -1`: the reader is gone before the output is written."""
    base_url, creds = live_sim
    args = [command] if command == "status" else [command, SEED_ID, "--interval", "1"]
    read_end, write_end = os.pipe()
    os.close(read_end)  # `head -1` has read its line and exited
    try:
        proc = subprocess.run(
            _script(env, base_url, creds, *args),
            env=env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 141
    assert proc.stderr == b""
