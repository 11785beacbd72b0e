"""The context line: new counts repaint the counts alone, never the context beside them
(Textual sends a changed line across the whole widget, so they are two widgets)."""

from __future__ import annotations

import pytest
from helpers import screen_lines
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Static

from roma_tui.tui.header import ContextHeader

CONTEXT = ["profile prod", "cn-north-4", "project 0123abcd", "AK/SK"]


def counts(percent: int, running: int = 20) -> tuple[Text, Text]:
    full = Text(f"◐ 3 creating {percent}%, all done ~12:40 · ● {running} running")
    return full, Text(f"◐ 3 {percent}% ~12:40 · ● {running}")


class One(App[None]):
    def compose(self) -> ComposeResult:
        yield ContextHeader(id="context")


async def test_new_counts_repaint_the_counts_only(monkeypatch: pytest.MonkeyPatch) -> None:
    app = One()
    async with app.run_test(size=(120, 3)) as pilot:
        header = app.query_one(ContextHeader)
        header.show(CONTEXT, counts(41))
        await pilot.pause()
        assert header.text.startswith("profile prod · cn-north-4 · project 0123abcd · AK/SK")
        what, shown = (
            header.query_one("#context-what", Static),
            header.query_one("#context-counts", Static),
        )
        refreshed: list[str] = []
        for widget in (what, shown):
            real = widget.refresh

            def refresh(
                *args: object, _w: Static = widget, _r: object = real, **kw: bool
            ) -> object:
                refreshed.append(str(_w.id))
                return _r(*args, **kw)  # type: ignore[operator]

            monkeypatch.setattr(widget, "refresh", refresh)
        header.show(CONTEXT, counts(42))  # a percentage moves
        assert refreshed and set(refreshed) == {"context-counts"}
        refreshed.clear()
        header.show(CONTEXT, counts(42))  # nothing new: nothing repainted
        assert refreshed == []
        await pilot.pause()
        line = screen_lines(app)[0]
        assert line.startswith(" profile prod · cn-north-4") and "◐ 3 creating 42%" in line
