"""LiveText: text that repaints only the lines that changed (up to their last changed cell), and
lays out again only when its number of lines changes."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region

from roma_tui.tui.live_text import LiveText


class One(App[None]):
    def compose(self) -> ComposeResult:
        yield LiveText(Text("elapsed 12m · ETA 8m\ncreated 12:01:13"))


async def test_an_update_repaints_the_changed_lines_only(monkeypatch: pytest.MonkeyPatch) -> None:
    app = One()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        text = app.query_one(LiveText)
        calls: list[tuple[tuple[Region, ...], dict[str, bool]]] = []
        real = text.refresh

        def refresh(*regions: Region, **kwargs: bool) -> LiveText:
            calls.append((regions, kwargs))
            return real(*regions, **kwargs)

        monkeypatch.setattr(text, "refresh", refresh)
        assert text.update(Text("elapsed 13m · ETA 7m\ncreated 12:01:13"))
        # the first line, from the first changed cell to the last; not the second line
        assert [regions for regions, _ in calls] == [(Region(9, 0, 10, 1),)]
        calls.clear()
        assert not text.update(Text("elapsed 13m · ETA 7m\ncreated 12:01:13"))  # the same
        assert calls == []
        assert text.update(Text("elapsed 13m · ETA 7m\ncreated 12:01:13\n⚠ stalled"))
        assert calls == [((), {"layout": True})]  # a line more: laid out again
        await pilot.pause()
        assert text.region.height == 3
        assert text.render_line(2).text.startswith("⚠ stalled")
