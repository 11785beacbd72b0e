"""ETA accuracy: roma-tui's estimator against the naive linear one, on replayed creations.

    .venv/bin/python -m bench.eta                  # 40 varied creations + the default scenario
    .venv/bin/python -m bench.eta --creations 120 --every 5

Traces: every creation of the simulator's default scenario that succeeds, then
`varied_scenario(N)` (creations of every type with the spread real ones show: slower and faster
sub-services, late starts, stalls, jumps), replayed on simulated time (nothing waits): each
creation's progress is read every EVERY seconds as the client reads it (the simulator's JSON
through the wire models, `roma_tui.demo.replay`), and fed to a trace as the monitor does. At
the first reading at or past 25, 50 and 75 %, three estimates of the time left:
- naive: elapsed x (100 - p) / p, the overall rate since the start, extrapolated;
- ours, no history: the view model's ETA (`instance_view`) from the trace so far;
- ours, with history: the same, knowing what the earlier creations of the same type (in the
  order replayed) usually took: each creation is recorded, through the `Recorder` the app
  uses, into an in-memory `HistoryStore` once it is over. That is how the app runs.
The error is |estimate - true| / true, true being the time that was really left; a missing
estimate ("—") counts as 100 %. Printed: the median error per checkpoint, how often the ETA's
range held the truth, and whether the targets hold (median error at 50 % at most 15 % with
history, and better than naive at every checkpoint). Deterministic: same arguments, same table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

if not __package__:  # `python bench/eta.py`: make `bench` and `roma_tui` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from roma_tui.demo import DEMO_ENDPOINT, replay
from roma_tui.monitor.domain import CreationProgress, Place
from roma_tui.monitor.history import HistoryStore, Recorder
from roma_tui.monitor.snapshot import one_shot
from roma_tui.monitor.trace import Trace
from roma_tui.monitor.view import InstanceView, instance_view
from roma_tui.simulator.scenario import InstanceSpec, default_scenario, varied_scenario

CHECKPOINTS = (25, 50, 75)
ANCHOR = datetime(2025, 3, 6, 12, 0, tzinfo=UTC)
PLACE = Place(DEMO_ENDPOINT, "0" * 32)
REGION = "bench"
TARGET_AT_50 = 0.15
ESTIMATORS = ("naive linear", "ours, no history", "ours, with history")


@dataclass
class Scores:
    """Per checkpoint: the errors, and whether the range held the truth (ours only)."""

    errors: dict[int, list[float]] = field(default_factory=dict)
    held: dict[int, list[bool]] = field(default_factory=dict)

    def add(self, checkpoint: int, error: float, held: bool | None) -> None:
        self.errors.setdefault(checkpoint, []).append(error)
        if held is not None:
            self.held.setdefault(checkpoint, []).append(held)

    def median(self, checkpoint: int) -> float:
        return statistics.median(self.errors[checkpoint])

    def coverage(self, checkpoint: int) -> float | None:
        held = self.held.get(checkpoint)
        return sum(held) / len(held) if held else None


@dataclass
class Results:
    creations: int
    every: float
    scores: dict[str, Scores]

    @property
    def meets_target(self) -> bool:
        return self.scores["ours, with history"].median(50) <= TARGET_AT_50

    @property
    def beats_naive(self) -> bool:
        naive = self.scores["naive linear"]
        return all(
            self.scores[name].median(c) < naive.median(c)
            for name in ESTIMATORS[1:]
            for c in CHECKPOINTS
        )


def creations(varied: int) -> list[InstanceSpec]:
    """The default scenario's creations, then `varied` varied ones (each in creation order)."""
    ordered = sorted(default_scenario().instances, key=lambda s: s.created)
    return [*ordered, *sorted(varied_scenario(varied).instances, key=lambda s: s.created)]


def _error(estimate: timedelta | None, true: float) -> float:
    if estimate is None:
        return 1.0
    return abs(estimate.total_seconds() - true) / true


