"""The Textual user interface: instance list, detail pane, status line, screens.

Renders `roma_tui.monitor` snapshots; never imports httpx. Entry point: `run_tui`.
"""

from __future__ import annotations

from roma_tui.tui.app import RomaApp, TuiOptions, run_tui

__all__ = ["RomaApp", "TuiOptions", "run_tui"]
