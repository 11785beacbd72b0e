"""The in-process demo: a RomaClient talking to the simulator through httpx.ASGITransport.

No port, no credentials: `roma-tui --demo` and tests use it. Top-level module: may import
roma_tui.api and roma_tui.simulator.
"""

from __future__ import annotations

import httpx

from roma_tui.api.auth import TokenAuth
from roma_tui.api.client import RetryPolicy, RomaClient
from roma_tui.clock import Clock
from roma_tui.simulator import Faults, Scenario, SimCredentials, SimulatorApp, create_app

DEMO_ENDPOINT = "http://127.0.0.1"


def demo_client(
    *,
    clock: Clock,
    speed: float = 60.0,
    scenario: Scenario | None = None,
    faults: Faults | None = None,
) -> RomaClient:
    """A client on the simulator (default scenario, demo token); at 60x a minute is a second."""
    credentials = SimCredentials.demo()
    app = create_app(scenario, clock=clock, speed=speed, credentials=credentials, faults=faults)
    return simulator_client(app, clock=clock)


def simulator_client(app: SimulatorApp, *, clock: Clock) -> RomaClient:
    """A token-auth client on an existing simulator app, in process (tests switch its faults).

    It never retries: whoever uses it (the monitor, `wait`) schedules the next try itself."""
    credentials = app.sim.credentials
    return RomaClient(
        DEMO_ENDPOINT,
        credentials.project_id,
        TokenAuth(credentials.token),
        transport=httpx.ASGITransport(app=app),
        clock=clock,
        retry=RetryPolicy(attempts=1),
    )
