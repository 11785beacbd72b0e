"""Run the roma-tui benchmarks: `python -m bench.run [--quick] [--only NAME ...]`.

Each benchmark measures a baseline and roma-tui in the same run and prints medians and the
ratio; a plain-text table closes the run. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import replace
from pathlib import Path
from typing import TextIO

if not __package__:  # `python bench/run.py`: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    Benchmark,
    Result,
    Settings,
    Skip,
    describe,
    run_case,
    table,
)

#: name -> module with `async def cases(settings, stack)`; imported only when run.
BENCHMARKS: dict[str, str] = {
    "parsing": "bench.parsing",
    "refresh": "bench.refresh",
    "tui": "bench.tui",
}
QUICK = Settings(repeat=1, warmup=0, idle=2.0)


def parse_args(argv: Sequence[str] | None) -> tuple[Settings, list[str]]:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    p.add_argument("--quick", action="store_true", help="one run each, 2 s idle: a smoke run")
    p.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these")
    p.add_argument("--instances", type=int, help="instances in the large scenario (2000)")
    p.add_argument("--repeat", type=int, help="measured runs per side (median taken)")
    p.add_argument("--warmup", type=int, help="unmeasured runs per side first")
    p.add_argument("--idle", type=float, help="seconds each app sits idle (TUI benchmark)")
    args = p.parse_args(argv)
    settings = QUICK if args.quick else Settings()
    overrides = {
        name: value
        for name in ("instances", "repeat", "warmup", "idle")
        if (value := getattr(args, name)) is not None
    }
    return replace(settings, **overrides), list(args.only or BENCHMARKS)


async def run(settings: Settings, names: Sequence[str], out: TextIO) -> list[Result]:
    """Run the named benchmarks in order, printing each case as it finishes."""
    results: list[Result] = []
    print(
        f"roma-tui benchmarks: {settings.instances} instances, median of {settings.repeat}"
        f" run(s) after {settings.warmup} warm-up; ratio = subject / baseline\n",
        file=out,
    )
    for name in names:
        benchmark: Benchmark = importlib.import_module(BENCHMARKS[name]).cases
        async with AsyncExitStack() as stack:
            try:
                cases = await benchmark(settings, stack)
            except Skip as why:
                print(f"{name}: skipped: {why}\n", file=out)
                continue
            for case in cases:
                result = await run_case(case, settings)
                describe(result, out)
                print(file=out)
                results.append(result)
    if results:
        print(table(results), file=out)
    return results


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    os.environ.setdefault("TEXTUAL_COLOR_SYSTEM", "256")  # what an SSH session usually has
    settings, names = parse_args(argv)
    asyncio.run(run(settings, names, out or sys.stdout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
