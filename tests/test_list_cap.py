"""A project with more instances than roma-tui lists: the screen and `status` say so.

The client stops at MAX_INSTANCES (5000) however many the server has (issue 12: 50 000
instances cost 570 MB and a second per key). What is not shown must not look like all there is:
the TUI's list title says "the first 5 000 of 50 000", `status` says it on stderr, and
`status --json` carries the server's count in `instances_total`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import httpx
import pytest
from helpers import screen_lines

from bench.cap import PROJECT
from bench.cap import client as huge_client
from roma_tui.api import client as client_module
from roma_tui.api.client import RomaClient
from roma_tui.api.limits import MAX_INSTANCES
from roma_tui.clock import FakeClock
from roma_tui.monitor.live import Monitor
from roma_tui.scripting import run_status
from roma_tui.tui.app import RomaApp, TuiOptions
from roma_tui.tui.screenshots import settle

TOTAL = 50_000


def client(clock: FakeClock) -> RomaClient:
    """50 000 running instances, paged honestly (bench/cap.py measures the same project)."""
    return huge_client(TOTAL, clock)


@pytest.fixture
def clock() -> Iterator[FakeClock]:
    yield FakeClock(auto_advance=False)


async def test_the_tui_says_it_shows_the_first_few(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the same rule at a lower limit, so the pilot's keys run fast (bench/cap.py measures the
    # TUI at the real limit)
    monkeypatch.setattr(client_module, "MAX_INSTANCES", 300)
    monitor = Monitor(client(clock), clock, interval=10)
    app = RomaApp(monitor, TuiOptions(endpoint_label="cap", bell=False, clock=clock))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert len(monitor.snapshot.instances) == 300
        assert "Instances (the first 300 of 50 000)" in "\n".join(screen_lines(app))
        await pilot.press("slash", *"roma-0000")  # roma-00000 ... roma-00009
        await pilot.pause()
        assert "Instances (10 of the first 300 of 50 000)" in "\n".join(screen_lines(app))
        await pilot.press("escape", "q")


@pytest.mark.parametrize("as_json", [False, True])
async def test_status_says_it_shows_the_first_5000(clock: FakeClock, as_json: bool) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = await run_status(
        client(clock), clock, [], as_json=as_json, status=None, out=out, err=err
    )
    assert code == 0
    assert (
        err.getvalue() == "note: showing the first 5 000 of 50 000 instances (roma-tui's limit)\n"
    )
    if as_json:
        document = json.loads(out.getvalue())
        assert document["instances_total"] == TOTAL
        assert len(document["instances"]) == MAX_INSTANCES
    else:
        assert out.getvalue().count("roma-") == MAX_INSTANCES


async def test_a_whole_list_says_nothing_of_the_kind(clock: FakeClock) -> None:
    def small(request: httpx.Request) -> httpx.Response:
        items = [{"id": "00000000-0000-4000-8000-000000000001", "name": "a", "status": "RUNNING"}]
        return httpx.Response(200, json={"total": 1, "size": 1, "instances": items})

    roma = RomaClient("http://127.0.0.1", PROJECT, None, transport=httpx.MockTransport(small))
    out, err = io.StringIO(), io.StringIO()
    await run_status(roma, clock, [], as_json=True, status=None, out=out, err=err)
    assert err.getvalue() == "" and json.loads(out.getvalue())["instances_total"] == 1
