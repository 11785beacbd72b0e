"""Benchmark 2: a full Monitor refresh of the large scenario through RomaClient, against raw
httpx GETs of the same pages on the same in-process ASGI transport (the ratio is our overhead
over the transport, simulator included on both sides); and the memory a snapshot keeps."""

from __future__ import annotations

import gc
import json
import tracemalloc
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack

from bench.fixtures import check, large_sim, list_pages, raw_http
from bench.harness import Case, Probe, Sample, Settings, async_timing
from roma_tui.api.client import PAGE_LIMIT
from roma_tui.clock import FakeClock
from roma_tui.demo import simulator_client
from roma_tui.monitor.live import Monitor


def memory(fn: Callable[[], Awaitable[object]]) -> Probe:
    """A probe of what `await fn()` allocates: its peak, and what its result still holds."""

    async def probe() -> Sample:
        gc.collect()
        tracemalloc.start()
        try:
            kept = await fn()
            gc.collect()
            current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        del kept
        return {"retained": current / 1024, "peak": peak / 1024}

    return probe


async def cases(settings: Settings, stack: AsyncExitStack) -> list[Case]:
    n = settings.instances
    clock = FakeClock()
    sim = large_sim(n, clock)
    client = await stack.enter_async_context(simulator_client(sim, clock=clock))
    http = await stack.enter_async_context(raw_http(sim))

    async def fresh_monitor() -> Monitor:
        monitor = Monitor(client, clock)
        await monitor.refresh_instances()
        snap = monitor.snapshot
        check(snap.list_feed.error is None, f"refresh failed: {snap.list_feed.error}")
        check(len(snap.instances) == n, f"expected {n} instances, got {len(snap.instances)}")
        return monitor

    async def decoded_pages() -> list[object]:
        return [json.loads(page) for page in await list_pages(http, sim, n)]

    monitor = await fresh_monitor()  # later refreshes are the steady state of a long session
    pages = -(-n // PAGE_LIMIT)
    return [
        Case(
            name=f"monitor refresh, {n} instances",
            baseline_label="raw httpx GETs",
            baseline=async_timing(lambda: list_pages(http, sim, n)),
            subject_label="Monitor.refresh_instances",
            subject=async_timing(monitor.refresh_instances),
            units={"time": "ms"},
            note=f"{pages} pages of {PAGE_LIMIT}, simulator in process on both sides",
        ),
        Case(
            name=f"snapshot memory, {n} instances",
            baseline_label="decoded JSON pages",
            baseline=memory(decoded_pages),
            subject_label="fresh Monitor + refresh",
            subject=memory(fresh_monitor),
            units={"retained": "KiB", "peak": "KiB"},
            note="tracemalloc; retained = still referenced by the result afterwards",
        ),
    ]
