"""Rendered lines and what changed between two versions of one: the Line-API widgets
(`InstanceList`, `LiveText`) repaint only the lines that changed, and in them only up to the
last cell that changed (Textual sends an update from the widget's left edge on), not the
whole pane.

Imports textual's `Strip` and rich; nothing of roma_tui.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

__all__ = ["changed_span", "text_key", "text_lines"]


def text_key(text: Text) -> tuple[str, str, tuple[object, ...]]:
    """What a `Text` looks like, style included (Text.__eq__ ignores the base style)."""
    return (text.plain, str(text.style), tuple(text.spans))


def _cells(strip: Strip) -> list[tuple[str, Style | None]]:
    """One (character, style) per cell; the second cell of a wide character is ("", style)."""
    cells: list[tuple[str, Style | None]] = []
    add = cells.append
    for segment in strip:
        style = segment.style
        for char in segment.text:
            add((char, style))
            if cell_len(char) == 2:
                add(("", style))
    return cells


def changed_span(old: Strip | None, new: Strip) -> tuple[int, int] | None:
    """The cells [start, end) from the first to the last that differ between `old` and `new`
    (all of `new` when there is no `old` or the lengths differ); None when they look the same.

    One span per line, not one per run of changes: Textual sends a line's update from the
    left edge of the widget to the end of the span, once per span, so two runs on one line
    would send the start of the line twice."""
    if old is None or old.cell_length != new.cell_length:
        return (0, max(new.cell_length, old.cell_length if old is not None else 0))
    if old is new:
        return None
    before, after = _cells(old), _cells(new)
    if before == after:
        return None
    count = min(len(before), len(after))
    start = 0
    while start < count and before[start] == after[start]:
        start += 1
    end, end_before = len(after), len(before)
    while end > start and end_before > start and before[end_before - 1] == after[end - 1]:
        end -= 1
        end_before -= 1
    if 0 < start < len(after) and after[start][0] == "":
        start -= 1  # never split a wide character
    if end < len(after) and after[end][0] == "":
        end += 1
    return (start, max(end, start + 1))


def text_lines(console: Console, text: Text, width: int, style: Style) -> list[Strip]:
    """`text` wrapped to `width` cells, one `Strip` per line, each padded to `width` with the
    widget's base `style` under the text's own."""
    if width <= 0:
        return []
    options = console.options.update_width(width)
    lines = console.render_lines(text, options, style=style, pad=True, new_lines=False)
    return [Strip(line, width) for line in lines]
