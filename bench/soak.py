"""Soak: days of a busy project through the monitor and the TUI, on a fake clock.

The simulator plays `churn_scenario`: an instance ordered every two hours, one in five failing,
each deleted (DELETING, then gone) a day after its order, two running all along. The app runs
under Pilot (headless: every frame is composed and rendered, not written); the fake clock
jumps from one poll to the next, the cursor moves every simulated hour (so other instances get
selected, their detail drawn and polled). The first day warms up (caches fill; allocations are
traced from its second half on); from then on every `--sample-hours` it samples, after a GC:

- `memory`: what roma-tui and its libraries allocated since and still hold (tracemalloc; the
  simulator's own allocations are left out). Textual's DataTable keeps bounded render caches
  (10 000 cells, 1000 rows) that fill during the first hours at a 10 s interval.
- `own`: the part allocated by roma-tui's own code other than renderables (the monitor's
  state, snapshots, the app's views): what a leak of ours would grow;
- asyncio tasks, instances listed, rows in the table, requests answered.

Standalone, printing every sample and the slopes per day over the second half of the run
(bounded caches and logs fill during the first):

    .venv/bin/python -m bench.soak                         # a week at the default 10 s interval
    .venv/bin/python -m bench.soak --days 2 --interval 60  # quicker

tests/test_soak.py runs a week at a six-hour interval and asserts the slopes.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Any

from roma_tui.clock import FakeClock
from roma_tui.demo import simulator_client
from roma_tui.monitor.domain import Status
from roma_tui.monitor.live import Monitor
from roma_tui.simulator import create_app
from roma_tui.simulator.scenario import churn_scenario

DAY = 86400.0
WARM_UP = DAY  # caches fill during the first day: the samples start after it...
TRACE_FROM = WARM_UP / 2  # ...traced from half-way: what the screen holds then is steady
MOVE_EVERY = 3600.0  # seconds of simulated time between two cursor moves
MOVES = ("j", "j", "k", "end", "home", "j")
_LEFT_OUT = ("*/roma_tui/simulator/*", "*/starlette/*", tracemalloc.__file__, __file__)
# Code that makes renderables: Textual's DataTable keeps the cells it rendered in bounded caches
# (10 000 cells, 1000 rows), so what these allocate is held until the caches are full.
_RENDERABLES = (
    "*/roma_tui/tui/widgets.py",
    "*/roma_tui/tui/render.py",
    "*/roma_tui/monitor/present.py",
)


@dataclass(frozen=True, slots=True)
class Sample:
    day: float  # simulated days since the start
    memory: int  # bytes held by roma-tui and its libraries (tracemalloc, after a GC)
    own: int  # of which allocated by roma-tui's own code
    tasks: int  # asyncio tasks alive
    instances: int  # instances in the list
    rows: int  # rows in the table
    requests: int  # ROMA API requests answered so far
    seen: int  # instances listed at some point so far
    failed: int  # of which seen with a failed creation
    gone: int  # of which deleted since (not listed any more)


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y) points (0 for fewer than two)."""
    if len(points) < 2:
        return 0.0
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in points) / spread if spread else 0.0


