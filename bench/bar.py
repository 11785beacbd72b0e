"""Target 3, one progress bar moving once a second: bytes written to the terminal per second
by roma-tui (one instance creating, its one sub-service 1 % further every second), by a Textual
`ProgressBar` app moving the same way, and by a `watch`-style loop redrawing everything.

Each roma-tui run gets a fresh simulator (the bar is at 10 % when it starts and must not
reach 100 % before the window ends). All three settle for one list interval, then the window.
"""

from __future__ import annotations

from bench.harness import Context, Figure, interleaved, median
from bench.processes import Simulator, app, environment
from bench.terminal import BenchError
from bench.workload import BAR, BAR_NAME, BAR_START

BAR_LIFE = 100 - BAR_START  # seconds until the simulated bar is full
STARTUP_ALLOWANCE = 15.0  # seconds an app may take to show it


def run(ctx: Context) -> list[Figure]:
    s = ctx.settings
    settle = s.interval * s.settle
    if settle + s.window + STARTUP_ALLOWANCE > BAR_LIFE:
        raise BenchError(
            f"a {s.window:g} s window after {settle:g} s would outlast the bar ({BAR_LIFE} s)"
        )

    def measure(argv: list[str], env: dict[str, str], quit_keys: bytes = b"q") -> float:
        done = ctx.session(
            argv, env, marker=BAR_NAME, settle=settle, window=s.window, quit_keys=quit_keys
        )
        return done.window.bytes_per_second

    def roma() -> float:
        with Simulator(BAR) as sim:
            env = environment(ctx.home("roma-tui"), **sim.endpoint.token_env)
            return measure(sim.endpoint.roma_tui(interval=s.interval), env)

    def progress_bar() -> float:
        return measure(app("progress_bar", BAR_NAME, str(BAR_START)), environment(ctx.home("pb")))

    def redraw() -> float:
        argv = app("redraw", BAR_NAME, str(BAR_START))
        return measure(argv, environment(ctx.home("redraw")), quit_keys=b"")

    ctx.log(f"one bar: {s.repeat} run(s) each of {settle:g} s settling + {s.window:g} s measured")
    runs = interleaved({"pb": progress_bar, "redraw": redraw, "roma": roma}, s.repeat)
    value = median(runs["roma"])
    note = f"{s.window:g} s"
    return [
        Figure(
            "3",
            "one bar moving once a second, bytes to the terminal",
            value,
            "B/s",
            median(runs["pb"]),
            "Textual ProgressBar app",
            max_ratio=0.5,
            note=note,
        ),
        Figure(
            "3",
            "one bar moving once a second, bytes to the terminal",
            value,
            "B/s",
            median(runs["redraw"]),
            "`watch`-style full redraw",
            max_ratio=0.25,
            note=note,
        ),
    ]
