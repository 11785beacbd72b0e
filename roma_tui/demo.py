"""The in-process demo: a RomaClient talking to the simulator through httpx.ASGITransport,
and a history of past creations to go with it.

No port, no credentials: `roma-tui --demo` and tests use it. `replay` reads a scenario
instance's creation progress the way the client does (the simulator's JSON through the wire
models), at any simulated moment: the demo's history and the ETA benchmark (bench/eta.py) are
made with it. Top-level module: may import roma_tui.api, roma_tui.monitor and
roma_tui.simulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx

from roma_tui.api.auth import TokenAuth
from roma_tui.api.client import RetryPolicy, RomaClient
from roma_tui.api.models import CreationProgressResponse
from roma_tui.clock import Clock
from roma_tui.monitor.domain import CreationProgress, Place
from roma_tui.monitor.history import HistoryStore, record_of
from roma_tui.monitor.mapping import progress_from_wire
from roma_tui.monitor.snapshot import one_shot
from roma_tui.monitor.view import instance_view
from roma_tui.simulator import (
    Faults,
    Scenario,
    SimCredentials,
    SimulatorApp,
    create_app,
    varied_scenario,
)
from roma_tui.simulator.scenario import InstanceSpec, created_ms, evaluate
from roma_tui.simulator.wire import creation_progress

DEMO_ENDPOINT = "http://127.0.0.1"
DEMO_REGION = "demo"  # the region the demo's history is kept under
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


def _ms(moment: datetime) -> int:
    return round((moment - _EPOCH).total_seconds() * 1000)


def progress_at(spec: InstanceSpec, anchor: datetime, at: datetime) -> CreationProgress | None:
    """`spec`'s creation progress at `at` (the simulator's anchor at `anchor`, speed 1), as the
    client reads it; None before it exists."""
    state = evaluate(spec, _ms(anchor), _ms(at))
    if state is None:
        return None
    document = creation_progress(state, SimCredentials.demo().project_id, _ms(at))
    return progress_from_wire(CreationProgressResponse.parse(document))


def replay(
    spec: InstanceSpec, anchor: datetime, every: float
) -> Iterator[tuple[datetime, CreationProgress]]:
    """`spec`'s creation progress every `every` seconds from its creation until it is over."""
    at = _EPOCH + timedelta(milliseconds=created_ms(spec, _ms(anchor)))
    while True:
        prog = progress_at(spec, anchor, at)
        if prog is None:
            return
        yield at, prog
        if prog.finished is not None:
            return
        at += timedelta(seconds=every)


def demo_history(clock: Clock, scenario: Scenario | None = None) -> HistoryStore:
    """An in-memory history of the creations of `scenario` (default: `varied_scenario()`,
    one every 36 hours until now) that are over at the clock's now, kept as the view model
    sees them, under DEMO_REGION."""
    now = clock.now()
    store = HistoryStore(None, now=now)
    place = Place(DEMO_ENDPOINT, SimCredentials.demo().project_id)
    for spec in (scenario or varied_scenario()).instances:
        prog = progress_at(spec, now, now)
        if prog is None or prog.finished is None:
            continue
        snapshot = one_shot(place, [], {spec.id: prog}, prog.finished)
        view = instance_view(snapshot, spec.id, prog.finished)
        if view is not None:
            store.write(record_of(view, None, DEMO_REGION, prog.finished))
    return store
