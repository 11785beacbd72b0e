"""`LiveText`: a block of text that changes in place, repainting only the cells that differ.

A `Static` repaints its whole area on every update: the detail pane's header (eight lines)
went over SSH again every second for one changed digit. `LiveText` keeps its rendered lines,
and an update refreshes only the span of each line that changed; it re-lays out only when
the number of lines changes.
Imports textual and rich; nothing of roma_tui but roma_tui.tui.lines.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from roma_tui.tui.lines import changed_span, text_key, text_lines

__all__ = ["LiveText"]


class LiveText(Widget):
    """Rich `Text`, wrapped to the widget's width; `update` repaints only what changed."""

    DEFAULT_CSS = """
    LiveText {
        height: auto;
    }
    """

    def __init__(self, text: Text | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._text = text if text is not None else Text()
        self._key = text_key(self._text)
        self._lines: list[Strip] = []
        self._drawn_width = -1  # the width `_lines` were rendered at

    @property
    def content(self) -> Text:
        """The text shown."""
        return self._text

    def render(self) -> Text:
        """What is shown (drawn line by line by `render_line`; read by whoever asks)."""
        return self._text

    def update(self, text: Text) -> bool:
        """Show `text`; False (and nothing repainted) when it looks as it did."""
        key = text_key(text)
        if key == self._key:
            return False
        self._text, self._key = text, key
        width = self.size.width
        if not self.is_mounted or width <= 0:
            self._drawn_width = -1
            self.refresh(layout=True)
            return True
        old = self._lines
        self._draw(width)
        if len(old) != len(self._lines):
            self.refresh(layout=True)
            return True
        for y, (before, after) in enumerate(zip(old, self._lines, strict=True)):
            span = changed_span(before, after)
            if span is not None:
                self.refresh(Region(span[0], y, span[1] - span[0], 1))
        return True

    def _draw(self, width: int) -> list[Strip]:
        self._lines = text_lines(self.app.console, self._text, width, self.rich_style)
        self._drawn_width = width
        return self._lines

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn_width = -1  # the base style is part of every line

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max((line.cell_len for line in self._text.split()), default=0)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width != self._drawn_width:
            self._draw(width)
        return len(self._lines)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width != self._drawn_width:
            self._draw(width)
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(width, self.rich_style)
