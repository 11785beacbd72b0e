"""Target 4, last part: 245 creations ending together. roma-tui (under bench/probe.py, in a
pty) watches them creating; they all end at the same moment of the simulator's time; the
list refresh after that sees it, and roma-tui then fetches the details (creation progress) of
each once. The figure: from that list refresh to the last of those fetches, or, when they are
not all done within the window, that time projected from the rate seen so far.
"""

from __future__ import annotations

import math
import time

from bench.harness import Context, Figure
from bench.processes import Simulator, environment, probed
from bench.terminal import BenchError, Terminal
from bench.trace import Trace, list_refreshes
from bench.workload import CHURN_PREFIX, wave

ENDING = 245
STARTUP_ALLOWANCE = 4.0  # s for roma-tui to start and load the list before they end


def run(ctx: Context) -> list[Figure]:
    s = ctx.settings
    ending = min(ENDING, s.creating)
    ends = STARTUP_ALLOWANCE * s.settle + 2 * s.interval
    scenario = wave(ctx.workdir, ending, ends)
    events = ctx.file("wave.jsonl")
    ctx.log(f"{ending} creations ending together {ends:g} s in, then {s.window:g} s watched")
    with Simulator(scenario.path) as sim:
        started = time.monotonic()  # a little after the simulator's own start: conservative
        env = environment(ctx.home("roma-tui"), **sim.endpoint.token_env)
        argv = probed(events, sim.endpoint.roma_tui(interval=s.interval))
        with Terminal.spawn(argv, env, s.size) as term:
            term.wait_for_text(CHURN_PREFIX, s.timeout)
            term.pump(started + ends - time.monotonic())  # until they end
            term.pump(2 * s.interval + s.window)  # a list refresh sees it; the window
            stopped = time.monotonic()
            term.stop()
    ended = started + ends
    trace = Trace.load(events)
    seen = [t for t in list_refreshes(trace) if ended < t < stopped]
    if not seen:
        raise BenchError("no list refresh after the creations ended")
    wanted = set(scenario.ids)
    fetched: dict[str, float] = {}
    for t, kind, path in trace.answers:
        instance_id = path.rsplit("/", 2)[-2] if kind == "progress" else ""
        if ended <= t < stopped and instance_id in wanted:
            fetched.setdefault(instance_id, t)
    if len(fetched) == len(wanted):
        value = max(fetched.values()) - seen[0]
        note = f"all {ending} fetched"
    else:
        watched = stopped - seen[0]
        value = watched * len(wanted) / len(fetched) if fetched else math.inf
        note = f"projected: {len(fetched)} of {ending} fetched in {watched:.0f} s"
    return [
        Figure(
            "4",
            f"{ending} creations ending together: details of all fetched",
            max(0.0, value),
            "s",
            max_value=60,
            strict=True,
            note=note,
        )
    ]
