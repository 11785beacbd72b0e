"""The TUI at the list's limit: a project of 50 000 instances, of which roma-tui holds 5000.

Issue 12 measured 570 MB and a second per key with all 50 000 held. The client now stops at
MAX_INSTANCES; this prints what that costs at the limit: the memory the monitor holds for the
list (tracemalloc), the process's peak RSS, the time to the first full screen, and the time a
key takes (press to screen updated, median and worst of several). In process (httpx
MockTransport), headless, real clock for the timings. Standalone:

    .venv/bin/python -m bench.cap [--total 50000] [--presses 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

import httpx
from pydantic import SecretStr

from roma_tui.api.auth import TokenAuth
from roma_tui.api.client import NO_RETRY, RomaClient
from roma_tui.clock import FakeClock
from roma_tui.monitor.live import Monitor

PROJECT = "0123456789abcdef0123456789abcdef"
KEYS = ("j", "j", "k", "s", "end", "home")


def huge_project(total: int) -> Callable[[httpx.Request], httpx.Response]:
    """A server with `total` running instances, paged honestly (a creation progress for whoever
    asks)."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/process"):
            iid = request.url.path.split("/")[-2]
            body = {"instance_id": iid, "status": "running", "progress": 100}
            return httpx.Response(200, json=body)
        offset = int(request.url.params["offset"])
        limit = int(request.url.params["limit"])
        items = [
            {
                "id": f"00000000-0000-4000-8000-{n:012d}",
                "name": f"roma-{n:05d}",
                "status": "RUNNING",
                "flavor_type": "basic",
                "create_time": "2025-03-06T12:01:43Z",
            }
            for n in range(offset, min(total, offset + limit))
        ]
        return httpx.Response(200, json={"total": total, "size": len(items), "instances": items})

    return answer


def client(total: int, clock: FakeClock | None = None) -> RomaClient:
    return RomaClient(
        "http://127.0.0.1",
        PROJECT,
        TokenAuth(SecretStr("tok-bench-cap")),
        transport=httpx.MockTransport(huge_project(total)),
        clock=clock,
        retry=NO_RETRY,
    )


async def monitor_memory(total: int) -> tuple[int, float]:
    """(instances held, MB the monitor keeps after one refresh of the list)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    monitor = Monitor(client(total), FakeClock())
    await monitor.refresh_instances()
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    kept = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    return len(monitor.snapshot.instances), kept / 1e6


async def tui_timings(total: int, presses: int) -> tuple[float, list[float]]:
    """(seconds to the first full screen, seconds per key press until the screen settled)."""
    from roma_tui.tui.app import RomaApp, TuiOptions
    from roma_tui.tui.screenshots import settle

    clock = FakeClock(auto_advance=False)
    app = RomaApp(
        Monitor(client(total, clock), clock), TuiOptions("bench", bell=False, clock=clock)
    )
    started = time.perf_counter()
    latencies: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        ready = time.perf_counter() - started
        for _ in range(presses):
            for key in KEYS:
                pressed = time.perf_counter()
                await pilot.press(key)
                await settle(pilot)
                latencies.append(time.perf_counter() - pressed)
        await pilot.press("q")
    return ready, latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cap", description=__doc__)
    parser.add_argument("--total", type=int, default=50_000, help="instances the server has")
    parser.add_argument("--presses", type=int, default=5, help="rounds of keys to time")
    args = parser.parse_args(argv)
    held, kept = asyncio.run(monitor_memory(args.total))
    print(f"server has {args.total} instances; roma-tui holds {held}")
    print(f"monitor memory after one list refresh: {kept:.1f} MB")
    ready, latencies = asyncio.run(tui_timings(args.total, args.presses))
    latencies.sort()
    print(f"TUI first full screen: {ready:.2f} s")
    print(
        f"TUI key press to settled screen ({', '.join(KEYS)}; {len(latencies)} presses): "
        f"median {statistics.median(latencies) * 1000:.0f} ms, "
        f"worst {latencies[-1] * 1000:.0f} ms"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak RSS of this process: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
