"""The request budget the TUI and `status` share: a token bucket, and what it makes them send.

Issue 12: `status` with 1000 creating instances sent 1020 requests at 86 a second (every progress
request gathered under a semaphore of 4, no rate limit). On a fake clock, with a server that
takes 0.2 s to answer, it now sends the first ONE_SHOT_BURST at once and then ONE_SHOT_RATE a
second, never more than MAX_CONCURRENCY at a time, and says how long it will take.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest

from roma_tui.api.models import CreationProgressResponse, InstanceListResponse
from roma_tui.clock import FakeClock
from roma_tui.monitor.budget import (
    MAX_CONCURRENCY,
    ONE_SHOT_BURST,
    ONE_SHOT_RATE,
    PROGRESS_RATE,
    RequestBudget,
    backoff,
)
from roma_tui.monitor.live import Monitor
from roma_tui.scripting import run_status

LATENCY = 0.2  # seconds the fake server takes to answer
STEP = 0.05  # seconds the test moves the clock at a time


def test_the_bucket_bursts_then_refills_at_its_rate() -> None:
    budget = RequestBudget(2.0, 3, at=100.0)
    assert budget.allowed(100.0) == 3
    budget.spend(3, 100.0)
    assert budget.allowed(100.0) == 0 and budget.wait(100.0) == pytest.approx(0.5)
    assert budget.allowed(100.5) == 1
    assert budget.allowed(1000.0) == 3  # never more than the burst, however long it waited
    with pytest.raises(ValueError):
        RequestBudget(0, 3, at=0)
    with pytest.raises(ValueError):
        RequestBudget(1, 0.5, at=0)


async def test_acquire_sleeps_on_the_clock() -> None:
    clock = FakeClock()  # auto-advancing: a sleep moves it
    budget = RequestBudget(4.0, 2, at=clock.monotonic())
    for _ in range(10):
        await budget.acquire(clock)
    assert clock.monotonic() == pytest.approx(2.0)  # 2 at once, then 8 at 4 a second


class SlowProject:
    """`count` instances, all creating; every answer takes LATENCY seconds of the fake clock."""

    endpoint = "https://roma.example.test"
    project_id = "0123456789abcdef0123456789abcdef"

    def __init__(self, clock: FakeClock, count: int) -> None:
        self.clock = clock
        self.ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(count)]
        self.started: list[float] = []  # when each progress request was sent
        self.active = self.max_active = 0

    async def _answer(self) -> None:
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            await self.clock.sleep(LATENCY)
        finally:
            self.active -= 1

    async def list_instances(self, status: str | None = None) -> InstanceListResponse:
        await self._answer()
        items: list[dict[str, Any]] = [
            {"id": i, "name": f"roma-{n}", "status": "CREATING"} for n, i in enumerate(self.ids)
        ]
        return InstanceListResponse.parse({"total": len(items), "instances": items})

    async def get_creation_progress(self, instance_id: str) -> CreationProgressResponse:
        self.started.append(self.clock.monotonic())
        await self._answer()
        return CreationProgressResponse.parse(
            {"instance_id": instance_id, "status": "creating", "progress": 40}
        )


async def status_of(count: int, *, as_json: bool) -> tuple[SlowProject, float, str, str]:
    """`status` on a project of `count` creating instances, the clock moved in small steps
    until it ends: (the project, the seconds it took, stdout, stderr)."""
    clock = FakeClock(auto_advance=False)
    project = SlowProject(clock, count)
    out, err = io.StringIO(), io.StringIO()
    task = asyncio.ensure_future(
        run_status(project, clock, [], as_json=as_json, status=None, out=out, err=err)
    )
    while not task.done():
        assert clock.monotonic() < 600, "status never finished"
        for _ in range(4):
            await asyncio.sleep(0)
        clock.advance(STEP)
    assert task.result() == 0
    return project, clock.monotonic(), out.getvalue(), err.getvalue()


async def test_status_with_1000_creating_stays_within_the_budget() -> None:
    project, took, out, err = await status_of(1000, as_json=True)
    sent = project.started
    assert len(sent) == 1000  # every creation's progress, in the end...
    assert project.max_active <= MAX_CONCURRENCY  # ...never more than 4 at a time...
    for start in sent:  # ...and never more than the bucket holds: the burst, then 5 a second
        for span in (1, 10, 60):
            in_window = sum(start <= t < start + span for t in sent)
            assert in_window <= ONE_SHOT_BURST + ONE_SHOT_RATE * span
        if start >= sent[0] + 10:  # once the burst is spent: the steady rate
            assert sum(start <= t < start + 1 for t in sent) <= ONE_SHOT_RATE + 1
    expected = (1000 - ONE_SHOT_BURST) / ONE_SHOT_RATE
    assert expected <= took <= expected + 5
    assert "creation progress of 1000 instances: about 3m16s at 5 requests a second" in err
    assert out.count('"status": "creating"') == 1000


async def test_status_of_a_real_project_is_answered_at_once() -> None:
    _, took, _, err = await status_of(12, as_json=False)
    assert err == ""
    assert took <= 2 * LATENCY + 3 * LATENCY + 2 * STEP  # the list, then 12 progress 4 at a time


def test_the_tui_uses_the_same_limits() -> None:
    monitor = Monitor(SlowProject(FakeClock(), 0), FakeClock())
    assert monitor.max_concurrency == MAX_CONCURRENCY
    assert monitor.progress_budget == PROGRESS_RATE


def test_backoff_doubles_up_to_its_ceiling_and_waits_for_retry_after() -> None:
    assert [backoff(5, n, 20) for n in range(1, 6)] == [5, 10, 20, 20, 20]
    assert backoff(60, 3, 20) == 60  # a cadence above the ceiling stays the cadence
    assert backoff(10, 1, 20, retry_after=45) == 45
    assert backoff(10, 1, 20, retry_after=10**14) == 900  # an absurd Retry-After: 15 minutes
    assert backoff(10, 10_000, 300) == 300  # no overflow however long it fails
