"""Scripting commands: `roma-tui status` and `roma-tui wait`, for shells and CI pipelines.

`run_status` and `run_wait` are coroutines returning a process exit code; `run_blocking` runs
one under `asyncio.run` and turns Ctrl-C (KeyboardInterrupt, or the cancellation asyncio.run
turns it into) into exit code 130 without a traceback. The JSON schema of `status --json` ships
as `roma_tui/scripting/status.schema.json` (`load_schema()`).

Sits above roma_tui.monitor and roma_tui.api; never imports textual, httpx or roma_tui.tui.
The commands' modules load when first named here (`status` does without `wait`'s Rich live
display and the history store).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from roma_tui.scripting.document import SCHEMA_VERSION, load_schema
    from roma_tui.scripting.status import run_status
    from roma_tui.scripting.wait import run_wait

__all__ = [
    "EXIT_INTERRUPTED",
    "SCHEMA_VERSION",
    "load_schema",
    "run_blocking",
    "run_status",
    "run_wait",
]


#: Exit code of a command stopped by Ctrl-C (as a shell reports SIGINT).
EXIT_INTERRUPTED = 130

_LAZY = {
    "SCHEMA_VERSION": "document",
    "load_schema": "document",
    "run_status": "status",
    "run_wait": "wait",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def run_blocking(main: Coroutine[Any, Any, int]) -> int:
    """`asyncio.run(main)`, with Ctrl-C mapped to exit code 130 and no traceback.

    `run_wait` says "interrupted; last seen: ..." on its `err` itself before re-raising.
    """
    try:
        return asyncio.run(main)
    except (KeyboardInterrupt, asyncio.CancelledError):
        return EXIT_INTERRUPTED
