"""What bench/probe.py saw inside an app, turned into figures: UI work per progress answer,
list refresh to the screen, event-loop lag.

After an answer arrives the app is busy (parse, map, publish, rebuild, sync) and goes idle;
Textual then paints on its screen-update timer (at most 1/60 s later) and goes idle again. A
"chain" is that run of busy spells: it starts at the answer and goes on while the idle gaps
between spells stay under `GAP`. Per progress answer: the CPU time of the event loop's thread
in its chain (divided by the progress answers that arrived within it; CPU, not wall time, so
that other programs on a shared machine do not count); a chain with a list answer in it is the
list's.
List refresh to the screen: from the last list page's answer (no list request in flight
and none sent before the app went idle: a client asks for the next page as soon as it has read
one) to the last frame written in its chain.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path

GAP = 0.025  # s: longer than Textual's screen-update wait (1/60 s), shorter than any timer
MAX_CHAIN = 2.0  # s: a chain longer than this is cut (the app never went idle)


@dataclass
class Trace:
    busy: list[tuple[float, float, float]] = field(default_factory=list)  # (start, end, cpu)
    asks: list[tuple[float, str, str]] = field(default_factory=list)  # (time, kind, path)
    answers: list[tuple[float, str, str]] = field(default_factory=list)  # (time, kind, path)
    writes: list[float] = field(default_factory=list)
    lags: list[tuple[float, float]] = field(default_factory=list)  # (time, seconds late)

    @classmethod
    def load(cls, path: Path) -> Trace:
        trace = cls()
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                event = json.loads(line)
                match event[0]:
                    case "busy":
                        trace.busy.append((event[1], event[2], event[3]))
                    case "ask":
                        trace.asks.append((event[1], event[2], event[3]))
                    case "answer":
                        trace.answers.append((event[1], event[2], event[3]))
                    case "write":
                        trace.writes.append(event[1])
                    case "lag":
                        trace.lags.append((event[1], event[2]))
        trace.busy.sort()
        trace.asks.sort()
        trace.answers.sort()
        trace.writes.sort()
        return trace


@dataclass(frozen=True, slots=True)
class Chain:
    start: float
    end: float
    cpu: float  # seconds on a CPU in the busy spells from `start` to `end`
    last_write: float | None


def chain(trace: Trace, start: float) -> Chain:
    """The busy spells from `start` on, while the idle gaps stay under GAP."""
    end = start
    cpu = 0.0
    first = max(0, bisect_left(trace.busy, (start,)) - 1)
    for spell_start, spell_end, spell_cpu in trace.busy[first:]:
        if spell_end <= start:
            continue
        if spell_start > end + GAP or spell_start - start > MAX_CHAIN:
            break
        share = (spell_end - max(spell_start, start)) / (spell_end - spell_start)
        cpu += spell_cpu * share  # of the spell the answer arrived in, only what came after
        end = spell_end
    writes = trace.writes[bisect_left(trace.writes, start) : bisect_right(trace.writes, end)]
    return Chain(start, end, cpu, writes[-1] if writes else None)


def list_refreshes(trace: Trace) -> list[float]:
    """When each list refresh had all its pages (see the module docstring)."""
    moves = sorted(
        [(t, 0) for t, kind, _ in trace.answers if kind == "list"]
        + [(t, 1) for t, kind, _ in trace.asks if kind == "list"]
    )
    asked = [t for t, move in moves if move]
    done = []
    in_flight = 0
    for t, move in moves:
        in_flight += 1 if move else -1
        if not move and in_flight == 0:
            later = bisect_right(asked, t)
            if later == len(asked) or asked[later] > chain(trace, t).end:
                done.append(t)
    return done


@dataclass(frozen=True, slots=True)
class LoopFigures:
    progress_work_ms: list[float]  # UI work per progress answer, one value per chain
    progress_answers: int
    list_to_screen_ms: list[float]
    lag_ms: list[float]


def figures(trace: Trace, start: float, end: float) -> LoopFigures:
    """The figures of everything that happened in the window [start, end)."""
    in_window = [(t, k) for t, k, _ in trace.answers if start <= t < end]
    progress_work: list[float] = []
    covered = -math.inf
    for t, kind in in_window:
        if kind != "progress" or t <= covered:
            continue
        c = chain(trace, t)
        covered = c.end
        kinds = [k for at, k in in_window if t <= at <= c.end]
        if "list" not in kinds:
            progress_work.append(c.cpu / kinds.count("progress") * 1000)
    to_screen = []
    for t in list_refreshes(trace):
        if start <= t < end:
            c = chain(trace, t)
            to_screen.append(((c.last_write or c.end) - t) * 1000)
    lags = [lag * 1000 for t, lag in trace.lags if start <= t < end]
    return LoopFigures(
        progress_work,
        sum(k == "progress" for _, k in in_window),
        to_screen,
        lags,
    )
