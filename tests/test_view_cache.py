"""The memoised view model: the same view as `instance_view`, computed again only when an input
changed, or, for a creation in progress, when the time moved."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from helpers import NOW, PLACE

from roma_tui.monitor.domain import CreationProgress, Instance, Status
from roma_tui.monitor.snapshot import one_shot
from roma_tui.monitor.view import ViewCache, instance_view

CREATING = Instance("a", "roma-a", Status.CREATING, "CREATING", created=NOW - timedelta(minutes=9))
RUNNING = Instance("b", "roma-b", Status.RUNNING, "RUNNING", created=NOW - timedelta(days=3))


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
