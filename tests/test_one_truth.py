"""One truth: every wire situation the real API produces, and what every front end shows for it.

The `vocabulary` scenario has one instance per status and quirk (see its TOML). The table below
says, for each, the status, word, progress, time, reason, stall and `wait` exit code a user must
see; the same rows are checked against the TUI (row and detail pane, on the fake clock),
`status ID` (detail), `status --json` and `wait`. Then a property test drives random
snapshots through the view model and checks that the TUI row, the detail pane and the JSON
document agree field by field.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roma_tui.api.client import RomaClient
from roma_tui.clock import FakeClock
from roma_tui.demo import simulator_client
from roma_tui.monitor.domain import (
    WORDS,
    CreationProgress,
    Instance,
    Place,
    Status,
    SubService,
    lookup,
)
from roma_tui.monitor.live import Monitor
from roma_tui.monitor.present import duration, eta_phrase
from roma_tui.monitor.snapshot import one_shot
from roma_tui.monitor.view import instance_view
from roma_tui.scripting.document import instance_document
from roma_tui.scripting.status import run_status
from roma_tui.scripting.wait import run_wait
from roma_tui.simulator import SimulatorApp, create_app, scenario_from_spec
from roma_tui.tui.app import RomaApp, TuiOptions
from roma_tui.tui.instance_list import InstanceList, fit_columns, row_cells
from roma_tui.tui.live_text import LiveText
from roma_tui.tui.screenshots import settle
from roma_tui.tui.widgets import detail_header

START = datetime(2025, 3, 6, 12, 1, 43, tzinfo=UTC)


@dataclass(frozen=True)
class Shown:
    """What every front end must show for one instance of the vocabulary scenario."""

    name: str
    status: Status
    word: str
    progress: int | None
    elapsed: str  # as `duration` writes it; "—" when unknown
    ticking: bool  # the elapsed time grows with the clock
    reason: str | None  # part of the reason text
    stalled: bool
    wait_code: int  # `wait --timeout 30s`: 0 running, 1 ended badly, 2 still waiting


TABLE = (
    Shown("v-seed", Status.CREATING, "creating", 0, "30s", True, None, False, 2),
    Shown("v-error", Status.ERROR, "error", 100, "25m00s", False, None, False, 1),
    Shown("v-frozen", Status.FROZEN, "frozen", 100, "19m00s", False, None, False, 1),
    Shown("v-deleting", Status.DELETING, "deleting", 100, "19m00s", False, None, False, 1),
    Shown("v-deleted", Status.DELETED, "deleted", None, "—", False, None, False, 1),
    Shown("v-soft-deleted", Status.DELETED, "soft-deleted", None, "—", False, None, False, 1),
    Shown("v-delete-failed", Status.ERROR, "delete failed", 100, "19m00s", False, None, False, 1),
    Shown("v-updating", Status.CHANGING, "updating", 100, "19m00s", False, None, False, 2),
    Shown(
        "v-list-failed-first",
        Status.FAILED,
        "failed",
        86,  # the lagging document's progress
        "15m00s",  # its taken_time (whole minutes, rounded up): it never said when it ended
        False,
        "ROMA.00110500: Failed to create the LVS cluster",
        False,
        1,
    ),
    Shown(
        "v-message-only",
        Status.FAILED,
        "failed",
        50,
        "10m00s",
        False,
        "ROMA.00110016: EIP quota exceeded.",
        False,
        1,
    ),
    Shown(
        "v-taken-time-only",
        Status.FAILED,
        "failed",
        80,
        "20m00s",
        False,
        "mqs: ROMA.00110020: Failed to create the MQS cluster.",
        False,
        1,
    ),
    Shown("v-new-top-word", Status.CREATING, "creating", 70, "10m00s", True, None, False, 2),
    Shown("v-stuck", Status.CREATING, "creating", 0, "633d00h", True, None, True, 2),
)
IDS = {spec.name: spec.id for spec in scenario_from_spec("vocabulary").instances}  # name -> id


def make_sim(clock: FakeClock) -> SimulatorApp:
    return create_app(scenario_from_spec("vocabulary"), clock=clock, speed=1.0, sleep=clock.skip)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def client(clock: FakeClock) -> AsyncIterator[RomaClient]:
    async with simulator_client(make_sim(clock), clock=clock) as client:
        yield client


def test_the_table_covers_the_whole_scenario() -> None:
    assert {row.name for row in TABLE} == set(IDS)


# -- status --json and status ID ---------------------------------------------------------------


async def test_status_json_shows_the_table(client: RomaClient, clock: FakeClock) -> None:
    out, err = io.StringIO(), io.StringIO()
    ids = [IDS[row.name] for row in TABLE]
    await run_status(client, clock, ids, as_json=True, status=None, out=out, err=err)
    documents = {d["name"]: d for d in json.loads(out.getvalue())["instances"]}
    for row in TABLE:
        doc = documents[row.name]
        shown = (doc["status"], doc["status_word"], doc["progress"])
        assert shown == (row.status.value, row.word, row.progress), row.name
        seconds = doc["elapsed_seconds"]
        elapsed = "—" if seconds is None else duration(timedelta(seconds=seconds))
        assert elapsed == row.elapsed, row.name
        reason = ": ".join(
            p for p in (doc["failed_sub_service"], doc["error_code"], doc["error_msg"]) if p
        )
        assert (row.reason or "") in reason and bool(reason) == bool(row.reason), row.name
        assert (doc["stalled_seconds"] is not None) == row.stalled, row.name


async def test_status_detail_shows_the_table(client: RomaClient, clock: FakeClock) -> None:
    for row in TABLE:
        out, err = io.StringIO(), io.StringIO()
        await run_status(
            client, clock, [IDS[row.name]], as_json=False, status=None, out=out, err=err
        )
        text = " ".join(out.getvalue().split())
        percent = "" if row.progress is None else f" {row.progress}%"
        assert f", {row.word}{percent}" in text, (row.name, text)
        if row.elapsed != "—":
            assert f"{'elapsed' if row.ticking else 'took'} {row.elapsed}" in text, text
        if row.reason:
            assert row.reason in text, text
        assert ("stalled: no progress" in text) == row.stalled, text


# -- wait --------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", TABLE, ids=[row.name for row in TABLE])
async def test_wait_ends_as_the_table_says(
    row: Shown, client: RomaClient, clock: FakeClock
) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = await run_wait(
        client, clock, IDS[row.name], timeout=30, interval=10, out=out, err=err, is_tty=False
    )
    assert code == row.wait_code, err.getvalue()
    first = out.getvalue().splitlines()[0]
    percent = "" if row.progress is None else f" {row.progress}%"
    assert first.endswith(f" instance {row.name} {row.word}{percent}"), first
    if row.reason:
        assert row.reason in err.getvalue()
    if code == 1:
        assert row.word in err.getvalue() or "failed" in err.getvalue()


# -- the TUI -----------------------------------------------------------------------------------


def _text(app: RomaApp, selector: str) -> str:
    return app.screen_stack[0].query_one(selector, LiveText).content.plain


def _elapsed_in(header: str, row: Shown) -> str:
    return header.split(f"{'elapsed' if row.ticking else 'took'} ", 1)[1].split()[0]


async def test_the_tui_shows_the_table() -> None:
    clock = FakeClock(START, auto_advance=False)
    monitor = Monitor(simulator_client(make_sim(clock), clock=clock), clock, interval=10)
    app = RomaApp(monitor, TuiOptions(endpoint_label="sim", bell=False, clock=clock))
    async with app.run_test(size=(200, 60)) as pilot:

        async def show(row: Shown) -> tuple[dict[str, str], str]:
            assert app.select_by_name(row.name)
            await settle(pilot)
            table = app.screen_stack[0].query_one(InstanceList)
            cells = table.row_text(IDS[row.name])
            return cells, " ".join(_text(app, "#detail-header").split())

        await settle(pilot)
        elapsed: dict[str, str] = {}
        for row in TABLE:
            cells, header = await show(row)
            assert cells["status"].endswith(row.word), (row.name, cells)
            if row.progress is None:
                assert cells["progress"] == "—", cells
            else:
                assert cells["progress"].endswith(f"{row.progress}%"), cells
            elapsed[row.name] = _elapsed_in(header, row)
            assert elapsed[row.name] == _running(row.elapsed, row.ticking), header
            if row.reason:
                assert row.reason in header, header
            assert ("stalled" in header) == row.stalled, header
        # a minute later: only what is genuinely running has moved on (the lagging document
        # itself moves on, so its taken_time does)
        before = {row.name: elapsed_of(app, row) for row in TABLE}
        clock.advance(60)
        await settle(pilot)
        for row in (row for row in TABLE if row.name != "v-list-failed-first"):
            _, header = await show(row)
            shown = duration(elapsed_of(app, row), coarse=row.ticking)
            assert _elapsed_in(header, row) == shown, header
            moved = elapsed_of(app, row) != before[row.name]
            assert moved == (row.ticking and row.elapsed != "—"), (row.name, header)


def _running(exact: str, ticking: bool) -> str:
    """How the screen shows a time that still runs: in minutes (it changes once a minute,
    not every second); a time that no longer runs, exactly."""
    if not ticking or exact == "—":
        return exact
    seconds = 0
    for number, unit in re.findall(r"(\d+)([dhms])", exact):
        seconds += int(number) * {"d": 86400, "h": 3600, "m": 60, "s": 1}[unit]
    return duration(timedelta(seconds=seconds), coarse=True)


def elapsed_of(app: RomaApp, row: Shown) -> timedelta | None:
    """The elapsed time the screen shows for `row` now, exactly."""
    assert app.monitor is not None
    view = instance_view(app.monitor.snapshot, IDS[row.name], app.clock.now())
    assert view is not None
    return view.elapsed


# -- the property: the TUI row, the detail pane and the JSON document agree ----------------------

_RAW_WORDS = [*WORDS, "Hibernating", "", "creating", "RUNNING", "CreateFail"]
_TIMES = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=3 * 86400).map(lambda s: START - timedelta(seconds=s)),
)


@st.composite
def _instance(draw: st.DrawFn) -> Instance:
    raw = draw(st.sampled_from(_RAW_WORDS))
    return Instance(
        id="i-1",
        name=draw(st.text(min_size=1, max_size=40)),
        status=lookup(raw).status,
        status_raw=raw,
        type=draw(st.sampled_from([None, "basic", "platinum"])),
        created=draw(_TIMES),
        error_code=draw(st.sampled_from([None, "ROMA.1"])),
        error_msg=draw(st.sampled_from([None, "quota exceeded"])),
    )


@st.composite
def _sub(draw: st.DrawFn, name: str) -> SubService:
    raw = draw(st.sampled_from(["creating", "running", "create_failed", "waiting", "odd"]))
    started = draw(_TIMES)
    return SubService(
        name=name,
        status=lookup(raw).status,
        status_raw=raw,
        progress=draw(st.integers(0, 100)),
        started=started,
        finished=draw(st.one_of(st.none(), st.just(START))) if started else None,
        error_code=draw(st.sampled_from([None, "MQS.9"])),
        error_msg=None,
        taken_minutes=draw(st.one_of(st.none(), st.integers(1, 90))),
    )


@st.composite
def _progress(draw: st.DrawFn) -> CreationProgress:
    raw = draw(st.sampled_from(_RAW_WORDS))
    inner_raw = draw(st.sampled_from(_RAW_WORDS))
    inner = Instance(
        "i-1",
        "",
        lookup(inner_raw).status,
        inner_raw,
        error_msg=draw(st.sampled_from([None, "", "EIP quota exceeded"])) or None,
    )
    return CreationProgress(
        instance_id="i-1",
        name="n",
        status=lookup(raw).status,
        status_raw=raw,
        progress=draw(st.integers(0, 100)),
        started=draw(_TIMES),
        finished=draw(st.one_of(st.none(), st.just(START - timedelta(minutes=1)))),
        server_time=START,
        sub_services=tuple(draw(_sub(n)) for n in draw(st.sampled_from([(), ("lvs", "mqs")]))),
        instance=inner if draw(st.booleans()) else None,
        taken_minutes=draw(st.one_of(st.none(), st.integers(1, 120))),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    listed=st.one_of(st.none(), _instance()),
    progress=st.one_of(st.none(), _progress()),
    later=st.integers(0, 3600),
)
def test_row_detail_and_json_agree(
    listed: Instance | None, progress: CreationProgress | None, later: int
) -> None:
    if listed is None and progress is None:
        return
    snapshot = one_shot(
        Place("https://e", "p"),
        [listed] if listed else [],
        {"i-1": progress} if progress else {},
        START,
    )
    view = instance_view(snapshot, "i-1", START + timedelta(seconds=later))
    assert view is not None
    doc = instance_document(view)
    columns = fit_columns(120, 30, 15, 5, 7, 7)
    row = {c.key: t.plain.strip() for c, t in zip(columns, row_cells(view, columns), strict=True)}
    header = detail_header(view, 100).plain
    # the status: one word everywhere
    assert doc["status"] == view.status.status.value
    assert row["status"].endswith(doc["status_word"])
    assert doc["status_word"] in header.splitlines()[0]
    # the progress
    if doc["progress"] is None:
        assert row["progress"] == "—" and "progress —" in header
    else:
        assert row["progress"].endswith(f"{doc['progress']}%") and f"{doc['progress']}%" in header
    # the time: the JSON's seconds are what the detail shows
    seconds = doc["elapsed_seconds"]
    shown = "—" if seconds is None else duration(timedelta(seconds=seconds), coarse=view.ticking)
    assert (" " + shown) in header
    # the ETA only while creating, the reason only when there is one; the list's cell and the
    # detail's end and range are the JSON's
    if doc["eta_seconds"] is not None:
        left = timedelta(seconds=doc["eta_seconds"])
        phrase = eta_phrase(
            datetime.fromisoformat(doc["eta_at"]),
            left,
            timedelta(seconds=doc["eta_low_seconds"]),
            timedelta(seconds=doc["eta_high_seconds"]),
        )
        assert doc["status"] == "creating" and f"ETA {phrase}" in header
        assert row["eta"] == duration(left, coarse=True)
    if doc["error_msg"]:
        assert doc["error_msg"] in header
    # sub-services: one state each, the same in the JSON
    assert [s["status"] for s in doc["sub_services"]] == [s.state.value for s in view.sub_services]
    if doc["status"] != "creating":
        assert all(s["status"] != "creating" for s in doc["sub_services"])


def test_the_overview_counts_what_the_views_say() -> None:
    from roma_tui.monitor.view import overview

    now = START
    listed = [
        Instance("a", "a", Status.CREATING, "CREATING", created=now - timedelta(minutes=5)),
        Instance("b", "b", Status.RUNNING, "RUNNING"),
        Instance("c", "c", Status.ERROR, "ERROR"),
        Instance("d", "d", Status.FAILED, "CREATE_FAILED"),
    ]
    snapshot = one_shot(Place("https://e", "p"), listed, {}, now)
    views = [v for v in (instance_view(snapshot, i.id, now) for i in listed) if v is not None]
    seen = overview(views)
    assert seen.counts == {
        Status.CREATING: 1,
        Status.RUNNING: 1,
        Status.ERROR: 1,
        Status.FAILED: 1,
    }
    assert seen.creating_progress is None  # no progress known for the creating one
    assert seen.all_done_at is None and seen.stalled == 0
