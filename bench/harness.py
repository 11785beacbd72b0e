"""The benchmark harness: settings per mode, interleaved runs, medians, figures with their
target from issue 11, and the Markdown report (date, machine, one row per figure, PASS/FAIL).

No figure is judged on its own clock: the machine is shared and noisy, so a target is a ratio
to a baseline measured in the same run, or a bound the issue states in absolute terms.
"""

from __future__ import annotations

import itertools
import math
import os
import platform
import statistics
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from bench.terminal import Session, session

T = TypeVar("T")
Sample = Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Settings:
    """How long and how often. `full` is the real measurement; `quick` keeps every window at
    two list intervals (of a shorter interval) to finish in under two minutes; `smoke` only
    proves the scripts still run (its figures mean nothing)."""

    mode: str
    repeat: int  # interleaved runs per app for the windowed benchmarks (median taken)
    startup_repeat: int  # interleaved runs per app for the first frame
    status_repeat: int  # interleaved runs per side for `status --json` (after `warmup`)
    interval: float  # roma-tui's list interval (--interval), seconds
    idle_window: float  # seconds measured while idle (after two list intervals)
    window: float  # seconds measured for the bar and the 2000 instances
    instances: int
    creating: int
    memory_seconds: float  # real seconds of the simulated week
    size: tuple[int, int] = (120, 40)  # terminal columns x rows
    timeout: float = 60.0  # the longest wait for an app to show its data
    settle: float = 1.0  # share of the settling time the issue asks for (list intervals)
    warmup: int = 1  # unmeasured runs per side before the whole-process runs
    parallel: bool = False  # benchmarks side by side (smoke only: it makes timings meaningless)

    def describe(self) -> str:
        return (
            f"{self.mode} mode: {self.repeat} interleaved run(s) per app "
            f"({self.startup_repeat} for the first frame, {self.status_repeat} for status), "
            f"list interval {self.interval:g} s, idle window {self.idle_window:g} s, other "
            f"windows {self.window:g} s, terminal {self.size[0]}x{self.size[1]}"
        )


MODES: dict[str, Settings] = {
    "full": Settings(
        "full", repeat=3, startup_repeat=5, status_repeat=5, interval=10, idle_window=60,
        window=30, instances=2000, creating=500, memory_seconds=150,
    ),
    "quick": Settings(
        "quick", repeat=1, startup_repeat=2, status_repeat=5, interval=2, idle_window=4,
        window=4, instances=2000, creating=500, memory_seconds=6,
    ),
    "smoke": Settings(
        "smoke", repeat=1, startup_repeat=1, status_repeat=0, interval=1, idle_window=0.3,
        window=0.5, instances=60, creating=15, memory_seconds=2, timeout=30, settle=0,
        warmup=0, parallel=True,
    ),
}  # fmt: skip


@dataclass
class Context:
    """What every benchmark gets: the settings, a scratch directory, a progress log."""

    settings: Settings
    workdir: Path
    log: Callable[[str], None]
    _serial: Iterator[int] = field(default_factory=itertools.count)

    def home(self, name: str) -> Path:
        """A fresh private home directory for one program (or one series of runs)."""
        path = self.file(f"home-{name}")
        path.mkdir(parents=True)
        return path

    def file(self, name: str) -> Path:
        """A fresh path in the scratch directory."""
        return self.workdir / f"{next(self._serial)}-{name}"

    def session(
        self,
        argv: list[str],
        env: dict[str, str],
        *,
        marker: str,
        settle: float,
        window: float,
        quit_keys: bytes = b"q",
    ) -> Session:
        """`bench.terminal.session` in this run's terminal size, with its timeout."""
        s = self.settings
        return session(
            argv, env, marker=marker, settle=settle, window=window, size=s.size,
            timeout=s.timeout, quit_keys=quit_keys,
        )  # fmt: skip


