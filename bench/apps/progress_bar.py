"""Baseline: one Textual `ProgressBar` (Textual's defaults: bar, percentage, ETA) that moves by
1 % once a second, under the instance's name.

`python bench/apps/progress_bar.py NAME START`; `q` quits. Imports Textual only.
"""

import sys

from textual.app import App, ComposeResult
from textual.widgets import Footer, Label, ProgressBar


class OneBar(App[None]):
    BINDINGS = [("q", "quit", "Quit")]  # noqa: RUF012

    def __init__(self, name: str, start: int) -> None:
        super().__init__()
        self._name = name
        self._start = start

    def compose(self) -> ComposeResult:
        yield Label(self._name)
        yield ProgressBar(total=100)
        yield Footer()

    def on_mount(self) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(progress=self._start)
        self.set_interval(1.0, lambda: bar.advance(1))


if __name__ == "__main__":
    OneBar(sys.argv[1], int(sys.argv[2])).run()
