"""Everything that speaks HTTP to ROMA Connect: wire models, client, auth, errors.

Beside them: the AK/SK lockout guard (`guard`), the bounds on what a server may send
(`limits`), secret redaction for logs and messages (`redaction`) and terminal-safe server
text (`safetext`).

Must not import textual, roma_tui.monitor, roma_tui.tui or roma_tui.simulator.
"""
