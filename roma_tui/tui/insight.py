"""The detail pane's insight lines: the ETA with its range, a stall with what is usual, and how
this creation compares with history ("18 min so far; professional in cn-north-4 usually takes
24 min, p90 31").

Every figure is the view model's (roma_tui.monitor.view); the words are the shared phrases of
roma_tui.monitor.present; this module only styles them for the screen.
Imports rich and roma_tui.monitor only; never textual or httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from roma_tui.monitor.present import UNKNOWN, eta_phrase, stall_phrase, usual_phrase

if TYPE_CHECKING:
    from roma_tui.monitor.view import InstanceView

__all__ = ["comparison_text", "eta_text", "stall_text"]


def eta_text(view: InstanceView) -> Text:
    """`~12:40, 8–14 min`, or `—` when it cannot be said."""
    phrase = eta_phrase(view.eta_at, view.eta, view.eta_low, view.eta_high)
    return Text(phrase, style="dim" if phrase == UNKNOWN else "", end="")


def stall_text(view: InstanceView) -> Text | None:
    """`⚠ stalled: no progress for 6 min, usually 2`, while it is stalled."""
    if view.stalled is None:
        return None
    phrase = stall_phrase(view.stalled, view.stall_usual)
    return Text(f"⚠ stalled: {phrase}", style="bold yellow", end="")


def comparison_text(view: InstanceView) -> Text | None:
    """How this creation compares with the history of its type here; None without one."""
    usual = view.usual
    if usual is None:
        return None
    phrase = usual_phrase(
        view.elapsed, view.ticking, usual.type, usual.region, usual.median, usual.p90
    )
    if view.slower_than_usual:
        return Text(f"{phrase}: slower than usual", style="yellow", end="")
    return Text(phrase, style="dim", end="")
