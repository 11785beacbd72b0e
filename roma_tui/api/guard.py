"""The AK/SK lockout guard: a rejected key is not tried again before the gateway's lock is over.

Huawei's API gateway locks an access key for 5 minutes after 5 bad signatures in a row
(APIG's "Incorrect IAM authentication information" for AK/SK; the simulator does the same).
A mistyped SK in a `status` run over six ids, a key rotated under a running TUI, or `status`
in a shell loop must not be what locks it. So, for each access key, one guard per process:

- after a 401 to a request signed with the key, nothing signed with it is sent until
  `HOLD` has passed: a request made during the hold fails at once with `SignatureHeld`
  (an `AuthError` whose message says until when, and that the keys or the local clock are
  likely wrong; its `retry_after` is the time left);
- until a request signed with the key has been accepted (2xx, 403 or 404: the gateway checks
  the signature before permissions and routes) in this process, one signed request at a time
  is in flight: the others wait for its answer, and fail at once if it was rejected. So
  `status ID1 ... ID6` with a bad SK sends exactly one request, and after a hold ends a
  running monitor sends one, not one per feed;
- the hold is kept in a small file per key in the platform's cache directory (mode 0600, the
  key itself is not in its name or content), read before every signed request: another
  roma-tui process, a `status` in a shell loop or the next `wait`, holds too.

Processes started at the very same moment may each send their one probe before any of them
has written the hold. Imports the standard library, platformdirs and roma_tui.api.errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import platformdirs

from roma_tui.api.errors import AuthError

__all__ = ["HOLD", "KeyGuard", "SignatureHeld", "guard_for", "hold_path"]

log = logging.getLogger("roma_tui.api")

#: How long nothing signed with a rejected key is sent: the gateway's lock time.
HOLD = timedelta(minutes=5)
#: Answers that show the gateway accepted the signature.
_ACCEPTED = frozenset({403, 404})
_APP_NAME = "roma-tui"


class SignatureHeld(AuthError):
    """Not sent: a signature with this access key was rejected and its hold is not over."""

    def __init__(self, label: str, rejected_at: datetime, until: datetime, now: datetime) -> None:
        left = max(0.0, (until - now).total_seconds())
        super().__init__(
            f"not sent: the API gateway rejected the signature of {label} at "
            f"{_hms(rejected_at)}; requests signed with it are held until {_hms(until)} "
            f"(in {_duration(left)}), because 5 rejected signatures lock the key for 5 minutes. "
            "The keys are probably wrong, or the local clock is off by more than 15 minutes",
            status_code=401,
            retry_after=left,
        )
        self.until = until


def _hms(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%H:%M:%S UTC")


def _duration(seconds: float) -> str:
    whole = int(seconds + 0.999)
    return f"{whole // 60}m{whole % 60:02d}s" if whole >= 60 else f"{whole}s"


class KeyGuard:
    """The lockout guard of one access key (get it with `guard_for`, never build one twice)."""

    def __init__(self, label: str, path: Path | None) -> None:
        self.label = label
        self.path = path
        self._lock = threading.Lock()
        self._rejected_at: datetime | None = None
        self._until: datetime | None = None
        self._proven = False  # a signature with this key was accepted in this process
        self._probe: asyncio.Future[None] | None = None

    # -- the hold ---------------------------------------------------------------------------

    def held_until(self, now: datetime) -> datetime | None:
        """When the current hold ends (this process's or another's), None when not held."""
        self._load()
        until = self._until
        return until if until is not None and now < until else None

    def check(self, now: datetime) -> None:
        """Raise `SignatureHeld` while the key is held."""
        until = self.held_until(now)
        if until is not None:
            log.debug("request signed with %s not sent: held until %s", self.label, until)
            raise SignatureHeld(self.label, self._rejected_at or now, until, now)

    def observe(self, status_code: int, now: datetime) -> None:
        """Learn from the answer to a request signed with the key."""
        if status_code == 401:
            with self._lock:
                self._proven = False
                self._rejected_at = now
                self._until = now + HOLD
            log.debug("signature of %s rejected: holding it until %s", self.label, self._until)
            self._save()
        elif 200 <= status_code < 300 or status_code in _ACCEPTED:
            self._proven = True

    # -- one request at a time until the key is known to work -----------------------------------

    async def admit(self, now: Callable[[], datetime]) -> asyncio.Future[None] | None:
        """Wait until a signed request may be sent; raises `SignatureHeld` during a hold.

        Returns the probe to pass to `release` when this request is the one that tries an
        unproven key, None when the key is proven.
        """
        loop = asyncio.get_running_loop()
        while True:
            self.check(now())
            if self._proven:
                return None
            probe = self._probe
            if probe is None or probe.done() or probe.get_loop() is not loop:
                self._probe = loop.create_future()
                return self._probe
            await asyncio.wait([probe])  # never cancels the probe itself

    def release(self, probe: asyncio.Future[None] | None) -> None:
        """The probing request is over (answered, failed or cancelled): let the next one in."""
        if probe is None:
            return
        if not probe.done():
            probe.set_result(None)
        if self._probe is probe:
            self._probe = None

    # -- the file shared with other processes ----------------------------------------------------

    def _load(self) -> None:
        if self.path is None:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            rejected_at = datetime.fromisoformat(data["rejected_at"])
            until = datetime.fromisoformat(data["until"])
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.debug("ignoring the unreadable key hold %s: %s", self.path, exc)
            return
        if until.tzinfo is None or rejected_at.tzinfo is None:
            return
        with self._lock:
            if self._until is None or until > self._until:
                self._rejected_at, self._until = rejected_at, until
                self._proven = False

    def _save(self) -> None:
        if self.path is None or self._until is None or self._rejected_at is None:
            return
        payload = json.dumps(
            {"rejected_at": self._rejected_at.isoformat(), "until": self._until.isoformat()}
        )
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".hold-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp: mode 0600
                    handle.write(payload)
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            log.debug("could not save the key hold in %s: %s", self.path, exc)


_guards: dict[tuple[str, Path | None], KeyGuard] = {}
_guards_lock = threading.Lock()


def hold_path(ak: str, cache_dir: Path) -> Path:
    """The file holding this key's hold: named by a hash, so the key is not written down."""
    digest = hashlib.sha256(ak.encode("utf-8")).hexdigest()[:24]
    return cache_dir / "aksk-holds" / f"{digest}.json"


def guard_for(ak: str, label: str, cache_dir: Path | None = None) -> KeyGuard:
    """The process-wide guard of access key `ak` (shown as `label`), its hold kept under
    `cache_dir` (default: the platform's user cache directory for roma-tui)."""
    directory = cache_dir if cache_dir is not None else Path(platformdirs.user_cache_dir(_APP_NAME))
    key = (ak, directory)
    with _guards_lock:
        guard = _guards.get(key)
        if guard is None:
            guard = _guards[key] = KeyGuard(label, hold_path(ak, directory))
        return guard
