"""Snapshot tests: the scenes of roma_tui.tui.screenshots, compared with tests/__snapshots__/.

Every scene runs on a FakeClock frozen at one moment of the default simulator scenario, so
the screens are deterministic. After an intended change to the look, review the new
screens and run `pytest tests/test_tui_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from roma_tui.tui.screenshots import SCENES, Scene


@pytest.mark.parametrize("scene", SCENES, ids=[scene.name for scene in SCENES])
def test_scene(scene: Scene, snap_compare: Callable[..., bool]) -> None:
    app, run_before = scene.make()
    kwargs: dict[str, Any] = {"terminal_size": scene.size}
    if run_before is not None:
        kwargs["run_before"] = run_before
    assert snap_compare(app, **kwargs)
