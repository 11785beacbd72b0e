"""Target 2, idle: roma-tui showing a dozen instances whose creations all ended long ago,
against the bare Textual app: bytes written to the terminal per second, and CPU.

Both start in a pty, show their data, then wait two list intervals before the window is
measured (the same for both); roma-tui still polls the list every interval meanwhile.
"""

from __future__ import annotations

from bench.harness import Context, Figure, interleaved, medians
from bench.processes import Simulator, app, environment
from bench.startup import BARE_TEXT
from bench.workload import FINISHED, FINISHED_NAME


def run(ctx: Context) -> list[Figure]:
    s = ctx.settings
    settle = 2 * s.interval * s.settle

    def measure(argv: list[str], env: dict[str, str], marker: str) -> dict[str, float]:
        done = ctx.session(argv, env, marker=marker, settle=settle, window=s.idle_window)
        return {"bytes": done.window.bytes_per_second, "cpu": done.window.cpu_percent}

    with Simulator(FINISHED) as sim:
        endpoint = sim.endpoint

        def roma() -> dict[str, float]:
            env = environment(ctx.home("roma-tui"), **endpoint.token_env)
            return measure(endpoint.roma_tui(interval=s.interval), env, FINISHED_NAME)

        def bare() -> dict[str, float]:
            return measure(app("bare"), environment(ctx.home("bare")), BARE_TEXT)

        ctx.log(
            f"idle: {s.repeat} run(s) each of {settle:g} s settling + {s.idle_window:g} s measured"
        )
        runs = interleaved({"bare": bare, "roma": roma}, s.repeat)
    roma_m, bare_m = medians(runs["roma"]), medians(runs["bare"])
    label = "bare Textual app"
    note = f"{s.idle_window:g} s after {settle:g} s"
    return [
        Figure(
            "2",
            "idle, bytes to the terminal",
            roma_m["bytes"],
            "B/s",
            bare_m["bytes"],
            label,
            max_value=20,
            note=note,
        ),
        Figure("2", "idle CPU", roma_m["cpu"], "%", bare_m["cpu"], label, max_ratio=2.5, note=note),
    ]
