"""Benchmark 1: wire models + mapping of a 2000-instance list and of the progress seed,
against `json.loads` of the same bytes (so the ratio is the price of validation + mapping)."""

from __future__ import annotations

import json
from contextlib import AsyncExitStack

from bench.fixtures import check, large_sim, list_body, raw_http, seed_body
from bench.harness import Case, Settings, sync_timing
from roma_tui.api.models import CreationProgressResponse, InstanceListResponse
from roma_tui.clock import FakeClock
from roma_tui.monitor.domain import CreationProgress, Instance
from roma_tui.monitor.mapping import instance_from_listed, progress_from_wire

SEED_LOOPS = 200  # the seed is small: time many parses per sample


def parse_list(body: bytes) -> list[Instance]:
    wire = InstanceListResponse.parse(json.loads(body))
    return [instance_from_listed(m) for m in wire.instances]


def parse_progress(body: bytes) -> CreationProgress:
    return progress_from_wire(CreationProgressResponse.parse(json.loads(body)))


async def cases(settings: Settings, stack: AsyncExitStack) -> list[Case]:
    n = settings.instances
    sim = large_sim(n, FakeClock())
    http = await stack.enter_async_context(raw_http(sim))
    body = await list_body(http, sim, n)
    check(len(parse_list(body)) == n, f"the list body should map to {n} instances")
    seed = seed_body()
    check(parse_progress(seed).instance_id != "", "the seed should map to a creation progress")
    return [
        Case(
            name=f"parse {n} instances",
            baseline_label="json.loads",
            baseline=sync_timing(lambda: json.loads(body)),
            subject_label="parse+map",
            subject=sync_timing(lambda: parse_list(body)),
            units={"time": "ms"},
            note=f"{len(body) / 1024:.0f} KiB of list JSON",
        ),
        Case(
            name="parse progress seed",
            baseline_label="json.loads",
            baseline=sync_timing(lambda: json.loads(seed), SEED_LOOPS, "µs"),
            subject_label="parse+map",
            subject=sync_timing(lambda: parse_progress(seed), SEED_LOOPS, "µs"),
            units={"time": "µs"},
            note=f"{len(seed)} bytes, {SEED_LOOPS} parses per run",
        ),
    ]
