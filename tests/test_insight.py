"""ETA, stalls and "usually" through the view model, and what `status` (table, detail, --json),
`wait` and the TUI's helpers make of them: one truth, shown alike everywhere."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

import jsonschema
from helpers import PLACE, USUAL, watched

from roma_tui.clock import FakeClock
from roma_tui.demo import DEMO_REGION, demo_history, simulator_client
from roma_tui.monitor.domain import CreationProgress, Status, SubService, SubState
from roma_tui.monitor.eta import Typical
from roma_tui.monitor.present import duration, eta_phrase, minutes, stall_phrase, usual_phrase
from roma_tui.monitor.snapshot import one_shot
from roma_tui.monitor.view import STALL_WATCHED, InstanceView, instance_view
from roma_tui.scripting import load_schema, run_status, run_wait
from roma_tui.scripting.document import instance_document
from roma_tui.scripting.render import detail_renderable, make_console
from roma_tui.simulator import SimulatorApp
from roma_tui.tui.insight import comparison_text, eta_text, stall_text
from roma_tui.tui.timeline import timeline

START = datetime(2025, 3, 6, 12, 0, tzinfo=UTC)
SEED_ID = "b037d389-62a4-464a-8461-c88797ad4f23"


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def progress(
    mqs: int, *, lvs_done: float | None = 420, fdi_started: float | None = None
) -> CreationProgress:
    subs = (
        SubService("lvs", Status.RUNNING, "running", 100, START, at(lvs_done or 420), None, None),
        SubService("mqs", Status.CREATING, "creating", mqs, at(240), None, None, None),
        SubService(
            "fdi",
            Status.CREATING,
            "creating",
            0,
            None if fdi_started is None else at(fdi_started),
            None,
            None,
            None,
        ),
    )
    return CreationProgress(
        "i-1",
        "roma-x",
        Status.CREATING,
        "creating",
        (100 + mqs) // 3,
        START,
        None,
        None,
        subs,
        None,
    )


def view_at(
    readings: list[tuple[float, CreationProgress]], now: float, typical: Typical | None = None
) -> InstanceView:
    trace = watched(readings, START)
    last = readings[-1][1]
    kinds = {"professional": typical} if typical is not None else {}
    snapshot = one_shot(PLACE, [], {"i-1": last}, at(readings[-1][0]), {"i-1": trace}, kinds)
    view = instance_view(snapshot, "i-1", at(now))
    assert view is not None
    return view


def typed(reading: CreationProgress) -> CreationProgress:
    from dataclasses import replace

    from roma_tui.monitor.domain import Instance

    embedded = Instance("i-1", "roma-x", Status.CREATING, "CREATING", type="professional")
    return replace(reading, instance=embedded)


def steady(until: float) -> list[tuple[float, CreationProgress]]:
    """mqs from 240 s at 1 % every 10.8 s (18 minutes), read every 10 s."""
    return [
        (float(t), typed(progress(max(0, int((t - 240) / 10.8)))))
        for t in range(240, int(until) + 1, 10)
    ]


# --- stalls: named, with what is usual -------------------------------------------------------


def test_a_stall_is_measured_against_the_usual_longest_still_stretch() -> None:
    readings = steady(600)  # then nothing moves
    quiet_for = timedelta(minutes=6)
    view = view_at(readings, 600 + quiet_for.total_seconds(), USUAL)
    assert view.stalled == quiet_for
    assert view.stall_usual == timedelta(minutes=2)
    assert view.eta is None  # a stalled creation has no honest ETA
    assert stall_phrase(view.stalled, view.stall_usual) == "no progress for 6 min, usually 2"
    # 4 minutes is less than 3 x the usual 2 (and the 5-minute floor): not a stall yet
    assert view_at(readings, 600 + 240, USUAL).stalled is None


def test_without_history_its_own_stretches_say_what_is_usual_else_half_an_hour() -> None:
    readings = steady(600)
    own = view_at(readings, 600 + 6 * 60)  # its longest still stretch so far was 20 s
    assert own.stalled == timedelta(minutes=6)
    assert own.stall_usual is not None and own.stall_usual <= timedelta(seconds=20)
    # a single sighting says nothing of what is usual: the old half-hour rule
    single = view_at(readings[-1:], 600 + 29 * 60)
    assert single.stalled is None
    single = view_at(readings[-1:], 600 + STALL_WATCHED.total_seconds())
    assert single.stalled == STALL_WATCHED and single.stall_usual is None


# --- what is usual ----------------------------------------------------------------------------


def test_how_it_compares_with_history_and_when_it_is_slower() -> None:
    view = view_at(steady(1080), 1080, USUAL)  # 18 minutes in
    assert view.usual is USUAL and not view.slower_than_usual
    assert view.eta is not None and view.eta_basis == "progress and history"
    text = comparison_text(view)
    assert text is not None
    assert text.plain == "18 min so far; professional in cn-north-4 usually takes 24 min, p90 31"
    late = view_at(steady(1080)[-1:], 32 * 60, USUAL)
    assert late.slower_than_usual
    late_text = comparison_text(late)
    assert late_text is not None and late_text.plain.endswith("slower than usual")
    assert view_at(steady(1080), 1080).usual is None  # no history: nothing to compare


def test_the_time_so_far_is_the_elapsed_time_shown() -> None:
    # 10m40s in: the list and the detail say "10m"; the comparison must not say "11 min"
    view = view_at(steady(640), 640, USUAL)
    assert duration(view.elapsed, coarse=True) == "10m"
    text = comparison_text(view)
    assert text is not None and text.plain.startswith("10 min so far;"), text.plain


def test_eta_phrases_agree_in_every_front_end() -> None:
    view = view_at(steady(1080), 1080, USUAL)
    phrase = eta_phrase(view.eta_at, view.eta, view.eta_low, view.eta_high)
    assert re.fullmatch(r"~\d\d:\d\d, \d+–\d+ min", phrase), phrase
    assert eta_text(view).plain == phrase
    sink = io.StringIO()
    make_console(sink, plain=True, width=100).print(detail_renderable(view, at(1080), plain=True))
    shown = sink.getvalue()
    assert f"ETA {phrase}" in shown
    assert "18 min so far; professional in cn-north-4 usually takes 24 min, p90 31" in shown
    document = instance_document(view)
    assert document["eta_seconds"] == round(view.eta.total_seconds())  # type: ignore[union-attr]
    assert document["eta_low_seconds"] <= document["eta_seconds"] <= document["eta_high_seconds"]
    assert document["eta_basis"] == "progress and history"
    assert document["usual"] == {
        "type": "professional",
        "region": "cn-north-4",
        "creations": 12,
        "median_seconds": 1440,
        "p90_seconds": 1860,
    }
    subs = {s["name"]: s for s in document["sub_services"]}
    assert subs["lvs"]["eta_seconds"] is None and subs["mqs"]["eta_seconds"] > 0
    assert subs["fdi"]["status"] == "waiting" and subs["fdi"]["eta_seconds"] > 0


def test_stall_lines_agree_in_every_front_end() -> None:
    view = view_at(steady(600), 600 + 6 * 60, USUAL)
    text = stall_text(view)
    assert text is not None and text.plain == "⚠ stalled: no progress for 6 min, usually 2"
    sink = io.StringIO()
    make_console(sink, plain=True, width=100).print(detail_renderable(view, at(960), plain=True))
    assert "stalled: no progress for 6 min, usually 2" in sink.getvalue()
    assert "ETA unknown" in sink.getvalue()
    document = instance_document(view)
    assert (document["stalled_seconds"], document["stall_usual_seconds"]) == (360, 120)
    assert document["eta_seconds"] is None and document["eta_low_seconds"] is None


def test_words_for_spans() -> None:
    assert minutes(timedelta(seconds=20)) == "<1 min"
    assert minutes(timedelta(minutes=18, seconds=29)) == "18 min"
    assert minutes(timedelta(minutes=125)) == "2h05m"
    assert (
        usual_phrase(
            timedelta(minutes=26), False, "basic", "demo", timedelta(minutes=20), timedelta(hours=2)
        )
        == "took 26 min; basic in demo usually takes 20 min, p90 2h00m"
    )
    far = eta_phrase(at(50000), timedelta(hours=13), timedelta(hours=12), timedelta(hours=15))
    assert far == "~03-07 01:53, 12h00m–15h00m"  # the date, when it is half a day away
    assert eta_phrase(None, None, None, None) == "—"


# --- the timeline ---------------------------------------------------------------------------------


def test_the_timeline_puts_every_sub_service_on_one_axis() -> None:
    view = view_at(steady(1080), 1080, USUAL)
    for width in (76, 48):
        text = timeline(view, width)
        lines = text.plain.splitlines()
        assert all(len(line) <= width for line in lines), width
        axis, lvs, mqs, fdi, legend = lines
        assert axis.split()[:2] == ["0", "5m"] or axis.split()[:2] == ["0", "10m"]
        assert lvs.split()[0] == "lvs" and lvs.endswith("7m00s")
        bar = lvs[6 : width - 8]
        assert bar.lstrip(" ·").startswith("█") and "░" not in bar  # done: solid, no rest
        assert "█" in mqs and "░" in mqs  # ran so far, then what is expected
        assert mqs.index("█") > lvs.index("█")  # it started later
        assert fdi.startswith("▸ fdi") and fdi.endswith("waiting")  # ends last, not started
        assert "◦" in fdi
        assert "now" in legend


def test_the_timeline_of_a_finished_creation_is_still() -> None:
    from dataclasses import replace

    view = view_at(steady(1080), 1080, USUAL)
    over = replace(view, ticking=False, eta=None)
    text = timeline(over, 60).plain
    assert "│" not in text.splitlines()[1]  # no "now" on a creation that is over
    assert SubState.WAITING in {s.state for s in over.sub_services}


# --- status, wait and the JSON schema, with the demo's history ----------------------------------


async def test_status_json_with_history_is_valid_and_says_what_is_usual(
    sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    fake_clock.advance(600)
    client = simulator_client(sim_app, clock=fake_clock)
    typical = demo_history(fake_clock).typical(DEMO_REGION)
    out, err = io.StringIO(), io.StringIO()
    code = await run_status(
        client, fake_clock, [], as_json=True, status=None, out=out, err=err, typical=typical
    )
    assert code == 0, err.getvalue()
    document = json.loads(out.getvalue())
    jsonschema.validate(document, load_schema(), cls=jsonschema.Draft202012Validator)
    by_name = {i["name"]: i for i in document["instances"]}
    staging = by_name["roma-staging"]
    assert staging["usual"]["type"] == "professional" and staging["usual"]["region"] == "demo"
    assert staging["eta_basis"] == "progress and history"
    assert staging["eta_low_seconds"] <= staging["eta_seconds"] <= staging["eta_high_seconds"]
    assert staging["eta_at"] is not None
    assert by_name["roma-billing"]["usual"] is None  # failed: nothing to compare
    assert by_name["roma-prod-beijing"]["usual"]["type"] == "enterprise"
    await client.aclose()


async def test_wait_prints_the_eta_and_what_is_usual_in_plain_lines(
    sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    from roma_tui.monitor.history import Recorder

    client = simulator_client(sim_app, clock=fake_clock)
    out, err = io.StringIO(), io.StringIO()
    recorder = Recorder(demo_history(fake_clock), DEMO_REGION)
    code = await run_wait(
        client, fake_clock, SEED_ID, timeout=3600, interval=10, out=out, err=err,
        is_tty=False, recorder=recorder,
    )  # fmt: skip
    assert code == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    usual = [line for line in lines if " usually: " in line]
    # said once, and once more when this one (30 minutes) went past the p90
    assert usual[0].endswith(" usually: basic in demo usually takes 19 min, p90 26")
    assert usual[1].endswith("basic in demo usually takes 19 min, p90 26; this one is slower")
    assert len(usual) == 2
    etas = [line for line in lines if re.search(r"Z ETA ~\d\d:\d\d, ", line)]
    assert 3 <= len(etas) < 60  # as it changes, not at every poll
    await client.aclose()
