"""Everything that speaks HTTP to ROMA Connect: wire models, client, auth, errors.

Beside them: the AK/SK lockout guard (`guard`), the bounds on what a server may send
(`limits`), secret redaction for logs and messages (`redaction`) and terminal-safe server
text (`safetext`).

Importing this package keeps httpx's own command line (`httpx._main`, which loads click and
rich) from loading with httpx: `httpx/__init__.py` imports it under `try: ... except
ImportError`, and a `None` in `sys.modules` is the import system's way to say "not available".
We never use it; it cost `status` ~40 ms and ~6 MB.

Must not import textual, roma_tui.monitor, roma_tui.tui or roma_tui.simulator.
"""

import sys

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
