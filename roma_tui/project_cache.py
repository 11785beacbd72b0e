"""The discovery cache: project ids found through IAM, so the next start needs no lookup.

One JSON file in the platform's cache dir (`~/.cache/roma-tui/projects.json` on Linux), keyed
by a SHA-256 digest of (IAM endpoint, region, credential) made by `roma_tui.config.cache_key`:
it never holds a secret or an access key. Created 0600 in a 0700 directory, replaced
atomically. A missing, unreadable or corrupt cache is simply empty: it is only a shortcut.
Imports only roma_tui.api.regions.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from roma_tui.api.regions import is_project_id

log = logging.getLogger("roma_tui.project_cache")

FILE_NAME = "projects.json"


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` readable by its owner only (0600), replacing it atomically."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class ProjectCache:
    """Discovered project ids by cache key."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        projects = data.get("projects") if isinstance(data, dict) else None
        if not isinstance(projects, dict):
            return {}
        return {k: v for k, v in projects.items() if isinstance(v, dict)}

    def get(self, key: str) -> str | None:
        """The project id cached for `key`, or None."""
        project_id = self._load().get(key, {}).get("project_id")
        if isinstance(project_id, str) and is_project_id(project_id):
            return project_id
        return None

    def put(self, key: str, project_id: str, region: str) -> None:
        """Remember a discovery; a cache that cannot be written is logged and skipped."""
        projects = self._load()
        projects[key] = {
            "project_id": project_id,
            "region": region,
            "discovered_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        text = json.dumps({"version": 1, "projects": projects}, indent=1, sort_keys=True)
        try:
            write_private(self.path, text + "\n")
        except OSError as exc:
            log.debug("cannot write the project cache %s: %s", self.path, exc)