def slopes(samples: Sequence[Sample]) -> dict[str, float]:
    """Per simulated day, over the second half of the samples (bounded caches and logs fill
    during the first: Textual's render caches, the last 50 errors): memory and own bytes,
    tasks."""
    settled = samples[len(samples) // 2 :]
    return {
        "memory": slope([(s.day, s.memory) for s in settled]),
        "own": slope([(s.day, s.own) for s in settled]),
        "tasks": slope([(s.day, s.tasks) for s in settled]),
    }


def _held() -> tuple[int, int]:
    """(bytes held, of which allocated by roma-tui's own code), after a GC."""
    gc.collect()
    memory = own = 0
    for stat in tracemalloc.take_snapshot().statistics("filename"):  # grouped in C: fast
        name = stat.traceback[0].filename
        if any(fnmatch(name, pattern) for pattern in _LEFT_OUT):
            continue
        memory += stat.size
        if fnmatch(name, "*/roma_tui/*") and not any(fnmatch(name, p) for p in _RENDERABLES):
            own += stat.size
    return memory, own


async def _caught_up(pilot: Any) -> None:
    """Until the monitor sleeps and the screen shows its latest snapshot. In-process polls
    need only the event loop to turn: no real-time pause (a week is thousands of polls)."""
    app = pilot.app
    for _ in range(200):
        for _ in range(20):
            await asyncio.sleep(0)
        if app.settled:
            return
        await pilot.pause()
    raise RuntimeError("the monitor never came to rest")


async def soak(
    days: float,
    interval: float,
    sample_hours: float = 12.0,
    size: tuple[int, int] = (120, 40),
) -> list[Sample]:
    """Run the app for `days` simulated days polling every `interval`; the samples taken
    from the end of the first day (the warm-up, traced from half-way only: faster), every
    `sample_hours`, and at the end. Memory is what was allocated since tracing began and is
    still held."""
    from roma_tui.tui.app import RomaApp, TuiOptions
    from roma_tui.tui.instance_list import InstanceList

    clock = FakeClock(auto_advance=False)
    sim = create_app(churn_scenario(days), clock=clock, sleep=clock.skip)
    monitor = Monitor(simulator_client(sim, clock=clock), clock, interval=interval)
    app = RomaApp(monitor, TuiOptions("soak", interval=interval, bell=False, clock=clock))
    samples: list[Sample] = []
    end = days * DAY
    seen: set[str] = set()
    failed: set[str] = set()

    def sample() -> None:
        app.clear_notifications()  # they expire on real time, which hardly passes here
        memory, own = _held()
        table = app.screen_stack[0].query_one(InstanceList)
        samples.append(
            Sample(
                day=clock.monotonic() / DAY,
                memory=memory,
                own=own,
                tasks=len(asyncio.all_tasks()),
                instances=len(monitor.snapshot.instances),
                rows=table.row_count,
                requests=sim.sim.requests,
                seen=len(seen),
                failed=len(failed),
                gone=len(seen - monitor.snapshot.by_id.keys()),
            )
        )

    try:
        async with app.run_test(size=size) as pilot:
            await _caught_up(pilot)
            next_sample, next_move, moved = min(WARM_UP, end), MOVE_EVERY, 0
            while True:
                now = clock.monotonic()
                if now >= TRACE_FROM and not tracemalloc.is_tracing():
                    tracemalloc.start()
                if now >= next_sample or now >= end:
                    sample()
                    next_sample += sample_hours * 3600
                if now >= end:
                    break
                if now >= next_move:
                    await pilot.press(MOVES[moved % len(MOVES)])
                    moved, next_move = moved + 1, next_move + max(MOVE_EVERY, interval)
                wake = (monitor.next_wakeup() - clock.now()).total_seconds()
                until = [end, next_sample] + ([TRACE_FROM] if now < TRACE_FROM else [])
                clock.advance(min(min(until) - now, max(0.5, wake)))
                app.request_poll()
                await _caught_up(pilot)
                app.tick()
                for inst in monitor.snapshot.instances:
                    seen.add(inst.id)
                    if inst.status is Status.FAILED:
                        failed.add(inst.id)
            await pilot.press("q")
    finally:
        tracemalloc.stop()
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--days", type=float, default=7.0, help="simulated days (default 7)")
    parser.add_argument("--interval", type=float, default=10.0, help="refresh interval, s")
    parser.add_argument("--sample-hours", type=float, default=12.0, help="simulated hours")
    args = parser.parse_args(argv)
    print(f"soak: {args.days:g} simulated days, polling every {args.interval:g} s")
    started = time.perf_counter()
    samples = asyncio.run(soak(args.days, args.interval, args.sample_hours))
    print(
        f"{'day':>6} {'memory KiB':>11} {'own KiB':>8} {'tasks':>6} {'instances':>10} "
        f"{'rows':>5} {'seen':>5} {'failed':>6} {'gone':>5}"
    )
    for s in samples:  # printed afterwards: the app holds stdout while it runs
        print(
            f"{s.day:6.2f} {s.memory / 1024:11.1f} {s.own / 1024:8.1f} {s.tasks:6d} "
            f"{s.instances:10d} {s.rows:5d} {s.seen:5d} {s.failed:6d} {s.gone:5d}"
        )
    per_day = slopes(samples)
    print(
        f"slope over the second half: memory {per_day['memory'] / 1024:+.1f} KiB/day, own "
        f"{per_day['own'] / 1024:+.1f} KiB/day, tasks {per_day['tasks']:+.2f}/day; "
        f"{samples[-1].requests} requests, {time.perf_counter() - started:.0f} s of real time"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
