"""The context line at the top, as k9s has one: what is watched, and how things stand.

Left: profile, region, project (short id), auth, the endpoint when it is not the region's
default, the refresh interval. Right: counts per status (`3 creating · 1 failed · 20 running ·
1 error`) and how the creations under way stand (their average progress and when the last
should end, or that one is stalled). Everything comes from the view model's views; nothing here
ticks with the clock, so an idle screen repaints nothing. When the line is too short, the
context gives way before the counts, and on a narrow screen the counts lose their words
(`✖ 1 · ◐ 6 27% ~16:01 · ● 4`) before the context loses its first part.
Imports textual, rich and roma_tui.monitor; never httpx.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from roma_tui.monitor.domain import Status
from roma_tui.monitor.present import printable, wall_time
from roma_tui.tui.render import STATUS_STYLE, STATUS_SYMBOL

if TYPE_CHECKING:
    from roma_tui.monitor.view import Overview

__all__ = ["ContextHeader", "context_parts", "standing"]

# the order counts are told in: what needs attention first
_ORDER = (
    Status.FAILED,
    Status.ERROR,
    Status.CREATING,
    Status.FROZEN,
    Status.CHANGING,
    Status.DELETING,
    Status.RUNNING,
    Status.DELETED,
    Status.UNKNOWN,
)


def context_parts(
    *,
    profile: str | None,
    region: str | None,
    project_id: str | None,
    auth: str,
    endpoint: str,
    interval: str,
) -> list[str]:
    """What is watched, most important first."""
    parts = []
    if profile:
        parts.append(f"profile {printable(profile, 24)}")
    if region:
        parts.append(printable(region, 24))
    if project_id:
        parts.append(f"project {printable(project_id)[:8]}")
    if auth:
        parts.append(printable(auth, 32))
    if endpoint:
        parts.append(printable(endpoint, 60))
    parts.append(f"every {interval}")
    return parts


def standing(seen: Overview) -> tuple[Text, Text]:
    """`2 failed · 3 creating 41%, all done ~12:40 · 20 running`: the view model's overview
    of the project, counts first, in colour; and the same in short, for narrow screens
    (`✖ 2 · ◐ 3 41% ~12:40 · ● 20`: the symbols are the list's)."""
    full = Text(end="", no_wrap=True, overflow="ellipsis")
    short = Text(end="", no_wrap=True, overflow="ellipsis")
    for status in _ORDER:
        n = seen.counts.get(status, 0)
        if not n:
            continue
        if full.plain:
            full.append(" · ", style="dim")
            short.append(" · ", style="dim")
        full.append(f"{STATUS_SYMBOL[status]} {n} {status.value}", style=STATUS_STYLE[status])
        short.append(f"{STATUS_SYMBOL[status]} {n}", style=STATUS_STYLE[status])
        if status is Status.CREATING:
            full.append(_creations(seen), style="dim")
            short.append(_creations(seen, short=True), style="dim")
    if not full.plain:
        full.append("no instances", style="dim")
        short.append("no instances", style="dim")
    return full, short


def _creations(seen: Overview, *, short: bool = False) -> str:
    """` 41%, all done ~12:40` or ` 41%, 1 stalled` (short: ` 41% ~12:40`): how the
    creations under way stand."""
    part = "" if seen.creating_progress is None else f" {seen.creating_progress}%"
    if seen.stalled:
        return f"{part}, {seen.stalled} stalled"
    if seen.all_done_at is not None:
        done = wall_time(seen.all_done_at, date=False)[:5]
        return f"{part} ~{done}" if short else f"{part}, all done ~{done}"
    return part


class ContextHeader(Horizontal):
    """One line; updated only when what it says changes. The context and the counts are two
    widgets: Textual repaints a changed line across the whole widget, so new counts (a
    percentage moving) repaint the counts alone, not the context beside them."""

    DEFAULT_CSS = """
    ContextHeader {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    ContextHeader > #context-what {
        width: 1fr;
        text-style: bold;
    }
    ContextHeader > #context-counts {
        width: auto;
        padding-left: 1;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._shown: tuple[str, tuple[str, tuple[object, ...]]] | None = None
        self._given: tuple[Sequence[str], tuple[Text, Text]] | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="context-what")
        yield Static("", id="context-counts")

    @property
    def text(self) -> str:
        """The line as shown: the context, then the counts."""
        what = self.query_one("#context-what", Static).content
        counts = self.query_one("#context-counts", Static).content
        return f"{what}  {counts}"

    def show(self, context: Sequence[str], counts: tuple[Text, Text]) -> None:
        """`context` (most important first) on the left, `counts` (in full, and short) on the
        right: in full while the context's first part fits beside them."""
        self._given = (context, counts)
        width = self.content_region.width or 80
        full, short = counts
        first = cell_len(context[0]) if context else 0
        counts_shown = full if width - full.cell_len - 3 >= first else short
        room = max(0, width - counts_shown.cell_len - 3)
        parts = list(context)
        while parts and cell_len(" · ".join(parts)) > room:
            parts.pop()  # the least important first
        what = " · ".join(parts)
        key = (what, (counts_shown.plain, tuple(counts_shown.spans)))
        if self._shown == key:
            return
        if self._shown is None or self._shown[0] != what:
            self.query_one("#context-what", Static).update(Text(what, end=""))
        if self._shown is None or self._shown[1] != key[1]:
            # as wide as its text: a new width lays the line out again (rarely: a count's
            # digits); a new percentage or time of the same width repaints the counts alone
            shown = self.query_one("#context-counts", Static)
            old = shown.content
            width_changed = not isinstance(old, Text) or old.cell_len != counts_shown.cell_len
            shown.update(counts_shown, layout=width_changed)
        self._shown = key

    def on_resize(self) -> None:
        """Fit the line to the new width (once the layout pass is over)."""
        self.call_after_refresh(self._reshow)

    def _reshow(self) -> None:
        if self._given is not None:  # what was given last, by the time this runs
            self.show(*self._given)
