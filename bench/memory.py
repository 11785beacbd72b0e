"""Target 5, memory flat: roma-tui in a pty for a simulated week of creations (bench/workload.py
`churn`: a creation every 1.5 real seconds, each seen creating and polled), the simulator
playing time fast; its RSS sampled from /proc, and the slope per simulated day.

roma-tui polls the list every second here (so that every creation, a few real seconds long, is
seen creating); the first quarter of the run (start-up, first fetches) is left out of the fit.
"""

from __future__ import annotations

import time

from bench.harness import Context, Figure, slope
from bench.processes import Simulator, environment
from bench.terminal import Terminal
from bench.workload import CHURN_PREFIX, DAY, churn

INTERVAL = 1.0  # s: roma-tui's list interval for this run
SAMPLE_EVERY = 0.25  # s between two RSS samples
WARM_UP = 0.25  # the share of the run left out of the fit


def run(ctx: Context) -> list[Figure]:
    s = ctx.settings
    week = churn(ctx.workdir, s.memory_seconds)
    ctx.log(
        f"memory: {week.days:g} simulated days in {s.memory_seconds:g} s "
        f"({week.creations} creations, speed {week.speed:,.0f}x)"
    )
    samples: list[tuple[float, float]] = []
    with Simulator(week.path, speed=week.speed) as sim:
        started = time.monotonic()
        env = environment(ctx.home("roma-tui"), **sim.endpoint.token_env)
        argv = sim.endpoint.roma_tui(interval=INTERVAL)
        with Terminal.spawn(argv, env, s.size) as term:
            term.wait_for_text(CHURN_PREFIX, s.timeout)
            while (elapsed := time.monotonic() - started) < s.memory_seconds or len(samples) < 4:
                samples.append((elapsed * week.speed / DAY, term.usage().rss_mb))
                term.pump(SAMPLE_EVERY)
            term.stop()
    fitted = samples[int(len(samples) * WARM_UP) :]
    return [
        Figure(
            "5",
            "RSS slope over a simulated week of creations",
            slope(fitted),
            "MB/day",
            max_value=1,
            strict=True,
            note=f"{week.creations} creations, {samples[-1][1]:.0f} MB at the end",
        )
    ]
