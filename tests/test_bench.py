"""Smoke tests of the benchmark harness (bench/): it runs with tiny sizes and prints its figures.

No timing assertions: the figures of a benchmark only mean something as ratios within a run.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bench.harness import Case, Sample, Settings, run_case, table
from bench.run import main

ROOT = Path(__file__).resolve().parents[1]

TINY = ["--quick", "--instances", "30", "--idle", "0.2"]


def fixed(*values: float) -> Iterator[Sample]:
    for value in values:
        yield {"time": value}


async def test_run_case_takes_medians_and_the_ratio() -> None:
    baseline = fixed(5.0, 1.0, 2.0, 3.0)  # first one is the warm-up
    subject = fixed(50.0, 4.0, 8.0, 6.0)

    async def b() -> Sample:
        return next(baseline)

    async def s() -> Sample:
        return next(subject)

    case = Case("demo", "base", b, "ours", s, {"time": "ms"})
    result = await run_case(case, Settings(repeat=3, warmup=1))
    (figure,) = result.figures
    assert (figure.baseline, figure.subject, figure.ratio) == (2.0, 6.0, 3.0)
    lines = table([result]).splitlines()
    header = ["benchmark", "metric", "baseline", "value", "subject", "value", "ratio"]
    assert lines[0].split() == header
    assert lines[2].split() == ["demo", "time", "base", "2", "ms", "ours", "6", "ms", "x3.00"]


def test_every_benchmark_runs_tiny_and_prints_a_table() -> None:
    out = io.StringIO()
    assert main(TINY, out=out) == 0
    text = out.getvalue()
    table_part = text[text.index("benchmark ") :]
    for name in (
        "parse 30 instances",
        "parse progress seed",
        "monitor refresh, 30 instances",
        "snapshot memory, 30 instances",
    ):
        assert name in table_part
    assert "tui: skipped:" in text or "TUI, 30 instances" in table_part
    for metric in ("time", "retained", "peak"):
        assert f" {metric} " in table_part
    assert "x" in table_part.splitlines()[2].split()[-1]  # a ratio, e.g. x12.34


def test_runs_as_a_script_too() -> None:
    done = subprocess.run(
        [sys.executable, "bench/run.py", *TINY, "--only", "parsing"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "parse 30 instances" in done.stdout
    assert "monitor refresh" not in done.stdout