def _naive(prog: CreationProgress, at: datetime) -> timedelta | None:
    if prog.started is None or prog.progress <= 0:
        return None
    elapsed = (at - prog.started).total_seconds()
    return timedelta(seconds=elapsed * (100 - prog.progress) / prog.progress)


def _view(
    spec: InstanceSpec,
    prog: CreationProgress,
    at: datetime,
    trace: Trace,
    recorder: Recorder | None,
) -> InstanceView:
    typical = recorder.typical() if recorder is not None else None
    snapshot = one_shot(PLACE, [], {spec.id: prog}, at, {spec.id: trace}, typical)
    view = instance_view(snapshot, spec.id, at)
    assert view is not None
    return view


def _held(view: InstanceView, true: float) -> bool | None:
    if view.eta_low is None or view.eta_high is None:
        return None
    return view.eta_low.total_seconds() <= true <= view.eta_high.total_seconds()


def evaluate(specs: Iterable[InstanceSpec], every: float = 10.0) -> Results:
    """Replay every creation in `specs` (in order) and score the three estimators."""
    scores = {name: Scores() for name in ESTIMATORS}
    recorder = Recorder(HistoryStore(None, now=ANCHOR), REGION)
    count = 0
    for spec in specs:
        samples = list(replay(spec, ANCHOR, every))
        at_end, last = samples[-1]
        traces: list[Trace] = []
        trace: Trace | None = None
        for at, prog in samples:
            trace = Trace.first(prog, at) if trace is None else trace.observe(prog, at)
            traces.append(trace)
        assert trace is not None
        if last.finished is not None and last.progress >= 100:
            count += 1
            end = last.finished
            for checkpoint in CHECKPOINTS:
                i = next(k for k, (_, p) in enumerate(samples) if p.progress >= checkpoint)
                at, prog = samples[i]
                true = (end - at).total_seconds()
                if true <= 0:
                    continue
                scores["naive linear"].add(checkpoint, _error(_naive(prog, at), true), None)
                for name, history in (("ours, no history", None), ("ours, with history", recorder)):
                    view = _view(spec, prog, at, traces[i], history)
                    scores[name].add(checkpoint, _error(view.eta, true), _held(view, true))
        # what the app keeps once it saw the creation end
        recorder.record(_view(spec, last, at_end, trace, recorder), trace, at_end)
    return Results(count, every, scores)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def table(results: Results) -> str:
    """The table the benchmark prints (and the README quotes)."""
    head = ["estimator", *(f"{c} %" for c in CHECKPOINTS), "range held the truth (25/50/75)"]
    rows = [head]
    for name in ESTIMATORS:
        score = results.scores[name]
        held = [score.coverage(c) for c in CHECKPOINTS]
        held_text = (
            "—"
            if all(h is None for h in held)
            else " / ".join("—" if h is None else f"{h * 100:.0f}%" for h in held)
        )
        rows.append([name, *(_percent(score.median(c)) for c in CHECKPOINTS), held_text])
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(w) if i in (0, len(head) - 1) else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("| " + " | ".join(cells) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def report(results: Results, out: TextIO) -> None:
    at_50 = results.scores["ours, with history"].median(50)
    print(
        f"ETA accuracy: {results.creations} creations replayed, progress read every "
        f"{results.every:g} s; median absolute error of the time left, as a share of the true "
        "time left (lower is better)\n",
        file=out,
    )
    print(table(results), file=out)
    print(
        f"\ntarget: at most {TARGET_AT_50 * 100:.0f} % at 50 % with history: "
        f"{_percent(at_50)} {'met' if results.meets_target else 'NOT met'}; "
        f"better than naive at every checkpoint: {'yes' if results.beats_naive else 'NO'}",
        file=out,
    )


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eta", description=__doc__)
    parser.add_argument("--creations", type=int, default=40, help="varied creations (40)")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between readings")
    args = parser.parse_args(argv)
    results = evaluate(creations(args.creations), args.every)
    report(results, out or sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
