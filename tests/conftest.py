"""Shared fixtures: a fake clock and the simulator, in process and on a real loopback socket.

- `private_dirs` (every test): XDG_CACHE_HOME / XDG_STATE_HOME / XDG_DATA_HOME (the history)
  in a fresh temporary directory.
- `fake_clock`: a FakeClock at 2025-03-06T12:01:43Z.
- `sim_app`: the simulator (default scenario, speed 1) on `fake_clock`; set `sim_app.faults`.
  Injected latency "sleeps" on the fake clock (instant).
- `sim_client`: a RomaClient (demo token) talking to `sim_app` in process.
- `sim_socket` (session): one uvicorn server on 127.0.0.1:<free port> in a thread, serving
  whichever app is installed in it.
- `sim_server`: a fresh simulator on `fake_clock` installed in `sim_socket`; yields a `SimServer`
  with `base_url`, `credentials`, `app` (set `app.faults`) and `clock`.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from roma_tui.api.client import RomaClient
from roma_tui.clock import FakeClock
from roma_tui.demo import simulator_client
from roma_tui.monitor import present
from roma_tui.simulator import SimCredentials, SimulatorApp, create_app


@pytest.fixture(autouse=True)
def private_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test its own cache, state and data directories: an AK/SK hold, a UI state or a
    history written by one test (or by a real run on this machine) never reaches another."""
    base = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(base / "state"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    return base


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim_app(fake_clock: FakeClock) -> SimulatorApp:
    return create_app(clock=fake_clock, speed=1.0, sleep=fake_clock.skip)


@pytest.fixture
async def sim_client(sim_app: SimulatorApp, fake_clock: FakeClock) -> AsyncIterator[RomaClient]:
    client = simulator_client(sim_app, clock=fake_clock)
    try:
        yield client
    finally:
        await client.aclose()


class _Dispatch:
    """The ASGI app uvicorn serves: forwards to whichever simulator is installed."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.app is None:
            raise RuntimeError("no simulator installed")
        await self.app(scope, receive, send)


class SimSocket:
    """uvicorn on 127.0.0.1:<port> (default: a free one) in a background thread."""

    def __init__(self, port: int = 0) -> None:
        import uvicorn

        self._dispatch = _Dispatch()
        self._sock = socket.create_server(("127.0.0.1", port))
        self.port: int = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self._dispatch,
            interface="asgi3",
            lifespan="off",
            log_level="error",
            access_log=False,
            timeout_graceful_shutdown=1,  # a request still sleeping does not hold up stop()
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def install(self, app: Any) -> None:
        self._dispatch.app = app

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the simulator's uvicorn did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._sock.close()


@pytest.fixture(scope="session")
def sim_socket() -> Iterator[SimSocket]:
    server = SimSocket()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class SimServer:
    base_url: str
    credentials: SimCredentials
    app: SimulatorApp
    clock: FakeClock


@pytest.fixture
def sim_server(sim_socket: SimSocket, fake_clock: FakeClock) -> Iterator[SimServer]:
    app = create_app(clock=fake_clock, speed=1.0, sleep=fake_clock.skip)
    sim_socket.install(app)
    try:
        yield SimServer(sim_socket.base_url, app.sim.credentials, app, fake_clock)
    finally:
        sim_socket.install(None)


@pytest.fixture(autouse=True)
def utc_display() -> Iterator[None]:
    """Screens show times in UTC in tests (the app's default is the machine's local zone)."""
    present.set_display_zone(UTC)
    yield
    present.set_display_zone(UTC)
