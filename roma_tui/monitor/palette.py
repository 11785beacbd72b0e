"""The colour of each status and sub-service state, shared by the TUI and the scripting
commands so that a status looks the same on every screen.

Rich style strings (text: nothing here imports rich). The symbols drawn beside them are the
TUI's alone (`roma_tui.tui.render`); `status` prints the words.
Imports roma_tui.monitor.domain and roma_tui.monitor.view only.
"""

from __future__ import annotations

from roma_tui.monitor.domain import Status, SubState

__all__ = ["STATUS_STYLE", "SUB_STYLE"]

STATUS_STYLE: dict[Status, str] = {
    Status.CREATING: "yellow",
    Status.RUNNING: "green",
    Status.FAILED: "bold red",
    Status.ERROR: "bold dark_orange",
    Status.CHANGING: "cyan",
    Status.FROZEN: "bright_blue",
    Status.DELETING: "dim magenta",  # going away: calm, never the failure's red
    Status.DELETED: "dim",
    Status.UNKNOWN: "dim",
}

SUB_STYLE: dict[SubState, str] = {
    SubState.WAITING: "dim",
    SubState.CREATING: "yellow",
    SubState.DONE: "green",
    SubState.FAILED: "bold red",
    SubState.STOPPED: "dim",
    SubState.UNKNOWN: "dim",
}
