"""Everything that speaks HTTP to ROMA Connect: wire models, client, auth, errors.

Must not import textual, roma_tui.monitor, roma_tui.tui or roma_tui.simulator.
"""
