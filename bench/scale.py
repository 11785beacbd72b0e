"""Target 4, 2000 instances with 500 creating: roma-tui against a plain 2000-row DataTable app
updated every 2 s (bench/apps/table.py), both reading the same simulator.

Both run under bench/probe.py (the same probe for both) in a pty: CPU and RSS of the window,
and from the probe, for roma-tui, the UI work per progress answer, the list refresh to the
screen and the event-loop lag (see bench/trace.py). Each round (one run of each, the order
alternating) gets a fresh simulator; its creations go on for at least 9 minutes.
"""

from __future__ import annotations

from bench.harness import Context, Figure, median, medians, percentile
from bench.processes import Endpoint, Simulator, app, environment, probed
from bench.trace import Trace, figures
from bench.workload import SCALE_PREFIX, scale


def run(ctx: Context) -> list[Figure]:
    s = ctx.settings
    n, creating = s.instances, s.creating
    scenario = scale(ctx.workdir, n, creating)
    settle = s.interval * s.settle
    work: list[float] = []
    to_screen: list[float] = []
    lags: dict[str, list[float]] = {"roma": [], "table": []}
    answers = 0

    def measure(side: str, argv: list[str], env: dict[str, str]) -> dict[str, float]:
        nonlocal answers
        events = ctx.file(f"{side}.jsonl")
        done = ctx.session(
            probed(events, argv), env, marker=SCALE_PREFIX, settle=settle, window=s.window
        )
        seen = figures(Trace.load(events), done.window.start, done.window.end)
        lags[side] += seen.lag_ms
        if side == "roma":
            work.extend(seen.progress_work_ms)
            to_screen.extend(seen.list_to_screen_ms)
            answers += seen.progress_answers
        return {
            "cpu": done.window.cpu_percent,
            "rss": done.window.rss_mb,
            "ready": done.ready,
        }

    def roma(endpoint: Endpoint) -> dict[str, float]:
        env = environment(ctx.home("roma-tui"), **endpoint.token_env)
        return measure("roma", endpoint.roma_tui(interval=s.interval), env)

    def table(endpoint: Endpoint) -> dict[str, float]:
        env = environment(ctx.home("table"), **endpoint.token_env)
        return measure("table", app("table", endpoint.url, endpoint.project_id), env)

    ctx.log(
        f"{n} instances, {creating} creating: {s.repeat} run(s) each of {settle:g} s settling"
        f" + {s.window:g} s measured"
    )
    sides = {"table": table, "roma": roma}
    runs: dict[str, list[dict[str, float]]] = {"table": [], "roma": []}
    for i in range(s.repeat):  # a fresh simulator per round; who goes first alternates
        with Simulator(scenario) as sim:
            for side in ("table", "roma") if i % 2 == 0 else ("roma", "table"):
                runs[side].append(sides[side](sim.endpoint))
    roma_m, table_m = medians(runs["roma"]), medians(runs["table"])
    label = f"{n}-row DataTable app"
    where = f"{n} instances, {creating} creating"
    return [
        Figure(
            "4",
            f"list of {where} on screen",
            roma_m["ready"],
            "s",
            table_m["ready"],
            label,
        ),
        Figure("4", f"CPU, {where}", roma_m["cpu"], "%", table_m["cpu"], label, max_ratio=0.5),
        Figure("4", f"RSS, {where}", roma_m["rss"], "MB", table_m["rss"], label, max_ratio=1.2),
        Figure(
            "4",
            "UI work per progress answer (CPU), median",
            median(work),
            "ms",
            max_value=5,
            strict=True,
            note=f"{answers} answers",
        ),
        Figure(
            "4",
            "list refresh to the screen, median",
            median(to_screen),
            "ms",
            max_value=30,
            strict=True,
            note=f"{len(to_screen)} refreshes",
        ),
        Figure(
            "4",
            "list refresh to the screen, p95",
            percentile(to_screen, 95),
            "ms",
            max_value=60,
            strict=True,
        ),
        Figure(
            "4",
            "event-loop lag, max",
            max(lags["roma"], default=float("nan")),
            "ms",
            max(lags["table"], default=float("nan")),
            label,
            max_value=50,
        ),
    ]
