"""Target 1, start-up: roma-tui's first frame and its list on screen, against a bare Textual
app's first frame; what `--help` imports (what `status` imports: bench/status.py).

Both apps are started the same way (fork, exec, same interpreter, a 120x40 pty) and timed
from the fork to the bytes on the terminal: the first frame is the moment every row of the
screen has been drawn once, the list is the moment the first instance's name arrived.
roma-tui reads the default (demo) scenario from a simulator in its own process.
"""

from __future__ import annotations

import subprocess

from bench.harness import Context, Figure, interleaved, median
from bench.processes import ROMA_TUI, Simulator, app, environment, imported, importing
from bench.terminal import BenchError, Terminal
from bench.workload import DEFAULT_NAME

BARE_TEXT = "bare Textual app"
SETTLE = 0.5  # s read after the marker, so that the frame it is in is complete


def first_frame(
    ctx: Context, argv: list[str], env: dict[str, str], marker: str
) -> dict[str, float]:
    """Seconds from the fork to the first complete frame and to `marker` on screen."""
    with Terminal.spawn(argv, env, ctx.settings.size) as term:
        shown = term.wait_for_text(marker, ctx.settings.timeout)
        term.pump(SETTLE)
        frame = term.first_full_frame()
    if frame is None:
        raise BenchError(f"{argv[1]} never drew a complete frame")
    return {"frame": frame - term.started, "shown": shown - term.started}


def imports(argv: list[str], env: dict[str, str]) -> set[str]:
    """The top-level packages `argv` (a python program) imports."""
    done = subprocess.run(importing(argv), env=env, capture_output=True, text=True, timeout=60)
    return imported(done.stderr)


def run(ctx: Context) -> list[Figure]:
    s = ctx.settings
    with Simulator("default") as sim:
        endpoint = sim.endpoint

        def roma() -> dict[str, float]:
            env = environment(ctx.home("roma-tui"), **endpoint.token_env)
            return first_frame(ctx, endpoint.roma_tui(), env, DEFAULT_NAME)

        def bare() -> dict[str, float]:
            return first_frame(ctx, app("bare"), environment(ctx.home("bare")), BARE_TEXT)

        ctx.log(f"first frame: roma-tui and a bare Textual app, {s.startup_repeat} run(s) each")
        runs = interleaved({"bare": bare, "roma": roma}, s.startup_repeat)
    help_imports = imports([ROMA_TUI, "--help"], environment(ctx.home("help")))

    bare_frame = median([r["frame"] for r in runs["bare"]])
    label = "bare Textual app"
    heavy_for_help = sorted(help_imports & {"textual", "pydantic", "httpx"})
    return [
        Figure(
            "1",
            "first frame",
            median([r["frame"] for r in runs["roma"]]),
            "s",
            bare_frame,
            label,
            max_ratio=1.2,
        ),
        Figure(
            "1",
            "list with data on screen (demo scenario)",
            median([r["shown"] for r in runs["roma"]]),
            "s",
            bare_frame,
            label,
            max_ratio=1.5,
        ),
        Figure(
            "1",
            "`roma-tui --help` imports textual, pydantic, httpx",
            float(len(heavy_for_help)),
            "of 3",
            min_value=0,
            max_value=0,
            note=", ".join(heavy_for_help) or "none",
        ),
    ]
