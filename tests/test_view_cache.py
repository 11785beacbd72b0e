"""The memoised view model: the same view as `instance_view`, computed again only when an input
changed, or, for a creation in progress, when the time moved."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from helpers import NOW, PLACE
from hypothesis import given
from hypothesis import strategies as st

from roma_tui.monitor.domain import CreationProgress, Instance, Status
from roma_tui.monitor.snapshot import one_shot
from roma_tui.monitor.view import InstanceView, Tally, ViewCache, instance_view, overview

CREATING = Instance("a", "roma-a", Status.CREATING, "CREATING", created=NOW - timedelta(minutes=9))
RUNNING = Instance("b", "roma-b", Status.RUNNING, "RUNNING", created=NOW - timedelta(days=3))
FAILED = Instance("c", "roma-c", Status.FAILED, "CREATE_FAILED", created=NOW - timedelta(days=1))


def progress(percent: int) -> CreationProgress:
    return CreationProgress(
        instance_id="a",
        name="roma-a",
        status=Status.CREATING,
        status_raw="creating",
        progress=percent,
        started=NOW - timedelta(minutes=9),
        finished=None,
        server_time=NOW,
        sub_services=(),
        instance=None,
    )


def test_the_same_inputs_give_the_very_same_view() -> None:
    snapshot = one_shot(PLACE, [CREATING, RUNNING], {"a": progress(40)}, NOW)
    cache = ViewCache()
    first = cache.view(snapshot, "b", NOW)
    assert first == instance_view(snapshot, "b", NOW)  # what the view model says
    later = NOW + timedelta(hours=1)
    assert cache.view(snapshot, "b", later) is first  # running: time changes nothing
    creating = cache.view(snapshot, "a", NOW)
    assert cache.view(snapshot, "a", NOW) is creating
    moved_on = cache.view(snapshot, "a", later)  # creating: its elapsed time grew
    assert moved_on is not creating and moved_on == instance_view(snapshot, "a", later)
    assert cache.known(snapshot, "a", NOW + timedelta(hours=2)) is moved_on  # any time will do


def test_a_changed_input_gives_a_new_view() -> None:
    cache = ViewCache()
    before = one_shot(PLACE, [CREATING, RUNNING], {"a": progress(40)}, NOW)
    view_a, view_b = cache.view(before, "a", NOW), cache.view(before, "b", NOW)
    after = replace(
        before,
        progress={"a": progress(45)},
        progress_feeds=before.progress_feeds,
        traces=before.traces,
    )
    changed = cache.view(after, "a", NOW)
    assert changed is not view_a and changed is not None and changed.progress == 45
    assert cache.view(after, "b", NOW) is view_b  # its inputs are the same objects
    listed_again = one_shot(PLACE, [replace(RUNNING)], {}, NOW)  # equal, not identical
    assert cache.view(listed_again, "b", NOW) is view_b  # equal inputs: the same view


def test_forgotten_instances_are_dropped() -> None:
    snapshot = one_shot(PLACE, [CREATING, RUNNING], {}, NOW)
    cache = ViewCache()
    first = cache.view(snapshot, "b", NOW)
    cache.forget({"a"})
    again = cache.view(snapshot, "b", NOW)
    assert again == first and again is not first  # computed anew


def _pool() -> list[InstanceView]:
    """Views of every kind the header counts: creating with and without an ETA (and with
    different ones), running, failed."""
    views = []
    for percent, late in ((40, 0), (60, 5), (10, 30)):
        snapshot = one_shot(PLACE, [CREATING, RUNNING], {"a": progress(percent)}, NOW)
        views.append(instance_view(snapshot, "a", NOW + timedelta(minutes=late)))
    bare = one_shot(PLACE, [CREATING, RUNNING, FAILED], {}, NOW)
    views += [instance_view(bare, iid, NOW) for iid in ("a", "b", "c")]  # "a": no progress
    return [v for v in views if v is not None]


POOL = _pool()


@given(st.lists(st.tuples(st.sampled_from("pqrstu"), st.integers(-1, len(POOL) - 1))))
def test_a_tally_is_the_overview_of_the_views_it_was_given(
    steps: list[tuple[str, int]],
) -> None:
    assert {v.status.status for v in POOL} == {Status.CREATING, Status.RUNNING, Status.FAILED}
    assert len({v.eta_at for v in POOL}) > 2  # several ETAs, and none
    tally = Tally()
    views: dict[str, InstanceView] = {}
    assert tally.overview() == overview([])
    for iid, which in steps:
        view = POOL[which] if which >= 0 else None
        tally.set(iid, view)
        if view is None:
            views.pop(iid, None)
        else:
            views[iid] = view
        assert tally.overview() == overview(views.values())
