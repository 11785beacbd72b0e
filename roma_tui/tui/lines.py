"""Rendered lines and what changed between two versions of one: the Line-API widgets
(`InstanceList`, `LiveText`) repaint only the cells that differ, so a label that moves from
`12m` to `13m` sends two characters over SSH, not the whole pane.

Imports textual's `Strip` and rich; nothing of roma_tui.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

__all__ = ["GAP", "changed_spans", "text_key", "text_lines"]


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


GAP = 8
"""Equal cells between two changes that are sent again rather than jumped over: moving the
terminal's cursor costs about as many bytes."""


def changed_spans(old: Strip | None, new: Strip) -> list[tuple[int, int]]:
    """The runs of cells [start, end) where `new` differs from `old` (all of `new` when there
    is no `old` or the lengths differ); none when they look the same."""
    if old is None or old.cell_length != new.cell_length:
        return [(0, max(new.cell_length, old.cell_length if old is not None else 0))]
    if old is new:
        return []
    before, after = _cells(old), _cells(new)
    if before == after:
        return []
    spans: list[tuple[int, int]] = []
    count = min(len(before), len(after))
    x = 0
    while x < count:
        if before[x] == after[x]:
            x += 1
            continue
        start = x
        if 0 < start < len(after) and after[start][0] == "":
            start -= 1  # never split a wide character
        end = x + 1
        equal = 0
        while end < count and equal < GAP:
            equal = equal + 1 if before[end] == after[end] else 0
            end += 1
        end -= equal
        if end < len(after) and after[end][0] == "":
            end += 1
        if spans and start - spans[-1][1] < GAP:
            start = spans.pop()[0]
        spans.append((start, end))
        x = end
    if len(before) != len(after):
        spans.append((count, len(after)))
    return spans


def text_lines(console: Console, text: Text, width: int, style: Style) -> list[Strip]:
    """`text` wrapped to `width` cells, one `Strip` per line, each padded to `width` with the
    widget's base `style` under the text's own."""
    if width <= 0:
        return []
    options = console.options.update_width(width)
    lines = console.render_lines(text, options, style=style, pad=True, new_lines=False)
    return [Strip(line, width) for line in lines]
