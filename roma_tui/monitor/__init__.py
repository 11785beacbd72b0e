"""Live state without Textual: domain snapshots, polling schedule, staleness, ETA.

Must not import textual or httpx; talks to the API only through roma_tui.api.client.
"""
