"""Run the roma-tui benchmarks: `python -m bench.run [--quick | --smoke] [--only NAME ...]`.

Measures the real `roma-tui` processes (in a pseudo-terminal, against the simulator in its own
process) and the baseline apps launched the same way in the same run, then prints a Markdown
report on stdout: date and machine, and one row per figure with its target from issue 11 and
PASS/FAIL. Progress goes to stderr. See bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bench.harness import MODES, Context, Figure, machine, markdown
from bench.processes import compile_roma_tui
from bench.terminal import BenchError

#: name -> module with `run(ctx) -> list[Figure]`, in the order of the issue's targets
BENCHMARKS: dict[str, str] = {
    "startup": "bench.startup",
    "idle": "bench.idle",
    "bar": "bench.bar",
    "scale": "bench.scale",
    "backlog": "bench.backlog",
    "memory": "bench.memory",
    "status": "bench.status",
    "parsing": "bench.parsing",
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="under two minutes: short windows")
    mode.add_argument("--smoke", action="store_true", help="seconds: the scripts run (CI)")
    p.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these")
    p.add_argument("--repeat", type=int, help="interleaved runs per app (windowed benchmarks)")
    p.add_argument("--interval", type=float, help="roma-tui's list interval, seconds")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run, print the report; 0, or 1 when a benchmark could not measure (a FAIL is not an
    error: the report says it)."""
    args = parse_args(argv)
    out = out or sys.stdout
    settings = MODES["smoke" if args.smoke else "quick" if args.quick else "full"]
    if args.repeat is not None:
        settings = replace(settings, repeat=args.repeat)
    if args.interval is not None:
        settings = replace(settings, interval=args.interval)
    names = [name for name in BENCHMARKS if not args.only or name in args.only]
    figures: list[Figure] = []
    errors: list[str] = []
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    def measure(ctx: Context, name: str) -> list[Figure]:
        try:
            figures: list[Figure] = importlib.import_module(BENCHMARKS[name]).run(ctx)
        except (BenchError, OSError, RuntimeError) as exc:
            log(f"{name}: could not measure: {exc}\n{''.join(traceback.format_exception(exc))}")
            errors.append(f"{name}: {exc}")
            return []
        log(f"{name}: done")
        return figures

    compile_roma_tui()
    with tempfile.TemporaryDirectory(prefix="roma-bench-") as scratch:
        ctx = Context(settings, Path(scratch), log)
        if settings.parallel:
            with ThreadPoolExecutor(len(names)) as pool:
                for done in pool.map(lambda name: measure(ctx, name), names):
                    figures += done
        else:
            for name in names:
                figures += measure(ctx, name)
    log(f"done in {time.monotonic() - started:.0f} s")
    figures.sort(key=lambda f: f.target if f.target.isdigit() else "~")  # by target, stable
    print("## roma-tui performance\n", file=out)
    print(f"{machine()}  \n{settings.describe()}\n", file=out)
    print(markdown(figures), file=out)
    for error in errors:
        print(f"\n**not measured**: {error}", file=out)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