# --- statistics ------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (`pct` in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of y over x; NaN with fewer than two distinct x."""
    if len({x for x, _ in points}) < 2:
        return math.nan
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    num = sum((x - mean_x) * (y - mean_y) for x, y in points)
    den = sum((x - mean_x) ** 2 for x, _ in points)
    return num / den


def interleaved(runs: Mapping[str, Callable[[], T]], repeat: int) -> dict[str, list[T]]:
    """Run every named probe `repeat` times, rotating which goes first each round, so drift on
    a shared machine lands on every side alike."""
    names = list(runs)
    results: dict[str, list[T]] = {name: [] for name in names}
    for i in range(repeat):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(runs[name]())
    return results


def medians(samples: Sequence[Sample]) -> dict[str, float]:
    """The median of each metric over runs (a metric missing from a run is left out)."""
    keys = dict.fromkeys(k for s in samples for k in s)
    return {k: median([s[k] for s in samples if k in s and not math.isnan(s[k])]) for k in keys}


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """One line of the report. PASS/FAIL: `value / baseline <= max_ratio`, `value <= max_value`
    (`value < max_value` when `strict`), `value >= min_value`, all that are set; no bound: no
    verdict."""

    target: str  # the item of issue 11's Targets list
    what: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    max_ratio: float | None = None
    max_value: float | None = None
    strict: bool = False
    min_value: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or not self.baseline or math.isnan(self.baseline):
            return None
        return self.value / self.baseline

    @property
    def verdict(self) -> str:
        if self.max_ratio is None and self.max_value is None and self.min_value is None:
            return "—"
        if math.isnan(self.value):
            return "FAIL (no data)"
        ok = True
        if self.max_ratio is not None:
            ratio = self.ratio
            if ratio is None:  # a baseline of 0: only 0 is as good
                ok = self.baseline == 0 and self.value == 0
            else:
                ok = ratio <= self.max_ratio
        if self.max_value is not None:
            ok = ok and (
                self.value < self.max_value if self.strict else self.value <= self.max_value
            )
        if self.min_value is not None:
            ok = ok and self.value >= self.min_value
        return "PASS" if ok else "FAIL"

    @property
    def target_text(self) -> str:
        parts = []
        if self.max_ratio is not None:
            parts.append(f"≤ {self.max_ratio:g}×")
        if self.min_value is not None and self.min_value == self.max_value:
            return f"= {fmt(self.min_value)} {self.unit}"
        if self.min_value is not None:
            parts.append(f"≥ {fmt(self.min_value)} {self.unit}")
        if self.max_value is not None:
            parts.append(f"{'<' if self.strict else '≤'} {fmt(self.max_value)} {self.unit}")
        return " and ".join(parts) or "—"


def fmt(value: float) -> str:
    """Three significant figures, thousands separated, no exponent."""
    if math.isnan(value):
        return "n/a"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _ratio(figure: Figure) -> str:
    ratio = figure.ratio
    return "—" if ratio is None else f"{ratio:.2f}×"


def markdown(figures: Sequence[Figure]) -> str:
    """The report table: | # | figure | roma-tui | baseline | ratio | target | result |."""
    lines = [
        "| # | figure | roma-tui | baseline (same run) | ratio | target | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        what = f"{f.what} ({f.note})" if f.note else f.what
        baseline = (
            f"{f.baseline_label} {fmt(f.baseline)} {f.unit}" if f.baseline is not None else "—"
        )
        lines.append(
            f"| {f.target} | {what} | {fmt(f.value)} {f.unit} | {baseline} | {_ratio(f)} "
            f"| {f.target_text} | {f.verdict} |"
        )
    return "\n".join(lines)


# --- where it ran ----------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _commit() -> str:
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def machine() -> str:
    """Date, commit, CPUs, CPU model, Python, Textual and the kernel: one line."""
    cpus = len(os.sched_getaffinity(0))
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · commit {_commit()} · {cpus} CPUs "
        f"({_cpu_model()}) · Python {platform.python_version()} · Textual "
        f"{_version('textual')} · {platform.system()} {platform.release()}"
    )
