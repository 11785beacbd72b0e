"""Soak: a simulated week of instances ordered, failed and deleted, through the monitor and the
app, leaves nothing behind: memory of roma-tui's own and asyncio tasks stay flat.

The week runs on a fake clock at a six-hour refresh interval (`bench.soak`, which runs it at
the real 10 s interval and prints the slopes: `python -m bench.soak`). Textual's DataTable
keeps the cells it rendered in bounded caches that take more than this week to fill at this
pace, so the flat memory asserted is roma-tui's own (the monitor's state, snapshots, the app's
views, the error log), with the table's rows following the instances.
"""

from __future__ import annotations

from bench.soak import slopes, soak
from roma_tui.simulator.scenario import DELETING_SECONDS, churn_scenario, evaluate

KIB = 1024


def test_the_churn_scenario_orders_fails_and_deletes() -> None:
    scenario = churn_scenario(2, every=3600, lifetime=7200)
    spec = scenario.instances[-1]  # ordered 2 days later, less the lifetime
    start = round(spec.created * 1000)
    assert evaluate(spec, 0, start - 1) is None  # not ordered yet
    first = evaluate(spec, 0, start)
    assert first is not None and first.phase == "creating"
    deleting = evaluate(spec, 0, start + round((7200 - DELETING_SECONDS / 2) * 1000))
    assert deleting is not None and deleting.lifecycle == "deleting"
    assert evaluate(spec, 0, start + 7200 * 1000) is None  # gone
    words = {
        state.lifecycle or state.phase
        for moment in range(0, 48 * 3600, 1800)  # deletions are on the hour: 60 s before it
        for state in (evaluate(s, 0, (moment - 60) * 1000) for s in scenario.instances)
        if state is not None
    }
    assert words == {"creating", "running", "failed", "deleting"}


async def test_a_week_of_churn_leaves_nothing_behind() -> None:
    samples = await soak(days=7, interval=6 * 3600, sample_hours=24, size=(80, 24))
    assert [round(s.day) for s in samples] == [1, 2, 3, 4, 5, 6, 7]
    last = samples[-1]
    # the week happened: about 96 instances ordered, a fifth failed, all but a day's deleted
    assert last.seen >= 90 and last.failed >= 10 and last.gone >= last.seen - 16
    for sample in samples:
        assert 10 <= sample.instances <= 16  # what exists at any moment
        assert sample.rows == sample.instances  # the table forgets deleted instances
        assert sample.tasks == samples[0].tasks  # no task left behind
    own = [s.own for s in samples]
    # bounded logs fill first (the last 50 errors, with what each refers to: 404s of instances
    # deleted between two polls), then it is flat: the second half of the week moves by noise
    # only (which instances are there right now, and which of them are mid-creation: each
    # shown instance keeps its view, and a creating one its sub-services and trace, ~3 KiB)
    settled = own[len(own) // 2 :]
    assert max(settled) - min(settled) < 32 * KIB, own
    assert abs(slopes(samples)["own"]) < 2 * KIB, own  # per day, over the second half
    assert max(own) < 256 * KIB, own
