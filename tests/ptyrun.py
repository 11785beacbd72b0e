"""Run a real process in a pseudo-terminal and keep every byte it writes (`from ptyrun import ...`).

Used by the tests that need a terminal as a person has one: the TUI's restore sequences on a
signal, and the secrets that must never reach a screen. Bounded in time: a run that does not
show what it waits for, or does not end, is killed and fails the test.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bench.terminal import fork_in_pty


@dataclass
class PtyRun:
    """A process on the slave side of a pty; `output` is everything it wrote so far."""

    pid: int
    fd: int
    output: bytearray = field(default_factory=bytearray)
    status: int | None = None

    def read_until(self, *wanted: bytes, timeout: float = 60.0) -> bool:
        """Read until one of `wanted` appears (True), or the timeout or the end (False)."""
        deadline = time.monotonic() + timeout
        while not any(w in self.output for w in wanted):
            left = deadline - time.monotonic()
            if left <= 0 or (not self._read_some(min(left, 0.5)) and self.poll() is not None):
                return any(w in self.output for w in wanted)
        return True

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def wait(self, timeout: float = 30.0) -> int:
        """Read to the end and reap the process: its exit code (128 + n when killed by n)."""
        deadline = time.monotonic() + timeout
        while self.poll() is None and time.monotonic() < deadline:
            self._read_some(0.2)
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            raise AssertionError(f"the process did not end within {timeout} s")
        while self._read_some(0.1):  # what is still buffered in the pty
            pass
        return self.status

    def poll(self) -> int | None:
        if self.status is None:
            pid, raw = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(raw)
                self.status = 128 - code if code < 0 else code
        return self.status

    def close(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)

    def _read_some(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the other side is closed
            return False
        self.output += chunk
        return bool(chunk)


def spawn(argv: Sequence[str], env: Mapping[str, str], size: tuple[int, int] = (80, 24)) -> PtyRun:
    """Start `argv` with a pty of `size` (columns, rows) as its controlling terminal."""
    return PtyRun(*fork_in_pty(argv, env, size))


def python_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "roma_tui", *args]
