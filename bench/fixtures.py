"""What several benchmarks measure against: the large simulator scenario, raw pages, the seed.

Everything runs in process (httpx.ASGITransport); no socket is opened.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import httpx

from roma_tui.api.auth import TokenAuth
from roma_tui.api.client import PAGE_LIMIT
from roma_tui.clock import Clock
from roma_tui.demo import DEMO_ENDPOINT
from roma_tui.simulator import Scenario, SimulatorApp, create_app, large_scenario

SEED_PAGE = Path(__file__).resolve().parents[1] / "tests" / "data" / "seed_process_page.txt"
EXAMPLE_HEADER = "响应示例"  # "response example": the JSON follows this header on the seed page


@functools.cache
def scenario(n: int) -> Scenario:
    """The simulator's `large` scenario with `n` instances (generated once per size)."""
    return large_scenario(n)


def large_sim(n: int, clock: Clock) -> SimulatorApp:
    """A fresh simulator app serving `n` instances, in real time from `clock`."""
    return create_app(scenario(n), clock=clock, speed=1.0)


def raw_http(sim: SimulatorApp) -> httpx.AsyncClient:
    """A bare httpx client on the simulator, with nothing of ours but the token header."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sim),
        base_url=DEMO_ENDPOINT,
        auth=TokenAuth(sim.sim.credentials.token),
    )


async def list_pages(http: httpx.AsyncClient, sim: SimulatorApp, n: int) -> list[bytes]:
    """The bodies of the instance-list pages RomaClient asks for (offset/limit as it pages)."""
    path = f"/v2/{sim.sim.credentials.project_id}/instances"
    pages = []
    for offset in range(0, max(n, 1), PAGE_LIMIT):
        response = await http.get(path, params={"offset": offset, "limit": PAGE_LIMIT})
        response.raise_for_status()
        pages.append(response.content)
    return pages


async def list_body(http: httpx.AsyncClient, sim: SimulatorApp, n: int) -> bytes:
    """One instance-list body with all `n` instances, as the simulator writes them."""
    instances = [
        item for page in await list_pages(http, sim, n) for item in json.loads(page)["instances"]
    ]
    doc = {"total": len(instances), "size": len(instances), "instances": instances}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def seed_body() -> bytes:
    """The creation-progress response example from the API page (tests/data), as bytes."""
    page = SEED_PAGE.read_text(encoding="utf-8")
    after = page[page.index(EXAMPLE_HEADER) :]
    value, _ = json.JSONDecoder().raw_decode(after, after.index("{"))
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def check(condition: bool, message: str) -> None:
    """Refuse to time something that did not work: a fast failure is not a fast success."""
    if not condition:
        raise RuntimeError(message)
