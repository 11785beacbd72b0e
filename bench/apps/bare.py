"""Baseline: the least a Textual app shows (a label and a footer), for first frame and idle.

`python bench/apps/bare.py`; `q` quits. Imports Textual only.
"""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static


class Bare(App[None]):
    BINDINGS = [("q", "quit", "Quit")]  # noqa: RUF012

    def compose(self) -> ComposeResult:
        yield Static("bare Textual app")
        yield Footer()


if __name__ == "__main__":
    Bare().run()
