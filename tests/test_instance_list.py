"""The instance list: keys (delivered in one read, as terminals do), a selection that keeps
its instance, columns that fit their values and the screen, rows that keep their meaning
under the cursor, and updates that repaint only what changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers import view_of
from rich.cells import cell_len
from rich.color import Color
from rich.segment import Segment
from rich.text import Text
from test_tui import started
from textual import events
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot
from textual.strip import Strip

from roma_tui.clock import FakeClock
from roma_tui.monitor import view as view_model
from roma_tui.monitor.domain import Instance, Status
from roma_tui.monitor.snapshot import Snapshot
from roma_tui.monitor.view import InstanceView
from roma_tui.simulator import SimulatorApp, create_app, default_scenario
from roma_tui.tui import instance_list
from roma_tui.tui.app import RomaApp, SnapshotChanged
from roma_tui.tui.instance_list import Column, InstanceList, fit_columns, row_cells
from roma_tui.tui.lines import changed_span
from roma_tui.tui.live_text import LiveText
from roma_tui.tui.screenshots import settle


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(auto_advance=False)


@pytest.fixture
async def pilot(
    sim_app: SimulatorApp, fake_clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Pilot[int]]:
    async with started(sim_app, fake_clock, tmp_path, (120, 40)) as pilot:
        yield pilot


def the_list(app: App[object]) -> InstanceList:
    return app.screen_stack[0].query_one(InstanceList)


def selected_name(app: App[object]) -> str:
    table = the_list(app)
    view = table.view(table.selected_id)
    assert view is not None
    return view.name


def names(app: App[object], ids: list[str] | None = None) -> list[str]:
    """The names of these rows (all of them by default), in the order shown."""
    table = the_list(app)
    return [v.name for v in map(table.view, table.ids if ids is None else ids) if v is not None]


async def keys_in_one_read(pilot: Pilot[int], *keys: str) -> None:
    """Keys as a terminal delivers them when they come fast (a paste, SSH batching): all of
    them queued before the app handles the first."""
    for key in keys:
        pilot.app.post_message(events.Key(key, key if len(key) == 1 else None))
    await settle(pilot)


# --- keys ----------------------------------------------------------------------------------


async def test_keys_in_one_read_move_as_many_rows(pilot: Pilot[int]) -> None:
    app = pilot.app
    shown = names(app)
    assert selected_name(app) == shown[0]
    await keys_in_one_read(pilot, "down", "down", "down", "down", "down")
    assert selected_name(app) == shown[5]
    await keys_in_one_read(pilot, "k", "k", "up")
    assert selected_name(app) == shown[2]
    await keys_in_one_read(pilot, "j", "j")
    assert selected_name(app) == shown[4]


async def test_first_last_and_pages(pilot: Pilot[int]) -> None:
    app = pilot.app
    shown = names(app)
    await keys_in_one_read(pilot, "G")
    assert selected_name(app) == shown[-1]
    await keys_in_one_read(pilot, "g")
    assert selected_name(app) == shown[0]
    await keys_in_one_read(pilot, "end")
    assert selected_name(app) == shown[-1]
    await keys_in_one_read(pilot, "home")
    assert selected_name(app) == shown[0]
    await pilot.resize_terminal(80, 16)  # a page of a few rows
    await settle(pilot)
    page = len(the_list(app).visible_ids())
    assert 1 < page < len(shown)
    await keys_in_one_read(pilot, "pagedown")
    assert selected_name(app) == shown[page]
    assert shown[page] in names(app, the_list(app).visible_ids())  # scrolled into view
    await keys_in_one_read(pilot, "pageup")
    assert selected_name(app) == shown[0]


async def test_the_detail_follows_the_selection(pilot: Pilot[int]) -> None:
    app = pilot.app
    await keys_in_one_read(pilot, "down", "down")
    header = app.screen_stack[0].query_one("#detail-header", LiveText)
    assert header.content.plain.startswith(names(app)[2])


# --- the selection keeps its instance -------------------------------------------------------


async def test_the_selection_stays_on_its_instance_through_sort_and_filter(
    pilot: Pilot[int],
) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp)
    assert app.select_by_name("roma-staging")
    await settle(pilot)
    await pilot.press("s")  # by status: the rows move
    await settle(pilot)
    assert names(app) != sorted(names(app), key=str.casefold)
    assert selected_name(app) == "roma-staging"
    await pilot.press("slash", *"staging", "enter")
    await settle(pilot)
    assert names(app) == ["roma-staging"] and selected_name(app) == "roma-staging"
    await pilot.press("escape")
    await settle(pilot)
    assert len(names(app)) == 12 and selected_name(app) == "roma-staging"
    await pilot.press("slash", *"prod")  # the selected instance is filtered out
    await settle(pilot)
    assert selected_name(app) in {"roma-prod-beijing", "roma-prod-shanghai"}


async def test_new_data_repaints_only_the_rows_it_changes(
    pilot: Pilot[int], fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = pilot.app
    assert isinstance(app, RomaApp) and app.monitor is not None
    table = the_list(app)
    updated: list[str] = []
    relisted: list[int] = []
    real_update, real_set = table.update_rows, table.set_rows

    def update_rows(views: list[InstanceView]) -> None:
        updated.extend(v.id for v in views)
        real_update(views)

    def set_rows(views: list[InstanceView]) -> None:
        relisted.append(len(views))
        real_set(views)

    monkeypatch.setattr(table, "update_rows", update_rows)
    monkeypatch.setattr(table, "set_rows", set_rows)
    computed: list[str] = []
    real_view = view_model.instance_view

    def instance_view(snapshot: Snapshot, instance_id: str, now: datetime) -> InstanceView | None:
        computed.append(instance_id)
        return real_view(snapshot, instance_id, now)

    monkeypatch.setattr(view_model, "instance_view", instance_view)  # what ViewCache calls
    before = app.monitor.snapshot
    fake_clock.advance(5)  # progress falls due; the list does not
    app.request_poll()
    await settle(pilot)
    after = app.monitor.snapshot
    changed = {iid for iid, p in after.progress.items() if before.progress.get(iid) is not p}
    assert changed  # some creations moved on
    assert after.instances is before.instances  # and the list was not fetched
    assert set(updated) <= changed  # only their rows (fewer when a view did not change)
    assert set(computed) <= changed  # only their views: the others' times wait for the tick
    assert not relisted  # sorted by name: no row moved, nothing was laid out again


# --- a widget alone -------------------------------------------------------------------------


class ListApp(App[None]):
    def __init__(self, views: list[InstanceView]) -> None:
        super().__init__()
        self.views = views

    def compose(self) -> ComposeResult:
        yield InstanceList()

    def on_mount(self) -> None:
        table = self.query_one(InstanceList)
        table.set_rows(self.views)
        table.focus()


def listed(name: str, status: Status, raw: str, progress: int | None = 40) -> InstanceView:
    inst = Instance(id=f"{name}-0000-1111", name=name, status=status, status_raw=raw)
    view = view_of(inst)
    return replace(view, progress=progress, elapsed=timedelta(minutes=12))


async def test_one_changed_value_repaints_only_its_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    views = [listed(f"roma-{n:02d}", Status.CREATING, "CREATING") for n in range(30)]
    app = ListApp(views)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(InstanceList)
        painted = table.paints
        repainted: list[Region] = []
        real_refresh = table.refresh

        def refresh(*regions: Region, **kwargs: bool) -> InstanceList:
            repainted.extend(regions or [table.region])
            return real_refresh(*regions, **kwargs)

        monkeypatch.setattr(table, "refresh", refresh)
        table.update_rows([replace(views[3], progress=41)])
        await pilot.pause()
        assert table.paints == painted + 1  # one row drawn again
        assert {(r.y, r.height) for r in repainted} == {(1 + 3, 1)}  # the 4th row, under the header
        # from the bar's last cell (an eighth more) to "40%" -> "41%": not the whole row
        ((width, _),) = {(r.width, r.x) for r in repainted}
        assert width < table.columns[-3].width
        repainted.clear()
        table.update_rows([replace(views[3], progress=41)])  # the same again
        assert repainted == []


@pytest.mark.parametrize(
    ("raw", "word"),
    [
        ("DELETE_FAILED", "delete failed"),
        ("UNREGISTERING", "unregistering"),
        ("INSTALLTIMEOUT", "inst. timeout"),
        ("Unhealthy", "unhealthy"),
    ],
)
def test_no_status_word_is_cut(raw: str, word: str) -> None:
    view = listed("roma-a", Status.ERROR, raw)
    view = replace(view, status=replace(view.status, word=word))
    long_ago = replace(view, elapsed=timedelta(days=633, hours=22))
    for width in (66, 77, 120):
        columns = fit_columns(width, 6, len(word) + 2, 5, len("633d22h"), 0)
        cells = {
            c.key: cell.plain.strip()
            for c, cell in zip(columns, row_cells(long_ago, columns), strict=True)
        }
        assert cells["status"].endswith(word)
        assert cells["elapsed"] == "633d22h"  # never cut into "633d2"


def test_names_of_30_characters_fit_beside_the_detail_at_120_columns() -> None:
    # 120 columns: the detail takes 50, the list's frame 2 and its scrollbar 1
    columns = {c.key: c for c in fit_columns(120 - 50 - 3, 30, 10, 5, 5, 5)}
    assert columns["name"].width >= 30
    assert columns["progress"].width >= 6 + 5
    stacked = {c.key: c for c in fit_columns(80 - 3, 30, 10, 5, 5, 5)}  # 80 columns
    assert stacked["name"].width >= 30 and "id" in stacked
    wide = {c.key: c for c in fit_columns(200 - 70 - 3, 30, 10, 5, 5, 5)}
    assert wide["progress"].width > columns["progress"].width  # bars grow on wide screens


async def test_a_long_name_reads_in_full_at_120_columns(
    fake_clock: FakeClock, tmp_path: Path
) -> None:
    scenario = default_scenario()
    long_name = "roma-analytics-platform-prod-1"  # 30 characters
    specs = [
        replace(s, name=long_name) if s.name == "roma-analytics" else s for s in scenario.instances
    ]
    sim = create_app(
        replace(scenario, instances=tuple(specs)),
        clock=fake_clock,
        speed=1.0,
        sleep=fake_clock.skip,
    )
    async with started(sim, fake_clock, tmp_path, (120, 40)) as pilot:
        app = pilot.app
        assert isinstance(app, RomaApp)
        table = the_list(app)
        iid = table.ids[names(app).index(long_name)]
        assert table.row_text(iid)["name"] == long_name


def _grey(color: Color | None) -> bool:
    assert color is not None and color.triplet is not None
    r, g, b = color.triplet
    return max(r, g, b) - min(r, g, b) <= 24


async def test_a_failed_row_under_the_cursor_stays_readable() -> None:
    views = [
        listed("roma-fine", Status.RUNNING, "RUNNING", 100),
        listed("roma-broken", Status.FAILED, "CREATE_FAILED"),
    ]
    app = ListApp(views)
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(InstanceList)
        table.select_id(views[1].id)
        await pilot.pause()
        strip = table.render_line(2)  # the header, the first row, then the cursor's
        assert strip.text.startswith("›roma-broken")
        name = next(s for s in strip if "roma-broken" in s.text)
        assert name.style is not None and name.style.color is not None
        red = name.style.color.get_truecolor()
        assert red.red > 2 * max(red.green, red.blue)  # still red, still bold
        assert name.style.bold
        assert _grey(name.style.bgcolor)  # on a neutral background, never red on blue


def test_deleting_is_calm_and_has_no_bar() -> None:
    view = listed("roma-going", Status.DELETING, "DELETING", 100)
    columns = fit_columns(77, 10)
    cells = {c.key: cell for c, cell in zip(columns, row_cells(view, columns), strict=True)}
    assert "█" not in cells["progress"].plain  # the creation's 100%, not a full bar
    assert cells["progress"].plain.strip() == "100%" and "dim" in str(cells["progress"].style)
    assert "red" not in str(cells["status"].style) and "red" not in str(cells["name"].style)


async def test_the_failure_reason_shows_at_80x24_without_scrolling(
    sim_app: SimulatorApp, fake_clock: FakeClock, tmp_path: Path
) -> None:
    async with started(sim_app, fake_clock, tmp_path, (80, 24)) as pilot:
        app = pilot.app
        assert isinstance(app, RomaApp)
        assert app.select_by_name("roma-billing")
        await settle(pilot)
        detail = app.screen_stack[0].query_one("#detail")
        header = app.screen_stack[0].query_one("#detail-header", LiveText)
        assert detail.scroll_offset.y == 0
        inside = detail.scrollable_content_region
        visible = [
            header.render_line(y).text
            for y in range(header.region.height)
            if header.region.y + y < inside.bottom
        ]
        shown = " ".join(line.strip() for line in visible)
        assert "creation failed" in shown and "insufficient ECS quota" in shown


def test_changed_span_is_from_the_first_to_the_last_cell_that_differs() -> None:
    def strip(text: str) -> Strip:
        return Strip([Segment(text)], cell_len(text))

    assert changed_span(strip("abc 40%"), strip("abc 40%")) is None
    assert changed_span(strip("abc 40%"), strip("abc 41%")) == (5, 6)
    # two changes far apart: one span (Textual sends a line from the widget's edge, per span)
    assert changed_span(strip("x" + " " * 20 + "1"), strip("y" + " " * 20 + "2")) == (0, 22)
    assert changed_span(strip("名字 1"), strip("名前 1")) == (2, 4)  # a wide character whole
    assert changed_span(None, strip("abc")) == (0, 3)


async def test_columns_follow_the_widest_value_as_rows_change() -> None:
    """Measured once per changed row (not every row again): a longer name widens its column at
    once, and the column narrows again when the rows are set without it."""
    views = [listed(f"roma-{n:02d}", Status.CREATING, "CREATING") for n in range(2000)]
    app = ListApp(views)
    async with app.run_test(size=(140, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(InstanceList)

        def name_width() -> int:
            return {c.key: c.width for c in table.columns}["name"]

        assert name_width() == len("roma-1999")
        longer = replace(views[1500], instance=replace(views[1500].instance, name="r" * 30))
        table.update_rows([longer])
        assert name_width() == 30  # a row off screen counts too
        table.update_rows([replace(longer, instance=replace(longer.instance, name="r" * 20))])
        assert name_width() == 30  # narrower values leave the columns until the rows are set
        table.set_rows([*views[:1500], longer, *views[1501:]])
        assert name_width() == 30
        table.set_rows(views[:1500] + views[1501:])  # the long one is gone
        assert name_width() == len("roma-1999")


async def test_a_view_that_shows_the_same_is_not_drawn_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each second the rows of creations get views with new times; while what they show (in
    minutes) stays the same, no row's text is even built."""
    views = [listed(f"roma-{n:02d}", Status.CREATING, "CREATING") for n in range(30)]
    app = ListApp(views)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(InstanceList)
        built: list[str] = []
        real_cells = instance_list.row_cells

        def row_cells(view: InstanceView, columns: tuple[Column, ...]) -> list[Text]:
            built.append(view.id)
            return real_cells(view, columns)

        monkeypatch.setattr(instance_list, "row_cells", row_cells)
        later = [replace(v, elapsed=timedelta(minutes=12, seconds=30)) for v in views[:5]]
        table.update_rows(later)  # 12m00s -> 12m30s: "12m" both
        await pilot.pause()
        assert built == []
        table.update_rows([replace(views[2], elapsed=timedelta(minutes=13))])
        await pilot.pause()
        assert built == [views[2].id]
        assert table.row_text(views[2].id)["elapsed"] == "13m"


async def test_a_new_snapshot_leaves_the_times_of_unchanged_views_to_the_tick(
    pilot: Pilot[int], fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot (a progress answer of another instance, a list with nothing new) computes no
    view whose inputs are the same, not even the selected one's: the next tick moves its times
    on, once a second whatever the number of answers."""
    app = pilot.app
    assert isinstance(app, RomaApp) and app.monitor is not None
    assert app.select_by_name("roma-2222")  # creating: its elapsed time counts seconds
    await settle(pilot)
    computed: list[str] = []
    real_view = view_model.instance_view

    def instance_view(snapshot: Snapshot, instance_id: str, now: datetime) -> InstanceView | None:
        computed.append(instance_id)
        return real_view(snapshot, instance_id, now)

    monkeypatch.setattr(view_model, "instance_view", instance_view)
    fake_clock.advance(1)
    app.post_message(SnapshotChanged(app.monitor.snapshot, []))
    await pilot.pause()
    assert computed == []
    app.tick()  # what the 1 s label timer does
    assert app.selected_id in computed
