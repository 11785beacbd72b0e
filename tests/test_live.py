"""The live monitor: snapshots, polling schedule, transitions, errors and backoff, staleness.

Runs against a small fake API (wire models built with their own `parse()`) on a FakeClock.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import FrozenInstanceError
from datetime import datetime, timedelta
from typing import Any, cast

import pytest

from roma_tui.api.client import RomaClient
from roma_tui.api.errors import ApiError, AuthError, NotFoundError, RomaError, TransportError
from roma_tui.api.models import CreationProgressResponse, InstanceListResponse
from roma_tui.clock import FakeClock
from roma_tui.monitor.budget import ONE_SHOT_BURST, ONE_SHOT_RATE
from roma_tui.monitor.domain import Status, SubState
from roma_tui.monitor.live import Job, Monitor, Transition
from roma_tui.monitor.snapshot import Feed, Snapshot
from roma_tui.monitor.view import InstanceView, instance_view
from roma_tui.simulator import SimulatorApp
from roma_tui.simulator.faults import Faults


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class FakeApi:
    """Answers like RomaClient, from dicts shaped as the API sends them."""

    endpoint = "https://roma.example.test"
    project_id = "0123456789abcdef0123456789abcdef"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.listed: dict[str, dict[str, Any]] = {}
        self.progress: dict[str, dict[str, Any]] = {}
        self.list_error: RomaError | None = None
        self.progress_errors: dict[str, RomaError] = {}
        self.calls: list[tuple[float, str, str | None]] = []
        self.active = 0
        self.max_active = 0

    def add(
        self,
        iid: str,
        status: str = "CREATING",
        progress: int = 40,
        *,
        started_ago: float = 600,
        name: str | None = None,
    ) -> None:
        now = self.clock.now()
        start = now - timedelta(seconds=started_ago)
        self.listed[iid] = {
            "id": iid,
            "name": name or f"roma-{iid}",
            "status": status,
            "flavor_type": "basic",
            "create_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "update_time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        self.set_progress(iid, status.lower(), progress, start=start)

    def set_progress(
        self,
        iid: str,
        status: str,
        progress: int,
        *,
        start: datetime | None = None,
        error: tuple[str, str] | None = None,
    ) -> None:
        prev = self.progress.get(iid, {})
        start_ms = ms(start) if start else prev.get("start_time", 0)
        finished = status.lower() in ("running", "create_failed")
        code, msg = error or ("", "")
        self.progress[iid] = {
            "instance_id": iid,
            "name": f"roma-{iid}",
            "status": status,
            "progress": progress,
            "start_time": start_ms,
            "end_time": ms(self.clock.now()) if finished else 0,
            "item": [
                {
                    "name": "mqs",
                    "status": "failed" if error else status,
                    "progress": progress,
                    "start_time": start_ms,
                    "end_time": 0,
                    "error_code": code,
                    "error_msg": msg,
                }
            ],
        }

    def set_list_status(self, iid: str, status: str) -> None:
        self.listed[iid]["status"] = status

    async def _busy(self) -> None:
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        for _ in range(3):
            await asyncio.sleep(0)
        self.active -= 1

    def elapsed(self) -> float:
        return self.clock.monotonic()

    async def list_instances(self, status: str | None = None) -> InstanceListResponse:
        self.calls.append((self.elapsed(), "list", None))
        await self._busy()
        if self.list_error is not None:
            raise self.list_error
        items = list(self.listed.values())
        return InstanceListResponse.parse(
            {"total": len(items), "size": len(items), "instances": items}
        )

    async def get_creation_progress(self, instance_id: str) -> CreationProgressResponse:
        self.calls.append((self.elapsed(), "progress", instance_id))
        await self._busy()
        if instance_id in self.progress_errors:
            raise self.progress_errors[instance_id]
        if instance_id not in self.progress:
            raise NotFoundError("No such instance.", status_code=404, error_code="ROMA.00110002")
        body = dict(self.progress[instance_id], currentTime=ms(self.clock.now()))
        return CreationProgressResponse.parse(body)

    def times(self, kind: str, iid: str | None = None) -> list[float]:
        return [t for t, k, i in self.calls if k == kind and i == iid]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api(clock: FakeClock) -> FakeApi:
    return FakeApi(clock)


async def drain(monitor: Monitor) -> list[Transition]:
    """Poll until nothing more is due now, as the TUI does on each tick (at most 4 polls)."""
    transitions: list[Transition] = []
    for _ in range(4):
        transitions += await monitor.poll_due()
        if not monitor.due():
            break
    return transitions


async def run_for(monitor: Monitor, clock: FakeClock, seconds: int) -> list[Transition]:
    """Tick the fake clock one second at a time, running whatever falls due."""
    transitions = await drain(monitor)
    for _ in range(seconds):
        clock.advance(1)
        transitions += await drain(monitor)
    return transitions


# --- snapshot -----------------------------------------------------------------------------


async def test_first_refresh_fills_the_snapshot(api: FakeApi, clock: FakeClock) -> None:
    api.add("a", "CREATING", 40)
    api.add("b", "RUNNING", 100)
    monitor = Monitor(api, clock)
    empty = monitor.snapshot
    assert empty.instances == () and empty.list_feed.updated is None
    assert not empty.list_feed.stale(clock.now(), monitor.interval)  # loading, not stale

    assert monitor.due() == [Job("instances")]
    assert await monitor.refresh_instances() == []
    snap = monitor.snapshot
    assert snap is not empty
    assert [i.id for i in snap.instances] == ["a", "b"]
    listed = snap.instance("a")
    assert listed is not None and listed.status is Status.CREATING
    assert snap.list_feed.updated == clock.now() and snap.list_feed.error is None
    # the creating instance's progress is due at once; the running one is not polled
    assert monitor.due() == [Job("progress", "a")]
    await monitor.poll_due()
    snap = monitor.snapshot
    assert snap.progress["a"].progress == 40
    assert snap.progress["a"].sub_services[0].name == "mqs"
    assert "b" not in snap.progress
    assert snap.progress_feeds["a"].updated == clock.now()


async def test_one_poll_fetches_the_list_and_then_what_it_made_due(
    api: FakeApi, clock: FakeClock
) -> None:
    api.add("a", "CREATING", 40)
    monitor = Monitor(api, clock, interval=10)
    await monitor.poll_due()  # the first load: the list alone, so that it can be shown
    assert [k for _, k, _ in api.calls] == ["list"]
    assert monitor.next_wakeup() == clock.now()
    await monitor.poll_due()
    assert [k for _, k, _ in api.calls] == ["list", "progress"]
    assert monitor.snapshot.progress["a"].progress == 40
    # later, a list that shows a new creating instance gets its progress in the same poll
    api.add("b", "CREATING", 10)
    clock.advance(10)
    await monitor.poll_due()
    assert api.calls[2:] == [(10, "list", None), (10, "progress", "a"), (10, "progress", "b")]


async def test_first_poll_with_a_selection_fetches_it_with_the_list(
    api: FakeApi, clock: FakeClock
) -> None:
    for n in range(300):
        api.add(f"i{n:03d}", "CREATING")
    monitor = Monitor(api, clock, interval=10)
    monitor.select("i150")  # remembered from the last session
    await monitor.poll_due()
    assert sorted(api.calls) == [(0, "list", None), (0, "progress", "i150")]
    await monitor.poll_due()  # then the others, within the budget
    assert len(api.calls) == 2 + monitor.burst == 7


async def test_snapshots_are_immutable_and_share_unchanged_instances(
    api: FakeApi, clock: FakeClock
) -> None:
    api.add("a", "CREATING")
    api.add("b", "RUNNING", 100)
    monitor = Monitor(api, clock)
    await monitor.refresh_instances()
    first = monitor.snapshot
    with pytest.raises(TypeError):
        cast(Any, first.progress)["x"] = None
    with pytest.raises(FrozenInstanceError):
        first.paused = True  # type: ignore[misc]
    api.set_list_status("a", "RUNNING")
    clock.advance(10)
    await monitor.refresh_instances()
    second = monitor.snapshot
    assert second.instances[1] is first.instances[1]  # unchanged: the same object
    assert second.instances[0] is not first.instances[0]
    clock.advance(10)
    await monitor.refresh_instances()  # nothing changed: the very same list
    assert monitor.snapshot.instances is second.instances
    assert monitor.snapshot.list_feed.updated == clock.now()
    assert first.instances[0].status is Status.CREATING  # the old snapshot did not change
    shown = instance_view(second, "a", clock.now())
    assert shown is not None and shown.status.status is Status.RUNNING


async def test_an_answer_that_says_nothing_new_publishes_nothing(
    api: FakeApi, clock: FakeClock
) -> None:
    api.add("a", "CREATING", 40)
    api.add("b", "CREATING", 40)
    monitor = Monitor(api, clock, interval=10)
    monitor.select("b")
    await monitor.refresh_instances()
    await monitor.refresh_progress("a")
    first = monitor.snapshot
    clock.advance(5)  # the server's clock moved; nothing else did
    await monitor.refresh_progress("a")
    assert monitor.snapshot is first  # nothing to show: no new snapshot
    assert monitor.progress_stale("a") is False  # the schedule knows it was answered
    api.set_progress("a", "creating", 45)
    clock.advance(5)
    await monitor.refresh_progress("a")
    assert monitor.snapshot is not first
    assert monitor.snapshot.progress["a"].progress == 45
    second = monitor.snapshot
    await monitor.refresh_progress("b")  # the selected one: always shown (its feed's time)
    assert monitor.snapshot is not second


async def test_only_the_selected_instances_json_is_kept(api: FakeApi, clock: FakeClock) -> None:
    for iid in ("a", "b", "c"):
        api.add(iid, "CREATING", 40)
    monitor = Monitor(api, clock, interval=10)
    await monitor.refresh_instances()
    monitor.select("a")
    for iid in ("a", "b", "c"):
        await monitor.refresh_progress(iid)
    raw = monitor.snapshot.selected_raw
    assert raw is not None and raw["instance_id"] == "a"
    assert not any(hasattr(p, "raw") for p in monitor.snapshot.progress.values())
    monitor.select("b")  # fetched, but while not selected: its JSON was not kept
    assert monitor.snapshot.selected_raw is None
    assert Job("progress", "b") not in monitor.due()
    monitor.want_raw()  # the raw view asks for it
    assert Job("progress", "b") in monitor.due()
    await monitor.refresh_progress("b")
    raw = monitor.snapshot.selected_raw
    assert raw is not None and raw["instance_id"] == "b"


# --- schedule -----------------------------------------------------------------------------


async def test_schedule_list_every_interval_creating_fast_finished_not_polled(
    api: FakeApi, clock: FakeClock
) -> None:
    api.add("a", "CREATING")
    api.add("b", "RUNNING", 100)
    api.add("c", "CREATE_FAILED", 60)
    monitor = Monitor(api, clock, interval=10)
    assert monitor.fast_interval == 5 and monitor.slow_interval == 60
    await run_for(monitor, clock, 60)
    assert api.times("list") == [0, 10, 20, 30, 40, 50, 60]
    assert api.times("progress", "a") == [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]
    assert api.times("progress", "b") == []
    assert api.times("progress", "c") == []
    assert monitor.progress_interval("a") == 5
    assert monitor.progress_interval("b") is None


async def test_selected_finished_instance_is_polled_slowly(api: FakeApi, clock: FakeClock) -> None:
    api.add("b", "RUNNING", 100)
    monitor = Monitor(api, clock, interval=10)
    await monitor.poll_due()
    assert monitor.due() == []
    monitor.select("b")
    assert monitor.snapshot.selected == "b"
    assert monitor.due() == [Job("progress", "b")]  # never fetched: at once
    api.calls.clear()
    await run_for(monitor, clock, 130)
    assert api.times("progress", "b") == [0, 60, 120]
    assert monitor.snapshot.progress["b"].status is Status.RUNNING
    monitor.select(None)
    api.calls.clear()
    await run_for(monitor, clock, 120)
    assert api.times("progress", "b") == []


async def test_minimum_fast_interval_and_next_wakeup(api: FakeApi, clock: FakeClock) -> None:
    api.add("a", "CREATING")
    monitor = Monitor(api, clock, interval=3)
    assert monitor.fast_interval == 2  # never faster than 2 s
    start = clock.now()
    assert monitor.next_wakeup() == start
    await drain(monitor)  # the list, then the progress of "a" it made due
    assert monitor.next_wakeup() == start + timedelta(seconds=2)


async def test_instance_starting_to_create_gets_polled(api: FakeApi, clock: FakeClock) -> None:
    monitor = Monitor(api, clock, interval=10)
    await run_for(monitor, clock, 15)
    assert api.times("progress", "new") == []
    api.add("new", "CREATING", 0, started_ago=0)
    await run_for(monitor, clock, 10)
    assert api.times("progress", "new") == [20, 25]


# --- transitions --------------------------------------------------------------------------


async def test_progress_first_transition_reported_once(api: FakeApi, clock: FakeClock) -> None:
    api.add("a", "CREATING", 90, name="orders")
    monitor = Monitor(api, clock, interval=10)
    assert await run_for(monitor, clock, 5) == []
    api.set_progress("a", "RUNNING", 100)  # the list still says CREATING
    transitions = await run_for(monitor, clock, 5)
    assert len(transitions) == 1
    t = transitions[0]
    assert (t.instance_id, t.name, t.old, t.new) == ("a", "orders", Status.CREATING, Status.RUNNING)
    view = instance_view(monitor.snapshot, "a", clock.now())
    assert view is not None and view.progress == 100
    assert view.status.status is Status.RUNNING  # before the list knows
    api.set_list_status("a", "RUNNING")
    assert await run_for(monitor, clock, 60) == []  # the list catching up is not news


async def test_list_first_failure_reported_once_and_details_fetched(
    api: FakeApi, clock: FakeClock
) -> None:
    api.add("a", "CREATING", 50)
    monitor = Monitor(api, clock, interval=10)
    await run_for(monitor, clock, 3)  # progress last fetched at t=0, next at t=5
    api.set_list_status("a", "CREATE_FAILED")
    api.set_progress("a", "CREATE_FAILED", 50, error=("ROMA.00110099", "mqs install failed"))
    # a list refresh now sees it first (the progress is not due yet)
    transitions = await monitor.refresh_instances()
    assert [(t.instance_id, t.old, t.new) for t in transitions] == [
        ("a", Status.CREATING, Status.FAILED)
    ]
    assert Job("progress", "a") in monitor.due()  # details of the failure fetched at once
    assert await monitor.poll_due() == []  # ... without a second report
    view = instance_view(monitor.snapshot, "a", clock.now())
    assert view is not None and view.reason is not None
    assert (view.reason.sub_service, view.reason.code) == ("mqs", "ROMA.00110099")
    assert await run_for(monitor, clock, 30) == []


async def test_no_transition_for_instances_already_finished(api: FakeApi, clock: FakeClock) -> None:
    api.add("b", "RUNNING", 100)
    api.add("c", "CREATE_FAILED", 60)
    monitor = Monitor(api, clock)
    monitor.select("b")
    assert await run_for(monitor, clock, 30) == []


async def test_transition_through_unknown_status(api: FakeApi, clock: FakeClock) -> None:
    api.add("a", "CREATING")
    monitor = Monitor(api, clock, interval=10)
    await monitor.refresh_instances()
    api.set_list_status("a", "SomethingNew")
    clock.advance(10)
    assert await monitor.refresh_instances() == []
    api.set_list_status("a", "Running")
    clock.advance(10)
    transitions = await monitor.refresh_instances()
    assert [(t.old, t.new) for t in transitions] == [(Status.UNKNOWN, Status.RUNNING)]


# --- errors, backoff, recovery ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        # transient: doubling up to two intervals, so it is back within two of the fault ending
        (503, [10, 20, 20, 20, 20, 20, 20]),
        # waiting will not fix it: from a minute up to five
        (400, [60, 120, 240, 300, 300, 300, 300]),
    ],
)
async def test_list_error_keeps_data_and_backs_off(
    api: FakeApi, clock: FakeClock, status: int, expected: list[float]
) -> None:
    api.add("a", "RUNNING", 100)
    monitor = Monitor(api, clock, interval=10)
    await monitor.refresh_instances()
    good = monitor.snapshot.instances
    api.list_error = ApiError("Server error.", status_code=status)
    waits = []
    for _ in range(7):
        clock.advance((monitor.snapshot.list_feed.next_due - clock.now()).total_seconds())
        assert await monitor.refresh_instances() == []  # never raises
        feed = monitor.snapshot.list_feed
        waits.append((feed.next_due - clock.now()).total_seconds())
    assert waits == expected
    snap = monitor.snapshot
    assert snap.instances == good  # last good data kept
    assert snap.list_feed.error is api.list_error
    assert snap.list_feed.failures == 7
    assert snap.list_feed.updated is not None


async def test_retry_after_is_a_minimum(api: FakeApi, clock: FakeClock) -> None:
    monitor = Monitor(api, clock, interval=10)
    api.list_error = ApiError("Throttled.", status_code=429, retry_after=45)
    await monitor.refresh_instances()
    assert monitor.snapshot.list_feed.next_due == clock.now() + timedelta(seconds=45)
    api.list_error = TransportError("Timed out.")
    await monitor.refresh_instances()  # second failure: 20 s
    assert monitor.snapshot.list_feed.next_due == clock.now() + timedelta(seconds=20)


async def test_recovery_resets_the_feed(api: FakeApi, clock: FakeClock) -> None:
    api.add("a", "CREATING")
    monitor = Monitor(api, clock, interval=10)
    api.list_error = TransportError("Connection refused.")
    await run_for(monitor, clock, 40)
    assert monitor.snapshot.list_feed.failures >= 2
    api.list_error = None
    monitor.refresh_now()
    await monitor.poll_due()
    feed = monitor.snapshot.list_feed
    assert feed == Feed(next_due=clock.now() + timedelta(seconds=10), updated=clock.now())
    assert [i.id for i in monitor.snapshot.instances] == ["a"]


async def test_progress_error_backs_off_and_not_found_is_slow(
    api: FakeApi, clock: FakeClock
) -> None:
    api.add("a", "CREATING", 40)
    api.add("b", "CREATING", 40)
    monitor = Monitor(api, clock, interval=10)
    await drain(monitor)
    api.progress_errors["a"] = ApiError("Bad gateway.", status_code=502)
    del api.progress["b"]
    clock.advance(5)
    await monitor.poll_due()
    feeds = monitor.snapshot.progress_feeds
    assert feeds["a"].failures == 1
    assert feeds["a"].next_due == clock.now() + timedelta(seconds=5)
    assert isinstance(feeds["b"].error, NotFoundError)
    assert feeds["b"].next_due == clock.now() + timedelta(minutes=5)
    assert monitor.snapshot.progress["a"].progress == 40  # last good data kept
    api.calls.clear()
    await run_for(monitor, clock, 120)
    assert api.times("progress", "b") == []  # not hammered
    assert len(api.times("progress", "a")) < 8  # 5, 10, 20, 40 ... not every 5 s


async def test_auth_failure_holds_every_feed(api: FakeApi, clock: FakeClock) -> None:
    api.add("a", "CREATING")
    monitor = Monitor(api, clock, interval=10)
    await monitor.poll_due()
    api.list_error = AuthError("The token must be updated.", status_code=401)
    api.progress_errors["a"] = api.list_error
    clock.advance(10)
    await monitor.poll_due()
    api.calls.clear()
    await run_for(monitor, clock, 59)
    assert api.calls == []  # a run of bad signatures would lock the key
    clock.advance(1)
    api.list_error = None
    api.progress_errors.clear()
    await monitor.poll_due()
    assert monitor.snapshot.list_feed.error is None


# --- staleness ----------------------------------------------------------------------------


def test_feed_staleness() -> None:
    t0 = FakeClock().now()
    fresh = Feed(next_due=t0, updated=t0)
    assert not fresh.stale(t0 + timedelta(seconds=20), 10)
    assert fresh.stale(t0 + timedelta(seconds=21), 10)
    assert fresh.age(t0 + timedelta(seconds=21)) == timedelta(seconds=21)
    assert not Feed(next_due=t0).stale(t0, 10)  # never tried yet: loading
    assert Feed(next_due=t0, error=TransportError("x"), failures=1).stale(t0, 10)
    assert Feed(next_due=t0).age(t0) is None


async def test_failing_list_goes_stale_after_two_intervals(api: FakeApi, clock: FakeClock) -> None:
    monitor = Monitor(api, clock, interval=10)
    await run_for(monitor, clock, 5)
    api.list_error = TransportError("Timed out.")
    await run_for(monitor, clock, 15)  # t=20: one failure, last success 20 s ago
    assert not monitor.list_stale()
    await run_for(monitor, clock, 1)
    assert monitor.list_stale()
    assert monitor.snapshot.list_feed.error is api.list_error


# --- pause, resume, refresh now -----------------------------------------------------------


async def test_pause_and_resume(api: FakeApi, clock: FakeClock) -> None:
    api.add("a", "CREATING")
    monitor = Monitor(api, clock, interval=10)
    await monitor.poll_due()
    monitor.pause()
    assert monitor.snapshot.paused
    api.calls.clear()
    await run_for(monitor, clock, 100)
    assert api.calls == []
    assert monitor.due() == []
    monitor.resume()
    assert not monitor.snapshot.paused
    assert set(monitor.due()) == {Job("instances"), Job("progress", "a")}
    clock.advance(1)  # everything is still due: it was made due at the resume
    assert len(monitor.due()) == 2


async def test_refresh_now_makes_everything_due(api: FakeApi, clock: FakeClock) -> None:
    api.add("a", "CREATING")
    monitor = Monitor(api, clock, interval=10)
    await drain(monitor)
    assert monitor.due() == []
    monitor.refresh_now()
    assert set(monitor.due()) == {Job("instances"), Job("progress", "a")}


# --- the shared budget of progress requests -----------------------------------------------


def shared_calls(api: FakeApi, selected: str | None = None) -> list[tuple[float, str]]:
    return [(t, i) for t, k, i in api.calls if k == "progress" and i is not None and i != selected]


async def test_a_few_creating_are_each_polled_at_the_fast_interval(
    api: FakeApi, clock: FakeClock
) -> None:
    for iid in ("a", "b", "c"):
        api.add(iid, "CREATING")
    monitor = Monitor(api, clock, interval=10)
    await run_for(monitor, clock, 60)
    fast = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]
    assert [api.times("progress", iid) for iid in ("a", "b", "c")] == [fast, fast, fast]
    assert monitor.shared_interval == monitor.fast_interval == 5


async def test_hundreds_creating_stay_within_the_budget_and_the_selected_stays_fast(
    api: FakeApi, clock: FakeClock
) -> None:
    for n in range(300):
        api.add(f"i{n:03d}", "CREATING")
    monitor = Monitor(api, clock, interval=10)  # budget: 1 progress request a second
    monitor.select("i299")
    await run_for(monitor, clock, 900)
    assert api.times("list") == list(range(0, 901, 10))  # every status, every interval
    assert api.times("progress", "i299") == list(range(0, 901, 5))
    assert monitor.progress_interval("i299") == 5
    assert monitor.progress_interval("i000") == monitor.shared_interval == 299
    others = [t for t, _ in shared_calls(api, "i299")]
    for start in range(0, 841):  # any minute: 60 requests at most, give or take the burst
        assert sum(start <= t < start + 60 for t in others) <= 60 + monitor.burst
    assert 850 <= len(others) <= 900 + monitor.burst  # on average one a second
    # fair: every instance got its turn, about every 299 s
    polled = {i for _, i in shared_calls(api, "i299")}
    assert polled == {f"i{n:03d}" for n in range(299)}
    gaps = [b - a for a, b in itertools.pairwise(api.times("progress", "i000"))]
    assert gaps and all(299 <= g <= 310 for g in gaps)
    assert not any(monitor.progress_stale(f"i{n:03d}") for n in range(300))


async def test_shared_requests_are_spread_out(api: FakeApi, clock: FakeClock) -> None:
    for n in range(300):
        api.add(f"i{n:03d}", "CREATING")
    monitor = Monitor(api, clock, interval=10)
    await run_for(monitor, clock, 120)
    per_second = Counter(t for t, _ in shared_calls(api))
    assert per_second[0] == monitor.burst == 5  # the first tick: the burst, not 300
    assert max(n for t, n in per_second.items() if t > 0) == 1  # then one a second
    assert monitor.next_wakeup() == clock.now() + timedelta(seconds=1)
    # a refresh or a resume makes everything due, but the budget still spreads it out
    api.calls.clear()
    monitor.refresh_now()
    assert len([j for j in monitor.due() if j.kind == "progress"]) <= monitor.burst
    await run_for(monitor, clock, 10)
    assert len(shared_calls(api)) <= monitor.burst + 10


async def test_the_end_of_a_creation_jumps_the_queue(api: FakeApi, clock: FakeClock) -> None:
    for n in range(300):
        api.add(f"i{n:03d}", "CREATING")
    monitor = Monitor(api, clock, interval=10)
    await run_for(monitor, clock, 25)
    assert api.times("progress", "i250") == []  # not its turn for minutes yet
    api.set_list_status("i250", "CREATE_FAILED")
    api.set_progress("i250", "CREATE_FAILED", 70, error=("ROMA.0042", "no quota"))
    transitions = await run_for(monitor, clock, 6)  # the list at t=30
    assert [(t.instance_id, t.new) for t in transitions] == [("i250", Status.FAILED)]
    # at once, with the list that saw it: the details of an end have a budget of their own
    assert api.times("progress", "i250") == [30]
    view = instance_view(monitor.snapshot, "i250", clock.now())
    assert view is not None and view.reason is not None
    failed = [s for s in view.sub_services if s.state is SubState.FAILED]
    assert failed[0].error_code == "ROMA.0042"


async def test_many_creations_ending_together_are_all_explained_within_a_minute(
    api: FakeApi, clock: FakeClock
) -> None:
    for n in range(300):
        api.add(f"i{n:03d}", "CREATING")
    monitor = Monitor(api, clock, interval=10)
    await run_for(monitor, clock, 25)
    ended = [f"i{n:03d}" for n in range(245)]
    for iid in ended:
        api.set_list_status(iid, "RUNNING")
        api.set_progress(iid, "RUNNING", 100)
    api.calls.clear()
    transitions = await run_for(monitor, clock, 60)  # the list sees them all at t=30
    assert {t.instance_id for t in transitions} == set(ended)
    fetched = {i: min(api.times("progress", i)) for i in ended}
    per_second = Counter(fetched.values())
    # a burst at once (and the one whose turn it was anyway), then a few a second
    assert ONE_SHOT_BURST <= per_second[30] <= ONE_SHOT_BURST + 1
    assert max(n for t, n in per_second.items() if t > 30) <= ONE_SHOT_RATE
    assert max(fetched.values()) - 30 <= 60, max(fetched.values())
    # meanwhile the creations still under way keep their one request a second
    still = [t for t, i in shared_calls(api) if i not in fetched]
    assert max(Counter(still).values()) <= 1 and len(still) >= 50


def test_the_budget_must_be_positive(api: FakeApi, clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="progress_budget"):
        Monitor(api, clock, progress_budget=0)


# --- concurrency, scale, vanishing instances ----------------------------------------------


async def test_bounded_concurrency(api: FakeApi, clock: FakeClock) -> None:
    for n in range(20):
        api.add(f"i{n}", "CREATING")
    monitor = Monitor(api, clock, max_concurrency=3, progress_budget=20)
    await monitor.refresh_instances()
    assert len(monitor.due()) == 20
    await monitor.poll_due()
    assert api.max_active == 3
    assert len(monitor.snapshot.progress) == 20


async def test_disappearing_instances_are_dropped(api: FakeApi, clock: FakeClock) -> None:
    api.add("a", "CREATING")
    api.add("b", "CREATING")
    monitor = Monitor(api, clock, interval=10)
    await monitor.poll_due()
    monitor.select("b")
    del api.listed["b"]
    del api.progress["b"]
    clock.advance(10)
    await monitor.poll_due()
    snap = monitor.snapshot
    assert [i.id for i in snap.instances] == ["a"]
    assert "b" not in snap.progress and "b" not in snap.progress_feeds
    assert snap.instance("b") is None
    api.calls.clear()
    await run_for(monitor, clock, 30)
    assert api.times("progress", "b") == []


async def test_two_thousand_instances(api: FakeApi, clock: FakeClock) -> None:
    for n in range(2000):
        api.add(f"inst-{n:04d}", "CREATING" if n % 100 == 0 else "RUNNING", 40)
    monitor = Monitor(api, clock, interval=10, max_concurrency=4)
    started = time.perf_counter()
    await monitor.refresh_instances()
    first = monitor.snapshot
    clock.advance(10)
    await monitor.refresh_instances()
    assert time.perf_counter() - started < 2.0
    second = monitor.snapshot
    assert len(second.instances) == 2000
    assert all(a is b for a, b in zip(first.instances, second.instances, strict=True))
    # only the creating ones have progress polled: 5 at once (the budget's burst) ...
    assert [j.instance_id for j in monitor.due()] == [f"inst-{n:04d}" for n in range(0, 500, 100)]
    await run_for(monitor, clock, 15)  # ... then one a second
    assert len(monitor.snapshot.progress) == 20


# --- ETA and elapsed, as the view model computes them from the monitor's snapshots ---------


async def test_eta_and_elapsed(api: FakeApi, clock: FakeClock) -> None:
    api.add("a", "CREATING", 50, started_ago=600)
    api.add("b", "RUNNING", 100, started_ago=1800)
    monitor = Monitor(api, clock)

    def view(iid: str) -> InstanceView:
        shown = instance_view(monitor.snapshot, iid, clock.now())
        assert shown is not None
        return shown

    await monitor.refresh_instances()
    assert view("a").eta is None  # no progress data yet
    assert view("a").elapsed == timedelta(minutes=10)  # from the creation time
    await monitor.refresh_progress("a")
    assert view("a").eta == timedelta(minutes=10)
    clock.advance(60)
    assert view("a").elapsed == timedelta(minutes=11)
    # 50 % was reached a minute ago (progress comes in steps): the ETA counts down, and the
    # range stretches to the rate as if 50 % were reached only now
    assert view("a").eta == timedelta(minutes=9)
    low, high = view("a").eta_low, view("a").eta_high
    assert low is not None and high is not None
    assert low < timedelta(minutes=9) and high >= timedelta(minutes=11)
    assert view("b").eta is None
    assert instance_view(monitor.snapshot, "nope", clock.now()) is None
    # finished: the total, not a clock that keeps running
    await monitor.refresh_progress("b")
    assert view("b").elapsed == timedelta(minutes=30)
    clock.advance(600)
    assert view("b").elapsed == timedelta(minutes=30)


async def test_eta_uses_the_servers_clock(api: FakeApi, clock: FakeClock) -> None:
    api.add("a", "CREATING", 50, started_ago=600)
    monitor = Monitor(api, clock)
    await monitor.refresh_instances()
    await monitor.refresh_progress("a")
    # five minutes later with no new answer: 50 % in 10 minutes, reached 5 minutes ago
    skewed = clock.now() + timedelta(minutes=5)
    later = instance_view(monitor.snapshot, "a", skewed)
    assert later is not None and later.eta == timedelta(minutes=5)
    now = instance_view(monitor.snapshot, "a", clock.now())
    assert now is not None and now.eta == timedelta(minutes=10)


# --- the run loop -------------------------------------------------------------------------


async def test_run_loop_polls_and_reports(api: FakeApi, clock: FakeClock) -> None:
    api.add("a", "CREATING", 90)
    monitor = Monitor(api, clock, interval=10)
    monitor.select("a")  # every answer about the selected instance is published
    seen: list[Transition] = []
    updates: list[Snapshot] = []

    ended_at: list[float] = []
    task: asyncio.Task[None]

    def on_update(snap: Snapshot, transitions: list[Transition]) -> None:
        updates.append(snap)
        seen.extend(transitions)
        if clock.monotonic() >= 12 and api.progress["a"]["status"] != "running":
            api.set_progress("a", "running", 100)
        if seen and not task.cancelling():
            ended_at.append(clock.monotonic())
            task.cancel()

    task = asyncio.create_task(monitor.run(on_update))
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=5)
    assert [(t.instance_id, t.new) for t in seen] == [("a", Status.RUNNING)]
    assert ended_at == [20]  # set running at 15, seen at the next poll: every 5 s
    assert updates[-1].progress["a"].status is Status.RUNNING


async def test_run_delivers_a_snapshot_published_while_it_slept(api: FakeApi) -> None:
    # selecting an instance whose progress is known makes nothing due: the snapshot that says
    # so must still reach the screen at once, not at the loop's next job
    clock = FakeClock(auto_advance=False)
    api.add("a", "RUNNING", 100)
    api.add("b", "RUNNING", 100)
    monitor = Monitor(api, clock, interval=10)
    updates: list[Snapshot] = []
    task = asyncio.create_task(monitor.run(lambda snap, _: updates.append(snap)))

    async def spin() -> None:
        for _ in range(50):
            await asyncio.sleep(0)

    try:
        for iid in ("a", "b", "a"):
            monitor.select(iid)
            await spin()
            assert monitor.sleeping
            assert updates[-1].selected == iid, iid
        assert api.times("progress", "a") == [0.0]  # known: not fetched again
    finally:
        task.cancel()


# --- against the simulator ----------------------------------------------------------------


async def test_monitor_on_the_simulator_sees_creations_end(
    sim_client: RomaClient, sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    monitor = Monitor(sim_client, fake_clock, interval=30)
    start = fake_clock.now()
    transitions: list[Transition] = []
    saw_error = False
    while (elapsed := fake_clock.now() - start) < timedelta(hours=1):
        outage = timedelta(minutes=2) <= elapsed < timedelta(minutes=4)
        if outage != bool(sim_app.faults.error_rate):
            sim_app.faults = Faults(error_rate=1.0) if outage else Faults()
        transitions += await monitor.poll_due()
        saw_error |= monitor.snapshot.list_feed.error is not None
        fake_clock.advance(max(1.0, (monitor.next_wakeup() - fake_clock.now()).total_seconds()))
    assert saw_error
    ended = {(t.name, t.new) for t in transitions}
    assert ("roma-2222", Status.RUNNING) in ended
    assert ("roma-billing", Status.FAILED) in ended
    assert len(transitions) == len({t.instance_id for t in transitions})  # each once
    billing = next(t for t in transitions if t.name == "roma-billing")
    snap = monitor.snapshot
    view = instance_view(snap, billing.instance_id, fake_clock.now())
    assert view is not None and view.reason is not None
    assert view.reason.sub_service == "fdi" and view.reason.code
    assert snap.list_feed.error is None and not monitor.list_stale()  # recovered
    assert any(i.name == "roma-new-order" for i in snap.instances)
