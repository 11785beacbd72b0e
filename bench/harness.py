"""The benchmark harness: a baseline and a subject measured in the same run, medians, ratios.

A benchmark module offers `async def cases(settings, stack) -> list[Case]`. Each `Case` has
two probes (baseline and subject); a probe runs once and returns a `Sample` (metric name ->
value, in the unit the case declares). `run_case` alternates the two probes `repeat` times
(after `warmup` unjudged runs) and keeps the median of each metric. No assertions on time:
the machine is shared and noisy, so only ratios within one run mean anything.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Protocol, TextIO

Sample = Mapping[str, float]
Probe = Callable[[], Awaitable[Sample]]


@dataclass(frozen=True, slots=True)
class Settings:
    """How big and how long: `--quick` makes everything small enough for a smoke run."""

    instances: int = 2000
    repeat: int = 5
    warmup: int = 1
    idle: float = 5.0  # seconds each app sits idle in the TUI benchmark
    size: tuple[int, int] = (120, 40)  # terminal columns x rows for the TUI benchmark


class Skip(Exception):
    """Raised by a benchmark's `cases` when it cannot run here (the message says why)."""


@dataclass(frozen=True, slots=True)
class Case:
    """One comparison: what is measured (`units`: metric -> unit, in display order)."""

    name: str
    baseline_label: str
    baseline: Probe
    subject_label: str
    subject: Probe
    units: Mapping[str, str]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Figure:
    """The median of one metric on both sides, with the spread of the runs."""

    metric: str
    unit: str
    baseline: float
    subject: float
    baseline_runs: tuple[float, ...] = field(default=(), repr=False)
    subject_runs: tuple[float, ...] = field(default=(), repr=False)

    @property
    def ratio(self) -> float | None:
        return self.subject / self.baseline if self.baseline else None


@dataclass(frozen=True, slots=True)
class Result:
    case: Case
    figures: tuple[Figure, ...]


class Benchmark(Protocol):
    """A module-level `cases` function (see the module docstring)."""

    async def __call__(self, settings: Settings, stack: AsyncExitStack) -> list[Case]: ...


# --- measuring ------------------------------------------------------------------------------


def per_op_ms(fn: Callable[[], object], number: int = 1) -> float:
    """Wall milliseconds per call of `fn`, over `number` calls."""
    started = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - started) * 1000 / number


async def elapsed_ms(fn: Callable[[], Awaitable[object]]) -> float:
    """Wall milliseconds of one `await fn()`."""
    started = time.perf_counter()
    await fn()
    return (time.perf_counter() - started) * 1000


def sync_timing(fn: Callable[[], object], number: int = 1, unit: str = "ms") -> Probe:
    """A probe timing a plain function: {"time": per call, in ms or µs}."""
    scale = 1000.0 if unit == "µs" else 1.0

    async def probe() -> Sample:
        return {"time": per_op_ms(fn, number) * scale}

    return probe


def async_timing(fn: Callable[[], Awaitable[object]]) -> Probe:
    """A probe timing a coroutine function: {"time": ms}."""

    async def probe() -> Sample:
        return {"time": await elapsed_ms(fn)}

    return probe


async def run_case(case: Case, settings: Settings) -> Result:
    """Warm up, then alternate baseline and subject (order swapped every run), take medians."""
    for _ in range(settings.warmup):
        await case.baseline()
        await case.subject()
    runs: dict[str, list[Sample]] = {"b": [], "s": []}
    for i in range(max(1, settings.repeat)):
        order = (("b", case.baseline), ("s", case.subject))
        for side, probe in order if i % 2 == 0 else order[::-1]:
            runs[side].append(await probe())
    figures = []
    for metric, unit in case.units.items():
        b = tuple(sample[metric] for sample in runs["b"])
        s = tuple(sample[metric] for sample in runs["s"])
        figures.append(Figure(metric, unit, statistics.median(b), statistics.median(s), b, s))
    return Result(case, tuple(figures))


# --- printing -------------------------------------------------------------------------------


def fmt(value: float) -> str:
    """Three significant figures, no exponent for everyday magnitudes."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def fmt_ratio(ratio: float | None) -> str:
    return "—" if ratio is None else f"x{ratio:.2f}"


def _spread(runs: Sequence[float]) -> str:
    return f" ({fmt(min(runs))}–{fmt(max(runs))})" if len(runs) > 1 else ""


def describe(result: Result, out: TextIO) -> None:
    """The figures of one case as soon as it is done, spread of the runs in brackets."""
    case = result.case
    print(f"{case.name}: {case.subject_label} vs. {case.baseline_label}", file=out)
    if case.note:
        print(f"  ({case.note})", file=out)
    for f in result.figures:
        print(
            f"  {f.metric:<16} baseline {fmt(f.baseline)} {f.unit}{_spread(f.baseline_runs)}"
            f"  subject {fmt(f.subject)} {f.unit}{_spread(f.subject_runs)}"
            f"  {fmt_ratio(f.ratio)}",
            file=out,
        )


def table(results: Sequence[Result]) -> str:
    """The closing plain-text table: one line per metric."""
    header = ("benchmark", "metric", "baseline", "value", "subject", "value", "ratio")
    rows = [header]
    for result in results:
        case = result.case
        for f in result.figures:
            rows.append(
                (
                    case.name,
                    f.metric,
                    case.baseline_label,
                    f"{fmt(f.baseline)} {f.unit}",
                    case.subject_label,
                    f"{fmt(f.subject)} {f.unit}",
                    fmt_ratio(f.ratio),
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric = {3, 5, 6}
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.rjust(w) if i in numeric else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
