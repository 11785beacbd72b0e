"""When creations end: one toast per refresh, at most one bell, desktop notifications."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import view_of
from textual.widgets._toast import Toast

from roma_tui.clock import FakeClock
from roma_tui.demo import simulator_client
from roma_tui.monitor.domain import Instance
from roma_tui.monitor.live import Monitor
from roma_tui.simulator import create_app
from roma_tui.simulator.scenario import parse_scenario
from roma_tui.tui.app import RomaApp, TuiOptions
from roma_tui.tui.notices import Notice, desktop_sequence, summarise, terminal_kind
from roma_tui.tui.screenshots import settle


def test_one_summary_for_many_endings() -> None:
    from dataclasses import replace

    from roma_tui.monitor.domain import lookup

    def view(name: str, raw: str, error: str | None = None) -> Any:
        inst = Instance(f"id-{name}", name, lookup(raw).status, raw, error_msg=error)
        return view_of(inst)

    views = [view(f"ok-{i}", "RUNNING") for i in range(244)]
    views.append(view("roma-billing", "CREATE_FAILED", "EIP quota exceeded"))
    notice = summarise(views)
    assert notice is not None
    assert notice.severity == "error" and notice.title == "Creation failed"
    assert notice.message == "244 finished, 1 failed: roma-billing — EIP quota exceeded"
    calm = summarise(views[:3])
    assert calm == Notice("Creation finished", "3 finished: ok-0, ok-1, ok-2", "information")
    odd = summarise([view("a", "ERROR"), view("b", "RUNNING")])
    assert odd is not None and odd.severity == "warning"
    assert odd.message == "1 finished, 1 error: a: running abnormally"
    assert summarise([]) is None
    two = summarise([view("x", "CREATE_FAILED"), view("y", "CreateFail")])
    assert two is not None and two.message == "2 failed: x, y"
    mixed = summarise([view("x", "CREATE_FAILED"), view("y", "CreateFail"), view("z", "ERROR")])
    assert mixed is not None
    assert mixed.message == "2 failed, 1 error\nfailed: x, y\nz: running abnormally"
    assert replace(two, title="t").title == "t"


def test_desktop_sequences_per_terminal_and_through_tmux() -> None:
    notice = Notice("Creation failed", "1 failed: a;b — \x1b]52;c;x\x07 quota", "error")
    assert terminal_kind({"TERM_PROGRAM": "iTerm.app"}) == "osc9"
    assert terminal_kind({"TERM": "xterm-kitty"}) == "osc99"
    assert terminal_kind({"TERM": "foot"}) == "osc777"
    osc777 = desktop_sequence(notice, "osc777")
    assert osc777.startswith("\x1b]777;notify;Creation failed;1 failed: a,b")
    assert osc777.count("\x1b") == 1 and osc777.endswith("\x07")  # nothing from the text acts
    assert desktop_sequence(notice, "osc9").startswith("\x1b]9;Creation failed: 1 failed")
    assert "\x1b]99;i=roma:d=0;Creation failed\x1b\\" in desktop_sequence(notice, "osc99")
    wrapped = desktop_sequence(notice, "osc9", tmux=True)
    assert wrapped.startswith("\x1bPtmux;\x1b\x1b]9;") and wrapped.endswith("\x1b\\")


def _many_ending_together(n: int) -> Any:
    instances = [
        {
            "id": f"00000000-0000-4000-8000-{i:012d}",
            "name": f"batch-{i:03d}" if i else "计费服务-生产",  # a CJK name among them
            "type": "basic",
            "created": -60,
            "sub_services": [
                {
                    "name": "lvs",
                    "start": 0,
                    "duration": 120,
                    **(
                        {"fail_after": 90, "error_code": "ROMA.7", "error_msg": "EIP 配额不足"}
                        if i == 0
                        else {}
                    ),
                }
            ],
        }
        for i in range(n)
    ]
    return parse_scenario({"scenario": {"name": "batch"}, "instances": instances})


async def test_many_creations_ending_together_make_one_toast_and_one_bell() -> None:
    clock = FakeClock(auto_advance=False)
    sim = create_app(_many_ending_together(40), clock=clock, speed=1.0, sleep=clock.skip)
    monitor = Monitor(simulator_client(sim, clock=clock), clock, interval=10)
    desktop: list[Notice] = []
    options = TuiOptions(endpoint_label="sim", bell=True, clock=clock, desktop=desktop.append)
    app = RomaApp(monitor, options)
    bells: list[int] = []
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
        await settle(pilot)
        assert not app.screen.query(Toast)
        clock.advance(90)  # all of them end (one fails) before the next list refresh
        await settle(pilot)
        await pilot.pause()  # the toast rack shows what was notified
        toasts = list(app.screen.query(Toast))
        assert len(toasts) == 1 and len(bells) == 1 and len(desktop) == 1
        text = str(toasts[0].render())
        said = " ".join(text.split())
        assert "39 finished, 1 failed: 计费服务-生产 — " in said  # the CJK name, whole
        assert "ROMA.7: EIP 配额不足" in said  # and the reason
        clock.advance(60)  # nothing new ends: nothing more is said
        await settle(pilot)
        assert len(bells) == 1 and len(desktop) == 1


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_toast_never_covers_the_selected_instances_bars(size: tuple[int, int]) -> None:
    clock = FakeClock(auto_advance=False)
    sim = create_app(_many_ending_together(3), clock=clock, speed=1.0, sleep=clock.skip)
    monitor = Monitor(simulator_client(sim, clock=clock), clock, interval=10)
    app = RomaApp(monitor, TuiOptions(endpoint_label="sim", bell=False, clock=clock))
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        clock.advance(90)
        await settle(pilot)
        await pilot.pause(0.3)  # the toast's own layout
        (toast,) = app.screen.query(Toast)
        bars = app.screen.query_one("#detail-subs").region
        assert not toast.region.overlaps(bars), (toast.region, bars)
