"""`KeyScroll`: a vertical scroll view whose keys add up when several arrive in one read.

Textual's scroll containers animate each key's scroll, and a key that arrives during the
animation starts again from where the view is, not from where it is going: five arrows in
one read (SSH batching keystrokes, a held key) move it once. Here every key scrolls at once,
so five arrows move five lines. The same words everywhere: arrows and j/k a line,
PgUp/PgDn (and space/b) a page, Home/End and g/G the ends.
Imports textual only.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll

__all__ = ["KeyScroll"]


class KeyScroll(VerticalScroll):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "line(-1)", "Up", show=False),
        Binding("down,j", "line(1)", "Down", show=False),
        Binding("pageup,b", "page(-1)", "Page up", show=False),
        Binding("pagedown,space", "page(1)", "Page down", show=False),
        Binding("home,g", "end(0)", "Top", show=False),
        Binding("end,G", "end(1)", "Bottom", show=False),
    ]

    def action_line(self, lines: int) -> None:
        self.scroll_to(y=self.scroll_target_y + lines, animate=False, immediate=True)

    def action_page(self, pages: int) -> None:
        step = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.scroll_target_y + pages * step, animate=False, immediate=True)

    def action_end(self, bottom: int) -> None:
        self.scroll_to(y=self.max_scroll_y if bottom else 0, animate=False, immediate=True)
