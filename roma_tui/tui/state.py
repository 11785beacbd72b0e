"""What the app remembers across restarts: the last selected instance and the sort order.

A small JSON file in the state directory the CLI chooses (platformdirs' user state dir). A
missing, unreadable or corrupt file is simply ignored; writing is best effort and atomic.
Imports the standard library only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SORTS", "STATE_FILE", "UiState", "load_state", "save_state"]

log = logging.getLogger("roma_tui.tui")

STATE_FILE = "tui-state.json"
SORTS: tuple[str, ...] = ("name", "status", "progress", "created")


@dataclass(frozen=True, slots=True)
class UiState:
    selected: str | None = None
    sort: str = "name"


def load_state(state_dir: Path | None) -> UiState:
    if state_dir is None:
        return UiState()
    try:
        data = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return UiState()
    if not isinstance(data, dict):
        return UiState()
    selected = data.get("selected")
    sort = data.get("sort")
    return UiState(
        selected=selected if isinstance(selected, str) and selected else None,
        sort=sort if isinstance(sort, str) and sort in SORTS else "name",
    )


def save_state(state_dir: Path | None, state: UiState) -> None:
    if state_dir is None:
        return
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"selected": state.selected, "sort": state.sort})
        fd, tmp = tempfile.mkstemp(dir=state_dir, prefix=".tui-state-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(tmp, state_dir / STATE_FILE)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        log.debug("could not save the UI state in %s: %s", state_dir, exc)
