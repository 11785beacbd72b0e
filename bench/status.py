"""Target 6, `roma-tui status --json` against the official SDK listing the same instances: wall
time and peak RSS of the whole processes (fork to exit, `wait4`), interleaved runs after one
warm-up each; and the requests each sends, counted by a relay (bench/proxy.py) in one more run.

Both sign with the simulator's AK/SK and read the default (demo) scenario from a simulator in
its own process; each side keeps its home (roma-tui's cache of accepted keys) across runs, as
on a user's machine. The expected requests: the list pages plus one progress request per
instance listed as creating or failed. The counted run of roma-tui also says what it imported
(target 1: `status` never imports Textual).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from bench.harness import Context, Figure, interleaved, median
from bench.processes import Endpoint, Simulator, app, environment, imported, importing
from bench.proxy import CountingProxy
from bench.terminal import BenchError

PAGE = 100  # instances per list page, for both
_PROGRESS_WORTH = {"CREATING", "CREATEFAILED"}  # the list's statuses, spelling aside


def whole_run(argv: list[str], env: dict[str, str], out: Path) -> tuple[dict[str, float], str]:
    """Run `argv` to its end, stdout to `out`: wall seconds and peak RSS (MB); its stderr."""
    started = time.monotonic()
    with open(out, "wb") as stdout:
        process = subprocess.Popen(argv, env=env, stdout=stdout, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, rusage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    if process.returncode != 0:
        raise BenchError(f"{argv[1]} exited {process.returncode}: {errors[-500:]!r}")
    return {"wall": wall, "rss": rusage.ru_maxrss * 1024 / 1e6}, errors.decode(errors="replace")


def run(ctx: Context) -> list[Figure]:
    s = ctx.settings
    homes = {"roma": ctx.home("status"), "sdk": ctx.home("sdk")}

    def argv(side: str, endpoint: Endpoint) -> list[str]:
        if side == "roma":
            return endpoint.roma_tui("status", "--json")
        return app("sdk_list", endpoint.url, endpoint.project_id)

    with Simulator("default") as sim:
        endpoint = sim.endpoint
        envs = {side: environment(home, **endpoint.aksk_env) for side, home in homes.items()}

        def side_run(side: str) -> dict[str, float]:
            return whole_run(argv(side, endpoint), envs[side], ctx.file(f"{side}.json"))[0]

        ctx.log(f"status --json and the SDK: {s.warmup} warm-up + {s.status_repeat} run(s) each")
        sides = {"sdk": lambda: side_run("sdk"), "roma": lambda: side_run("roma")}
        interleaved(sides, s.warmup)
        runs = interleaved(sides, s.status_repeat)
        counted = {}
        outputs = {}
        for side in ("roma", "sdk"):  # roma-tui's also says what it imports
            with CountingProxy(endpoint.url) as proxy:
                relayed = Endpoint(proxy.url, endpoint.project_id, "", endpoint.ak, endpoint.sk)
                outputs[side] = ctx.file(f"counted-{side}.json")
                _, stderr = whole_run(importing(argv(side, relayed)), envs[side], outputs[side])
            counted[side] = proxy
            if side == "roma":
                textual = "textual" in imported(stderr)
    listed = json.loads(outputs["sdk"].read_text())["instances"]
    worth = sum(str(i["status"]).upper().replace("_", "") in _PROGRESS_WORTH for i in listed)
    pages = -(-max(len(listed), 1) // PAGE)
    roma, sdk = counted["roma"], counted["sdk"]
    n = len(json.loads(outputs["roma"].read_text())["instances"])
    label = "official SDK listing them"
    return [
        Figure(
            "6",
            f"`status --json` wall time, {n} instances",
            median([r["wall"] for r in runs["roma"]]),
            "s",
            median([r["wall"] for r in runs["sdk"]]),
            label,
            max_ratio=0.5,
        ),
        Figure(
            "6",
            "`status --json` peak RSS",
            median([r["rss"] for r in runs["roma"]]),
            "MB",
            median([r["rss"] for r in runs["sdk"]]),
            label,
            max_ratio=0.7,
        ),
        Figure(
            "6",
            "`status --json` requests",
            float(sum(roma.counts.values())),
            "requests",
            min_value=pages + worth,
            max_value=pages + worth,
            note=f"{roma.counts['list']} list, {roma.counts['progress']} progress, "
            f"{roma.counts['other']} other, at most {roma.max_in_flight} at once; the SDK: "
            f"{sum(sdk.counts.values())}; expected {pages} page(s) + {worth} creating or failed",
        ),
        Figure(
            "1",
            "`roma-tui status` imports textual",
            float(textual),
            "of 1",
            min_value=0,
            max_value=0,
            note="yes" if textual else "no",
        ),
    ]
