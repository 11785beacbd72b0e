"""Target 7, parse + map: the wire models and the mapping to domain objects of a list of 2000
instances, against `json.loads` of the same bytes (so the ratio is the price of validation and
mapping); and of one creation-progress answer (the API page's example), for information.

In process (a microbenchmark): the bytes come from the simulator's app through httpx's ASGI
transport, as the simulator writes them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.harness import Context, Figure, interleaved, median
from roma_tui.api.auth import TokenAuth
from roma_tui.api.client import PAGE_LIMIT
from roma_tui.api.models import CreationProgressResponse, InstanceListResponse
from roma_tui.clock import FakeClock
from roma_tui.demo import DEMO_ENDPOINT
from roma_tui.monitor.domain import CreationProgress, Instance
from roma_tui.monitor.mapping import instance_from_listed, progress_from_wire
from roma_tui.simulator import create_app, large_scenario

SEED_PAGE = Path(__file__).resolve().parents[1] / "tests" / "data" / "seed_process_page.txt"
EXAMPLE_HEADER = "响应示例"  # "response example": the JSON follows this header on the seed page
SEED_LOOPS = 200  # the example is small: time many parses per sample


async def list_body(n: int) -> bytes:
    """One list body with all `n` instances of the large scenario, as the simulator writes them."""
    sim = create_app(large_scenario(n), clock=FakeClock(), speed=1.0)
    auth = TokenAuth(sim.sim.credentials.token)
    path = f"/v2/{sim.sim.credentials.project_id}/instances"
    instances: list[object] = []
    transport = httpx.ASGITransport(app=sim)
    async with httpx.AsyncClient(transport=transport, base_url=DEMO_ENDPOINT, auth=auth) as http:
        for offset in range(0, n, PAGE_LIMIT):
            page = await http.get(path, params={"offset": offset, "limit": PAGE_LIMIT})
            page.raise_for_status()
            instances += page.json()["instances"]
    doc = {"total": len(instances), "size": len(instances), "instances": instances}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def seed_body() -> bytes:
    """The creation-progress response example from the API page (tests/data), as bytes."""
    page = SEED_PAGE.read_text(encoding="utf-8")
    after = page[page.index(EXAMPLE_HEADER) :]
    value, _ = json.JSONDecoder().raw_decode(after, after.index("{"))
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def parse_list(body: bytes) -> list[Instance]:
    wire = InstanceListResponse.parse(json.loads(body))
    return [instance_from_listed(m) for m in wire.instances]


def parse_progress(body: bytes) -> CreationProgress:
    return progress_from_wire(CreationProgressResponse.parse(json.loads(body)))


def timed(fn: Callable[[], object], loops: int = 1) -> Callable[[], float]:
    """A probe: milliseconds per call of `fn`, over `loops` calls."""

    def probe() -> float:
        started = time.perf_counter()
        for _ in range(loops):
            fn()
        return (time.perf_counter() - started) * 1000 / loops

    return probe


def run(ctx: Context) -> list[Figure]:
    n = ctx.settings.instances
    body = asyncio.run(list_body(n))
    seed = seed_body()
    if len(parse_list(body)) != n or not parse_progress(seed).instance_id:
        raise RuntimeError("the bodies do not parse to what they hold")
    repeat = max(3, ctx.settings.status_repeat * 2 - 1)
    ctx.log(f"parse + map: {repeat} interleaved run(s) each")
    lists = interleaved(
        {"json": timed(lambda: json.loads(body)), "ours": timed(lambda: parse_list(body))}, repeat
    )
    seeds = interleaved(
        {
            "json": timed(lambda: json.loads(seed), SEED_LOOPS),
            "ours": timed(lambda: parse_progress(seed), SEED_LOOPS),
        },
        repeat,
    )
    return [
        Figure(
            "7",
            f"parse + map {n} instances",
            median(lists["ours"]),
            "ms",
            median(lists["json"]),
            "`json.loads`",
            max_ratio=3,
            note=f"{len(body) / 1024:.0f} KiB",
        ),
        Figure(
            "—",
            "parse + map one progress answer",
            median(seeds["ours"]) * 1000,
            "µs",
            median(seeds["json"]) * 1000,
            "`json.loads`",
            note=f"{len(seed)} bytes",
        ),
    ]
