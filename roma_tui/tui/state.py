"""What the app remembers across restarts, per place (endpoint and project): the selected
instance, the sort and the filter. Watching prod and then a lab project does not mix them up.

A small JSON file in the state directory the CLI chooses (platformdirs' user state dir),
written atomically with mode 0600. A missing, unreadable or corrupt file is simply ignored;
writing is best effort.
Imports the standard library and roma_tui.monitor.domain only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from roma_tui.monitor.domain import Place

__all__ = [
    "SORTS",
    "SORT_ARROWS",
    "STATE_FILE",
    "UiState",
    "load_state",
    "save_state",
    "sort_arrow",
]

log = logging.getLogger("roma_tui.tui")

STATE_FILE = "tui-state.json"
SORTS: tuple[str, ...] = ("name", "status", "progress", "created")
# each sort's own direction: names A to Z, the most urgent status first, the least progress
# first, the newest first; `UiState.reverse` turns it round
SORT_ARROWS = {"name": "↑", "status": "↑", "progress": "↑", "created": "↓"}
MAX_PLACES = 50  # the oldest places are forgotten beyond this
MAX_FILTER = 200


@dataclass(frozen=True, slots=True)
class UiState:
    selected: str | None = None
    sort: str = "name"
    filter: str = ""
    reverse: bool = False  # the sort the other way round


def sort_arrow(sort: str, reverse: bool) -> str:
    """↑ or ↓: the direction a sort is shown with."""
    natural = SORT_ARROWS.get(sort, "↑")
    return ("↓" if natural == "↑" else "↑") if reverse else natural


def _key(place: Place) -> str:
    return f"{place.endpoint} {place.project_id}"


def _read(state_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    places = data.get("places") if isinstance(data, dict) else None
    return places if isinstance(places, dict) else {}


def load_state(state_dir: Path | None, place: Place) -> UiState:
    if state_dir is None:
        return UiState()
    data = _read(state_dir).get(_key(place))
    if not isinstance(data, dict):
        return UiState()
    selected, sort, text = data.get("selected"), data.get("sort"), data.get("filter")
    return UiState(
        selected=selected if isinstance(selected, str) and selected else None,
        sort=sort if isinstance(sort, str) and sort in SORTS else "name",
        filter=text[:MAX_FILTER] if isinstance(text, str) else "",
        reverse=data.get("reverse") is True,
    )


def save_state(state_dir: Path | None, place: Place, state: UiState) -> None:
    if state_dir is None:
        return
    try:
        places = _read(state_dir)
        places.pop(_key(place), None)
        places[_key(place)] = {
            "selected": state.selected,
            "sort": state.sort,
            "filter": state.filter,
            "reverse": state.reverse,
        }
        while len(places) > MAX_PLACES:
            places.pop(next(iter(places)))  # the least recently saved
        state_dir.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"places": places})
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
