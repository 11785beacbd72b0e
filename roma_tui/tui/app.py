"""The Textual application: instance list, detail pane, status line, keys, live refresh.

One long-lived worker runs the monitor's loop (`Monitor.run`: the schedule, backoff and
budget are the monitor's alone) and posts a `SnapshotChanged` message whenever the snapshot
changes; the app renders each new snapshot through the view model (roma_tui.monitor.view) and
keeps no scheduling of its own. Views are memoised per instance (`ViewCache`): a new snapshot
recomputes only the instances whose inputs changed, and repaints only their rows. A 1 s timer
only refreshes what shows the passing of time (the elapsed time and ETA of creations in
progress, on screen only, in minutes; staleness). No exception from the worker or the timer
may end the app: each becomes a line in the UI.
Imports textual, rich, roma_tui.monitor and roma_tui.clock; never httpx.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from roma_tui.api.errors import ApiError
from roma_tui.clock import Clock, SystemClock
from roma_tui.monitor.domain import Place, Status
from roma_tui.monitor.present import first_of
from roma_tui.tui.error_log import ErrorLog
from roma_tui.tui.header import ContextHeader, context_parts, standing
from roma_tui.tui.instance_list import InstanceList
from roma_tui.tui.live_text import LiveText
from roma_tui.tui.notices import Notice, summarise
from roma_tui.tui.render import clean, duration, when
from roma_tui.tui.screens import HelpScreen, ProblemScreen, RawScreen, SecretScreen
from roma_tui.tui.signals import ExitOnSignal
from roma_tui.tui.state import SORTS, UiState, load_state, save_state, sort_arrow
from roma_tui.tui.widgets import DetailPane, feed_text, ticking

if TYPE_CHECKING:
    from roma_tui.monitor.live import Monitor, Transition
    from roma_tui.monitor.snapshot import Feed, Snapshot
    from roma_tui.monitor.view import InstanceView, Tally, ViewCache

__all__ = ["RomaApp", "SnapshotChanged", "Started", "TuiOptions", "run_tui"]

log = logging.getLogger("roma_tui.tui")

_STATUS_ORDER = {
    Status.FAILED: 0,
    Status.ERROR: 1,
    Status.CREATING: 2,
    Status.FROZEN: 3,
    Status.CHANGING: 4,
    Status.DELETING: 5,
    Status.UNKNOWN: 6,
    Status.RUNNING: 7,
    Status.DELETED: 8,
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAIN_ACTIONS = frozenset(
    {
        "help",
        "filter",
        "cycle_sort",
        "refresh",
        "pause",
        "resume",
        "copy_id",
        "raw",
        "errors",
        "focus_detail",
        "history",
        "toggle_timeline",
    }
)


@dataclass(frozen=True, slots=True)
class TuiOptions:
    """How the TUI was started; everything shown in the status line comes from here."""

    endpoint_label: str  # shown in the header; "" when it is the region's default endpoint
    profile: str | None = None
    region: str | None = None
    auth_description: str = ""
    interval: float = 10.0
    bell: bool = True
    mouse: bool = True
    state_dir: Path | None = None
    clock: Clock = field(default_factory=SystemClock)
    desktop: Callable[[Notice], None] | None = None  # --notify: desktop notifications


@dataclass(frozen=True, slots=True)
class Started:
    """What the start-up worked out behind the first frame: what to monitor and how it was
    started, or the problem that keeps it from starting (`monitor` None); and the warnings
    the configuration raised, shown as notifications."""

    monitor: Monitor | None
    options: TuiOptions
    problem: str | None = None
    warnings: tuple[str, ...] = ()


Ask = Callable[[str], str]  # asks the person at the screen for a secret: the IAM password
Start = Callable[[Ask], Started]


class SnapshotChanged(Message):
    """The monitor published a new snapshot. A newer one pending in the queue makes this one
    moot: the app then skips it, and the newer one carries its transitions along."""

    def __init__(self, snapshot: Snapshot, transitions: list[Transition]) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.transitions = transitions

    def can_replace(self, message: Message) -> bool:
        if isinstance(message, SnapshotChanged):
            message.transitions = self.transitions + message.transitions
            return True
        return False


def _settle_memory() -> None:
    """Once the first list is on screen: what exists now (modules, Textual, the app) lives as
    long as the process, so the garbage collector stops scanning it. A full collection of those
    half a million objects stalled the event loop for 60-80 ms every few minutes. (Not sooner:
    this one collection takes as long, and would hold up the first list's request.)"""
    gc.collect()
    gc.freeze()


def _sort_key(sort: str, view: InstanceView) -> tuple[Any, ...]:
    name = (view.instance.name or "").casefold()
    if sort == "status":
        return (_STATUS_ORDER[view.status.status], name)
    if sort == "progress":
        pct = view.progress
        return (pct is None, pct or 0, name)
    if sort == "created":
        created = view.created or _EPOCH
        return (-created.timestamp(), name)
    return (name, view.id)


def _matches(view: InstanceView, needle: str) -> bool:
    status = view.status
    hay = f"{view.name}\n{view.id}\n{status.status.value}\n{status.word}\n{status.raw}"
    return needle in hay.casefold()


class MainScreen(Screen[None]):
    """The list, the detail and the status line. Its keys only exist on this screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: handled as the key arrives, before the keys read with it are routed, so
        # they land in the filter box (see action_filter)
        Binding("slash", "app.filter", "Filter", priority=True),
        Binding("s", "app.cycle_sort", "Sort"),
        Binding("S", "app.reverse_sort", "Reverse sort", show=False),
        Binding("r", "app.refresh", "Refresh"),
        Binding("p", "app.pause", "Pause"),
        Binding("p", "app.resume", "Resume"),  # one of the two is shown: check_action
        Binding("c", "app.copy_id", "Copy"),
        Binding("v", "app.raw", "Raw"),
        Binding("e", "app.errors", "Errors"),
        Binding("t", "app.toggle_timeline", "Timeline", show=False),
        Binding("h", "app.history", "History", show=False),
        Binding("escape", "app.back", "Back", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield ContextHeader(id="context")
        with Vertical(id="body"):
            with Vertical(id="list-pane"):
                yield Input(placeholder="filter by name, id or status", id="filter")
                yield Static(id="list-empty")
                yield InstanceList(id="instances")
            yield DetailPane(id="detail")
        yield LiveText(id="status")  # where, how fresh, what is wrong: one line
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        app = self.app
        if isinstance(app, RomaApp):
            self._set_breakpoint(app.size.width)
            app.main_ready()

    def _set_breakpoint(self, width: int) -> None:
        """The width's breakpoint class (-narrow, -wide, -huge) before the first frame, so that
        frame is laid out as it stays: Textual sets it on the first resize, after that frame,
        and the screen would be laid out and sent again."""
        breakpoints = RomaApp.HORIZONTAL_BREAKPOINTS
        reached = [name for least, name in breakpoints if width >= least]
        self.update_classes({name: name == reached[-1] for _, name in breakpoints}, animate=False)


class RomaApp(App[int]):
    """roma-tui. `monitor` is None only together with a `problem` to explain."""

    CSS_PATH = str(Path(__file__).with_name("app.tcss"))
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-narrow"),
        (120, "-wide"),
        (160, "-huge"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        # what every terminal program does; ctrl+q too, as in every Textual app
        Binding("ctrl+c,ctrl+q", "quit", "Quit", show=False, priority=True),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(
        self,
        monitor: Monitor | None,
        options: TuiOptions,
        problem: str | None = None,
        *,
        start: Start | None = None,
    ) -> None:
        """Either what to monitor (or the `problem` instead), or how to `start`: then the
        screen is drawn at once, and `start` works out the rest in a thread behind it (it
        reads the configuration, may ask IAM for the project and loads the HTTP client)."""
        super().__init__()
        self.title = "roma-tui"
        if monitor is None and problem is None and start is None:
            problem = "Nothing to monitor: no connection was configured."
        self.monitor = monitor
        self.options = options
        self.problem = problem
        self._start = start
        self.clock: Clock = options.clock
        self._adopt_place(monitor.place if monitor is not None else Place("", ""))
        self.errors = ErrorLog()
        self._views: dict[str, InstanceView] = {}  # every instance's view, as last computed
        self._order: list[str] = []  # the listed ids, in the API's order
        self._internal_error: str | None = None
        self._timer: Timer | None = None
        self._last_snapshot: Snapshot | None = None
        self._paused_at: datetime | None = None
        self._memory_settled = False
        self._title: str | None = None

    # --- setup ---------------------------------------------------------------------------

    def _adopt_place(self, place: Place) -> None:
        """What is watched: the sort, filter and selection remembered for it."""
        self.place = place
        state = load_state(self.options.state_dir, place)
        self.sort = state.sort
        self.sort_reverse = state.reverse
        self._wanted_selection = state.selected
        self._saved = state
        self.filter_text = state.filter

    @cached_property
    def _cache(self) -> ViewCache:
        """The views, memoised per instance (the view model loads once there is data)."""
        from roma_tui.monitor.view import ViewCache

        return ViewCache()

    @cached_property
    def _tally(self) -> Tally:
        """The header's overview of `_views`, kept up to date with it."""
        from roma_tui.monitor.view import Tally

        return Tally()

    @property
    def starting(self) -> bool:
        """The screen is up and `start` is still working out what to monitor."""
        return self._start is not None

    def get_default_screen(self) -> Screen[Any]:
        if self.monitor is None and not self.starting:
            return ProblemScreen(self.problem or "")
        return MainScreen(id="main")

    def main_ready(self) -> None:
        """The main screen is composed: first render, the monitor's loop, a 1 s label timer.
        When starting, the empty screen first, and the start-up behind it."""
        if self.starting:
            self._table.focus()
            self._show_starting()
            self.call_after_refresh(self._begin_start)
            return
        if self.monitor is None or self._timer is not None:
            return
        self._table.focus()
        if self.filter_text:  # the filter remembered for this place
            box = self._filter
            box.value = self.filter_text
            box.display = True
        self._update_titles()
        self._render_all()
        self._run_monitor()
        self._timer = self.set_interval(1.0, self.tick)

    def _show_starting(self) -> None:
        self._main.query_one("#list-pane", Vertical).border_title = Text("Instances")
        box = self._main.query_one("#list-empty", Static)
        box.update(Text("Reading the configuration…", style="dim italic"))
        box.display = True
        self._status.update(Text("… starting", style="dim", end=""))

    def _begin_start(self) -> None:
        threading.Thread(target=self._start_in_thread, name="roma-tui start", daemon=True).start()

    def _start_in_thread(self) -> None:
        """Runs `start` away from the event loop (its imports and its IAM request would stall
        the screen), then hands the outcome to the loop. A daemon thread: quitting meanwhile
        does not wait for it."""
        start = self._start
        assert start is not None
        try:
            started = start(self._ask_secret)
        except Exception as exc:  # an outcome all the same: a problem screen, not a hang
            log.exception("start-up failed")
            problem = f"internal error: {type(exc).__name__}: {clean(exc, 120)}"
            started = Started(None, self.options, problem)
        try:
            self.call_from_thread(self._started, started)
        except RuntimeError:  # the app ended meanwhile
            log.debug("start-up finished after the app ended")

    def _ask_secret(self, prompt: str) -> str:
        """For the start-up thread: the answer to `prompt`, typed on the screen into a
        password field ("" when cancelled). Blocks the thread, never the loop."""
        answered = threading.Event()
        answer: list[str] = []

        def done(value: str | None) -> None:
            answer.append(value or "")
            answered.set()

        self.call_from_thread(self.push_screen, SecretScreen(prompt), done)
        answered.wait()
        return answer[0]

    def _started(self, started: Started) -> None:
        """The start-up's outcome: the monitor starts, or the problem replaces the screen."""
        if not self.is_running:
            return  # the user quit meanwhile
        self._start = None
        self.options = started.options
        for warning in started.warnings:
            self.notify(warning, title="Configuration", severity="warning", timeout=15)
        if started.monitor is None:
            self.problem = started.problem or "Nothing to monitor: no connection was configured."
            self.refresh_bindings()
            self.push_screen(ProblemScreen(self.problem))
            return
        self.monitor = started.monitor
        self._adopt_place(started.monitor.place)
        self.refresh_bindings()
        self.main_ready()

    @property
    def _main(self) -> Screen[Any]:
        return self.screen_stack[0]

    @property
    def _table(self) -> InstanceList:
        return self.screen_stack[0].query_one(InstanceList)

    @property
    def _detail(self) -> DetailPane:
        return self.screen_stack[0].query_one(DetailPane)

    @property
    def _status(self) -> LiveText:
        return self.screen_stack[0].query_one("#status", LiveText)

    @property
    def _filter(self) -> Input:
        return self.screen_stack[0].query_one("#filter", Input)

    @property
    def interval(self) -> float:
        return self.monitor.interval if self.monitor is not None else self.options.interval

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.monitor is None:
            if action not in _MAIN_ACTIONS:
                return True
            return None if self.starting else False  # while starting: shown, not yet usable
        if action in ("pause", "resume"):  # `p` says what it will do: Pause, or Resume
            return self.monitor.paused == (action == "resume")
        return True

    # --- the monitor's loop --------------------------------------------------------------

    @property
    def settled(self) -> bool:
        """The monitor waits for its next job and the screen shows its latest snapshot."""
        monitor = self.monitor
        if monitor is None:
            return not self.starting
        return monitor.sleeping and self._last_snapshot is monitor.snapshot

    @property
    def selected_id(self) -> str | None:
        """The id of the instance under the cursor."""
        return None if self.monitor is None else self._table.selected_id

    def request_poll(self) -> None:
        """Make the monitor look at its schedule now (a test moved the clock)."""
        if self.monitor is not None:
            self.monitor.wake()

    def select_by_name(self, name: str) -> bool:
        """Move the cursor to the first instance with this name."""
        for view in self._views.values():
            if view.name == name:
                return self._table.select_id(view.id)
        return False

    @work(exclusive=True, group="monitor", exit_on_error=False)
    async def _run_monitor(self) -> None:
        monitor = self.monitor
        assert monitor is not None
        await monitor.run(
            lambda snapshot, transitions: self.post_message(SnapshotChanged(snapshot, transitions))
        )

    @on(SnapshotChanged)
    def _snapshot_changed(self, message: SnapshotChanged) -> None:
        self._internal_error = None
        self._safe_render()
        self._announce(message.transitions)

    def _announce(self, transitions: list[Transition]) -> None:
        """One toast, at most one bell (and one desktop notification) per refresh, whatever
        the number of creations that ended in it."""
        ended = [self._views[t.instance_id] for t in transitions if t.instance_id in self._views]
        notice = summarise(ended)
        if notice is None:
            return
        timeout = 20 if notice.severity == "error" else 8
        self.notify(
            notice.message,
            title=notice.title,
            severity=notice.severity,
            timeout=timeout,
            markup=False,
        )
        if self.options.bell:
            self.bell()
        if self.options.desktop is not None:
            self.options.desktop(notice)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Textual's notification, safe for outside text: each line cleaned, and never parsed
        as markup (whatever `markup` says), so a name like `[@click=app.quit]x` is only text."""
        shown = "\n".join(clean(line) for line in message.split("\n"))
        super().notify(shown, title=clean(title), severity=severity, timeout=timeout, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            log.error("worker %s failed", event.worker.name, exc_info=error)
            self._internal_error = f"internal error: {type(error).__name__}: {clean(error, 120)}"
            self._safe_render()

    def _now(self) -> datetime:
        """The time the screen shows data for: while paused, the moment of the pause (so a
        paused screen is still: no age, elapsed time or ETA moves on)."""
        if self.monitor is not None and self.monitor.paused:
            if self._paused_at is None:
                self._paused_at = self.clock.now()
            return self._paused_at
        self._paused_at = None
        return self.clock.now()

    def tick(self) -> None:
        """Once a second: refresh the time-dependent labels (nothing at all while paused).

        The widgets compare what they would show with what they show and repaint only what
        changed.
        """
        try:
            monitor = self.monitor
            if monitor is None or monitor.paused:
                return
            self._render_live()
        except Exception as exc:  # a timer exception would end the app
            log.exception("tick failed")
            self._internal_error = f"internal error: {type(exc).__name__}: {clean(exc, 120)}"

    def _safe_render(self) -> None:
        if not self.is_running:
            return  # quitting: the screen's widgets may be gone already (see _row_highlighted)
        try:
            self._render_all()
        except Exception:
            log.exception("render failed")

    # --- rendering -----------------------------------------------------------------------

    def _refresh_views(
        self, snapshot: Snapshot, previous: Snapshot | None, now: datetime
    ) -> list[InstanceView]:
        """Bring `_views` up to `snapshot`; the views that changed. Only an instance whose
        inputs changed gets a new view (a progress answer: one); the time-dependent part of
        the others is refreshed by `tick`, for the rows on screen."""
        if (
            previous is not None
            and snapshot.instances is previous.instances
            and snapshot.typical is previous.typical
        ):
            # the same list: only a progress feed (and what came with it) can have changed
            before = previous.progress_feeds
            ids = [
                iid for iid, feed in snapshot.progress_feeds.items() if before.get(iid) is not feed
            ]
            full = False
        else:
            ids = [inst.id for inst in snapshot.instances]
            full = True
        selected = snapshot.selected
        if selected is not None and selected not in snapshot.by_id:
            ids.append(selected)  # shown in the detail while the list does not have it (yet)
        old = self._views
        views = {} if full else dict(old)
        changed: list[InstanceView] = []
        tally = self._tally
        for iid in ids:
            view = self._cache.known(snapshot, iid, now)
            if view is None:
                if views.pop(iid, None) is not None:
                    tally.set(iid, None)
                continue
            views[iid] = view
            if old.get(iid) is not view:
                changed.append(view)
                tally.set(iid, view)
        if full and views.keys() != old.keys():
            self._cache.forget(views)
            for gone in old.keys() - views.keys():
                tally.set(gone, None)
        self._views = views
        self._order = [inst.id for inst in snapshot.instances]
        return changed

    def _visible(self) -> list[InstanceView]:
        needle = self._needle
        views = [
            self._views[iid]
            for iid in self._order
            if iid in self._views and (not needle or _matches(self._views[iid], needle))
        ]
        views.sort(key=lambda v: _sort_key(self.sort, v), reverse=self.sort_reverse)
        return views

    @property
    def _needle(self) -> str:
        return self.filter_text.strip().casefold()

    def _relist(self) -> None:
        """Filter and sort every view into the list (after a sort, a filter, new instances)."""
        self._table.set_rows(self._visible())
        self._update_titles()

    def _moves(self, changed: list[InstanceView], old: dict[str, InstanceView]) -> bool:
        """Whether these changes move rows: a new or vanished instance, another sort key, or
        another answer to the filter."""
        if self._views.keys() != old.keys():
            return True
        needle = self._needle
        for view in changed:
            before = old[view.id]
            if _sort_key(self.sort, before) != _sort_key(self.sort, view):
                return True
            if needle and _matches(before, needle) != _matches(view, needle):
                return True
        return False

    def _render_all(self) -> None:
        """After a new snapshot: the views that changed, their rows, the detail and the status
        line. A progress answer repaints one row; a list with nothing new, none."""
        monitor = self.monitor
        if monitor is None:
            return
        now = self._now()
        snapshot = monitor.snapshot
        previous = self._last_snapshot
        self._last_snapshot = snapshot
        old = self._views
        changed = self._refresh_views(snapshot, previous, now)
        table = self._table
        if previous is None or self._moves(changed, old):
            self._relist()
        elif changed:
            table.update_rows(changed)
        if self._wanted_selection is not None and snapshot.list_feed.updated is not None:
            wanted, self._wanted_selection = self._wanted_selection, None
            table.select_id(wanted)
        # a new selection (the rows moved, the remembered one came) says so itself
        # (InstanceList.Highlighted); the detail follows below, in _render_live
        if changed or previous is None:
            self._update_titles()  # the counts in the header
        self._show_list_state(snapshot)
        self._log_errors(snapshot, previous, now)
        self._fill_raw_screen(snapshot)
        self._render_live(now, rows=False)
        if not self._memory_settled and snapshot.list_feed.updated is not None:
            self._memory_settled = True
            self.call_after_refresh(_settle_memory)

    def _log_errors(self, snapshot: Snapshot, previous: Snapshot | None, now: datetime) -> None:
        """Each new error of a feed goes to the error log (`e` shows it)."""
        self.errors.observe("list", snapshot.list_feed.error, now)
        before = previous.progress_feeds if previous is not None else {}
        for iid, feed in snapshot.progress_feeds.items():
            if before.get(iid) is feed:
                continue  # the same feed: the same error, or none
            view = self._views.get(iid)
            name = view.name if view is not None and view.name else iid
            self.errors.observe(f"progress {name}", feed.error, now)

    def _render_live(self, now: datetime | None = None, *, rows: bool = True) -> None:
        """The time-dependent part: rows on screen whose creation is in progress, the detail,
        the status line. Each shows the same text most seconds, and then repaints nothing.
        `rows`: the views on screen are computed again at `now` (the tick); after a new
        snapshot (False) they were just brought up to date, and the others wait for the tick."""
        monitor = self.monitor
        if monitor is None:
            return
        now = now or self._now()
        snapshot = monitor.snapshot
        if snapshot is not self._last_snapshot:
            self._render_all()
            return
        if rows:
            self._retime(self._table.visible_ids(), now)
        self._show_detail(now, retime=rows)
        self._status.update(self._status_text(now))
        self._main.set_class(monitor.list_stale(now), "-stale")

    def _retime(self, ids: Iterable[str], now: datetime) -> None:
        """The views at `now` of these instances, where they count time; their rows follow."""
        monitor = self.monitor
        assert monitor is not None
        fresh = []
        for iid in ids:
            view = self._views.get(iid)
            if view is not None and ticking(view):
                new = self._cache.view(monitor.snapshot, iid, now)
                if new is not None and new is not view:
                    self._views[iid] = new
                    self._tally.set(iid, new)
                    fresh.append(new)
        if fresh:
            self._table.update_rows(fresh)

    def _show_detail(self, now: datetime, *, retime: bool = True) -> None:
        """The selected instance's view in the detail; `retime`: at `now` (else as last
        computed: after a new snapshot, its times move on with the next tick)."""
        monitor = self.monitor
        selected = self._table.selected_id
        if retime and monitor is not None and selected is not None:
            self._retime([selected], now)
        view = self._views.get(selected) if selected else None
        self._detail.show(view, progress_note=self._progress_note(selected, now))

    def _progress_note(self, instance_id: str | None, now: datetime) -> Text | None:
        monitor = self.monitor
        if monitor is None or instance_id is None:
            return None
        feed = monitor.snapshot.progress_feeds.get(instance_id)
        if feed is None:
            return None
        stale = monitor.progress_stale(instance_id, now)
        waiting = monitor.waiting(instance_id, now)
        if feed.error is None and not stale and waiting is None:
            return None
        return feed_text(
            "progress",
            feed.updated,
            feed.error.message if feed.error is not None else None,
            feed.next_due if feed.error is not None else None,
            now,
            stale,
            frozen=monitor.paused,
            waiting=waiting,
        )

    def _status_text(self, now: datetime) -> Text:
        monitor = self.monitor
        assert monitor is not None
        snapshot = monitor.snapshot
        feed = snapshot.list_feed
        text = Text(end="", no_wrap=False)
        if self._internal_error:
            text.append("✖ ", style="bold red")
            text.append(self._internal_error + "  ", style="red")
        if snapshot.paused:
            text.append("⏸ paused", style="bold reverse")
        elif feed.error is not None:
            text.append("✖ failing", style="bold red")
        elif monitor.waiting(None, now) is not None:
            text.append("⏳ slow", style="bold yellow")
        elif monitor.list_stale(now):
            text.append("⚠ stale", style="bold yellow")
        elif feed.updated is None:
            text.append("… connecting", style="dim")
        else:
            text.append("● live", style="green")
        # While the data is live, "● live" says all (the frame says how often it is polled): a
        # time that changes with every poll would be sent over SSH for nothing. Otherwise,
        # what time the data is from, and why it is not newer.
        paused = snapshot.paused
        list_stale = monitor.list_stale(now)
        waiting = monitor.waiting(None, now)
        if paused or feed.error is not None or list_stale or waiting is not None:
            text.append("  ")
            text.append_text(self._feed_part("list", feed, now, list_stale, paused, waiting))
        selected = self._table.selected_id
        pfeed = snapshot.progress_feeds.get(selected) if selected is not None else None
        if selected is not None and pfeed is not None:
            stale = monitor.progress_stale(selected, now)
            waiting = monitor.waiting(selected, now)
            if paused or pfeed.error is not None or stale or waiting is not None:
                text.append("  ")
                text.append_text(self._feed_part("progress", pfeed, now, stale, paused, waiting))
        return text

    @staticmethod
    def _feed_part(
        label: str,
        feed: Feed,
        now: datetime,
        stale: bool,
        frozen: bool,
        waiting: timedelta | None,
    ) -> Text:
        return feed_text(
            label,
            feed.updated,
            feed.error.message if feed.error is not None else None,
            feed.next_due if feed.error is not None else None,
            now,
            stale,
            compact=True,
            frozen=frozen,
            waiting=waiting,
        )

    def _update_titles(self) -> None:
        """The list's title (count, sort, filter) and the context line above everything."""
        if self.monitor is None:
            return
        table = self._table
        total = len(self._order)
        shown = table.row_count
        cut = self.monitor.snapshot.cut  # the server has more than roma-tui lists
        held = first_of(*cut) if cut is not None else f"{total}"
        count = f"{shown} of {held}" if self.filter_text else held
        arrow = sort_arrow(self.sort, self.sort_reverse)
        title = f"Instances ({count}) · sort: {self.sort} {arrow}"
        table.show_sort(self.sort, arrow)
        if self.filter_text:
            title += f" · filter: {clean(self.filter_text, 20)}"
        # setting a border title repaints the whole pane, whether the text changed or not
        if self._title != title:
            self._title = title
            pane = self._main.query_one("#list-pane", Vertical)
            pane.border_title = Text(title)  # a Text: never parsed as markup
        context = context_parts(
            profile=self.options.profile,
            region=self.options.region,
            project_id=self.place.project_id,
            auth=self.options.auth_description,
            endpoint=self.options.endpoint_label,
            interval=duration(timedelta(seconds=self.interval)),
        )
        self._main.query_one(ContextHeader).show(context, standing(self._tally.overview()))

    def _show_list_state(self, snapshot: Snapshot) -> None:
        """When there is no row to show, say why instead of an empty list: loading, the
        error that keeps the list away (authentication failed: what to check, when the next
        try is), an empty project, or a filter that matches nothing."""
        feed = snapshot.list_feed
        message: Text | None = None
        if self._table.row_count == 0:
            if feed.error is not None and feed.updated is None:
                message = self._list_problem(feed)
            elif feed.updated is None:
                message = Text("Loading the instance list…", style="dim italic")
            elif self._order:
                message = Text(
                    f"No instance matches the filter {clean(self.filter_text, 40)!r} "
                    "(esc clears it).",
                    style="dim italic",
                )
            else:
                message = Text(
                    "No instances in this project "
                    f"({clean(self.place.project_id)[:8]} at {clean(self.place.endpoint, 60)}).",
                    style="dim italic",
                )
        box = self._main.query_one("#list-empty", Static)
        box.display = message is not None
        if message is not None:
            box.update(message)

    def _list_problem(self, feed: Feed) -> Text:
        error = feed.error
        assert error is not None
        auth = isinstance(error, ApiError) and error.auth_failed
        text = Text(end="")
        headline = "Authentication failed" if auth else "The instance list cannot be read"
        text.append(f"✖ {headline}\n", style="bold red")
        text.append(clean(error.message) + "\n", style="red")
        if auth:
            text.append(
                f"Check the credentials ({clean(self.options.auth_description, 40)}) and the "
                "project id: `roma-tui config` shows what is used and where it came from.\n"
            )
        wait = max(feed.next_due - self._now(), timedelta(0))
        text.append(
            f"Next try at {when(feed.next_due, date=False)} (in {duration(wait)}); r tries now.",
            style="dim",
        )
        return text

    # --- selection -----------------------------------------------------------------------

    @on(InstanceList.Highlighted, "#instances")
    def _row_highlighted(self, event: InstanceList.Highlighted) -> None:
        # a snapshot or a selection can still be in the queue while the app quits: Textual has
        # removed the screen's widgets by then, and there is nothing to show it on
        if self.is_running:
            self._selection_changed()

    def _selection_changed(self) -> None:
        monitor = self.monitor
        if monitor is None:
            return
        selected = self._table.selected_id
        if selected is not None:
            monitor.select(selected)  # wakes the loop when its progress is due at once
            self._remember(selected=selected)
        self._show_detail(self._now())

    def _remember(self, *, selected: str | None = None) -> None:
        state = UiState(
            selected=selected or self._saved.selected,
            sort=self.sort,
            filter=self.filter_text,
            reverse=self.sort_reverse,
        )
        if state != self._saved:
            self._saved = state
            save_state(self.options.state_dir, self.place, state)

    @on(InstanceList.Chosen, "#instances")
    def _row_chosen(self, event: InstanceList.Chosen) -> None:
        self.action_focus_detail()

    # --- actions -------------------------------------------------------------------------

    def action_focus_detail(self) -> None:
        self._detail.focus()

    async def action_back(self) -> None:
        if self.filter_text or self._filter.display:
            self._clear_filter()
        elif self.focused is not self._table:
            self._table.focus()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_filter(self) -> None:
        """Open the filter box and give it the focus at once, so that keys that arrived in
        the same read as `/` (a paste, or SSH batching keystrokes) are typed into the box
        instead of running as commands. In the box, `/` is just a character."""
        box = self._filter
        if self._main.focused is box:  # (`has_focus` lags until the Focus event is handled)
            # the box's turn: after the keys already on their way to it, in their order
            box.post_message(events.Key("slash", "/"))
            return
        box.display = True
        self._main.set_focus(box)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self._relist()
        if self._last_snapshot is not None:
            self._show_list_state(self._last_snapshot)
        self._selection_changed()
        self._remember()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            self._filter.display = False
        self._table.focus()

    def _clear_filter(self) -> None:
        box = self._filter
        box.value = ""
        self.filter_text = ""
        box.display = False
        self._relist()
        self._table.focus()
        self._selection_changed()
        self._remember()

    def action_cycle_sort(self) -> None:
        self.sort = (
            SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)] if self.sort in SORTS else "name"
        )
        self.sort_reverse = False
        self._sorted()

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._sorted()

    def _sorted(self) -> None:
        self._relist()
        self._remember()
        self.notify(f"Sorted by {self.sort} {sort_arrow(self.sort, self.sort_reverse)}", timeout=2)

    def action_refresh(self) -> None:
        if self.monitor is None:
            return
        now = self.clock.now()
        held = self.monitor.held_until(now)
        if held is not None:  # a refresh cannot lift it: that could lock an AK/SK
            self.notify(
                f"Held after an authentication failure: the next try is at "
                f"{when(held, date=False, zone=True)} (in {duration(held - now)})",
                severity="warning",
                timeout=5,
            )
            return
        self.monitor.refresh_now()
        self._internal_error = None
        self.notify("Refreshing…", timeout=2)

    def action_pause(self) -> None:
        if self.monitor is None or self.monitor.paused:
            return
        self.monitor.pause()
        self._paused_at = self.clock.now()
        self.notify("Polling paused: the data on screen will not change (p resumes)", timeout=3)
        self._paused_changed()

    def action_resume(self) -> None:
        if self.monitor is None or not self.monitor.paused:
            return
        self.monitor.resume()
        self._paused_at = None
        self.notify("Polling resumed", timeout=3)
        self._paused_changed()

    def action_toggle_pause(self) -> None:
        """Pause, or resume (the command palette's one entry for both)."""
        if self.monitor is not None and self.monitor.paused:
            self.action_resume()
        else:
            self.action_pause()

    def _paused_changed(self) -> None:
        self.refresh_bindings()  # the footer says Resume while paused
        self._render_live(rows=True)

    def action_copy_id(self) -> None:
        selected = self._table.selected_id
        if selected is None:
            self.notify("No instance selected", severity="warning", timeout=3)
            return
        self.copy_to_clipboard(selected)
        self.notify(f"Copied {selected}", timeout=3)

    def action_errors(self) -> None:
        from roma_tui.tui.errors_screen import ErrorsScreen  # (DataTable: when first used)

        if not isinstance(self.screen, ErrorsScreen):
            self.push_screen(ErrorsScreen(self.errors.newest_first()))

    def action_raw(self) -> None:
        monitor = self.monitor
        if monitor is None:
            return
        selected = self._table.selected_id
        snapshot = monitor.snapshot
        feed = snapshot.progress_feeds.get(selected) if selected else None
        view = self._views.get(selected) if selected else None
        title = "Creation progress"
        if view is not None:
            title += f" · {clean(view.name or view.id, 40)}"
        if feed is not None and feed.updated is not None:
            title += f" · received {when(feed.updated, zone=True)}"
        raw = snapshot.selected_raw if snapshot.selected == selected else None
        coming = raw is None and feed is not None
        if coming:
            monitor.want_raw()  # only the selected instance's answer is kept: fetch it
        self.push_screen(RawScreen(title, raw, selected, coming=coming))

    def _fill_raw_screen(self, snapshot: Snapshot) -> None:
        screen = self.screen
        if (
            isinstance(screen, RawScreen)
            and screen.waiting
            and snapshot.selected_raw is not None
            and snapshot.selected == screen.instance_id
        ):
            screen.show(snapshot.selected_raw)

    def action_toggle_timeline(self) -> None:
        detail = self._detail
        detail.timeline = not detail.timeline
        self._show_detail(self._now())

    def action_history(self) -> None:
        from roma_tui.tui.history_screen import HistoryScreen  # (sqlite3: when first used)

        if self.monitor is not None and not isinstance(self.screen, HistoryScreen):
            recorder = self.monitor.recorder
            self.push_screen(HistoryScreen(recorder.store if recorder else None))

    async def action_quit(self) -> None:
        self.exit(2 if self.problem is not None else 0)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """roma-tui's own commands first, then Textual's (theme, keys, screenshot, quit)."""
        if self.monitor is not None:
            yield from self._own_commands()
        yield from super().get_system_commands(screen)

    def _own_commands(self) -> Iterable[SystemCommand]:
        commands = (
            ("Refresh now", "Poll the instance list and progress now", self.action_refresh),
            ("Pause / resume polling", "Freeze or unfreeze the data", self.action_toggle_pause),
            ("Cycle sort", "name → status → progress → created", self.action_cycle_sort),
            ("Reverse sort", "The same sort, the other way round", self.action_reverse_sort),
            ("Filter instances", "By name, id or status", self.action_filter),
            ("Copy instance id", "Copy the selected id to the clipboard", self.action_copy_id),
            ("Raw JSON", "The last creation-progress response", self.action_raw),
            ("Last errors", "Time, request, HTTP status, code, request id", self.action_errors),
            ("Timeline", "Sub-services on a time axis, or as bars", self.action_toggle_timeline),
            ("History", "Past creations and what they usually take", self.action_history),
            ("Help", "Keys and status symbols", self.action_help),
        )
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()


def run_tui(start: Start, options: TuiOptions) -> int:
    """Draw the screen at once, `start` behind it, and run until the user quits; the exit
    code (2 when it could not start, 128 + the signal's number when SIGTERM, SIGHUP or SIGINT
    ended it). `options` say how to draw until `start` says more (mouse, clock)."""
    app = RomaApp(None, options, start=start)
    signals = ExitOnSignal(app)

    async def run() -> int | None:
        loop = asyncio.get_running_loop()
        signals.install(loop)
        try:
            return await app.run_async(mouse=options.mouse)
        finally:
            signals.remove(loop)

    result = asyncio.run(run())
    if signals.exit_code is not None:
        return signals.exit_code
    if result is None:
        return 2 if app.problem is not None else 0
    return int(result)
