"""The Textual user interface: instance list, detail pane, status line, screens.

Renders `roma_tui.monitor` snapshots; never imports httpx. Entry point:
`roma_tui.tui.app.run_tui`, which draws the screen before anything heavy is imported.
"""
