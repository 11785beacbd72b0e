"""A program in a pseudo-terminal, as a person runs it: every byte it writes to the terminal,
timestamped, and its CPU time and memory read from /proc. Linux only (pty, /proc).

The harness reads the terminal all the time (a pty whose reader stops fills up and blocks the
program), so one `Terminal` is driven by one thread: `pump`, `wait_for`, `idle_for`.
Times are `time.monotonic()` (CLOCK_MONOTONIC): the same clock as the in-process probe's.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType

ALT_SCREEN = b"\x1b[?1049h"
_CURSOR_TO = re.compile(rb"\x1b\[(\d+);\d+H")


class BenchError(RuntimeError):
    """A benchmark could not measure what it wanted to: the message says what happened."""


def fork_in_pty(
    argv: Sequence[str], env: Mapping[str, str], size: tuple[int, int]
) -> tuple[int, int]:
    """Start `argv` with a new pty of `size` (columns, rows) as its controlling terminal: its
    pid and the pty's master side (tests/ptyrun.py starts its programs here too)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: size its terminal, then become the program
        try:
            columns, rows = size
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            os.execve(argv[0], list(argv), dict(env))
        finally:
            os._exit(127)
    return pid, fd


@dataclass(frozen=True, slots=True)
class Usage:
    """CPU seconds (user + system, all threads) and resident memory of a process, now."""

    cpu: float
    rss_mb: float


def _cpu_seconds(pid: int) -> float:
    """Seconds on a CPU of the live threads of `pid`, from their schedstat (in nanoseconds:
    /proc/PID/stat counts 10 ms ticks, which rounds an idle app's second to 0 or 1 %)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat", "rb") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:  # the thread just ended
            continue
    return total / 1e9


def usage(pid: int) -> Usage:
    """What /proc says about `pid` (raises BenchError when it is gone)."""
    try:
        cpu = _cpu_seconds(pid)
        with open(f"/proc/{pid}/status", "rb") as f:
            status = f.read()
    except OSError as exc:
        raise BenchError(f"process {pid} is gone: {exc}") from None
    rss = next(line for line in status.splitlines() if line.startswith(b"VmRSS:"))
    return Usage(cpu, int(rss.split()[1]) * 1024 / 1e6)


@dataclass(frozen=True, slots=True)
class Window:
    """What a program did in a stretch of time: bytes to its terminal, CPU, memory at the end."""

    start: float
    end: float
    written: int  # bytes
    cpu: float  # seconds
    rss_mb: float  # at the end

    @property
    def seconds(self) -> float:
        return self.end - self.start

    @property
    def bytes_per_second(self) -> float:
        return self.written / self.seconds

    @property
    def cpu_percent(self) -> float:
        """CPU time over the window, in % of one core."""
        return self.cpu / self.seconds * 100


@dataclass
class Terminal:
    """A process on the slave side of a pty of `size` (columns, rows)."""

    pid: int
    fd: int
    size: tuple[int, int]
    started: float
    output: bytearray = field(default_factory=bytearray)
    chunks: list[tuple[float, int]] = field(default_factory=list)  # (time read, end offset)
    exit_code: int | None = None

    @classmethod
    def spawn(
        cls,
        argv: Sequence[str],
        env: Mapping[str, str],
        size: tuple[int, int] = (120, 40),
    ) -> Terminal:
        started = time.monotonic()
        pid, fd = fork_in_pty(argv, env, size)
        return cls(pid, fd, size, started)

    # --- reading ---------------------------------------------------------------------------

    def pump(self, seconds: float) -> None:
        """Read what the program writes for `seconds` (returns early if it ended)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not self._read(min(left, 0.05)) and self.poll() is not None:
                return

    def wait_for(self, done: Callable[[Terminal], bool], timeout: float, what: str) -> float:
        """Read until `done(self)`; the time it became true. BenchError on timeout or exit."""
        deadline = time.monotonic() + timeout
        while not done(self):
            left = deadline - time.monotonic()
            if left <= 0 or (not self._read(min(left, 0.05)) and self.poll() is not None):
                if done(self):
                    break
                ended = "it ended" if self.exit_code is not None else f"{timeout:g} s passed"
                raise BenchError(f"{what}: {ended} first. Last output: {self.tail()!r}")
        return self.chunks[-1][0] if self.chunks else time.monotonic()

    def wait_for_text(self, text: str, timeout: float) -> float:
        """When `text` first reached the terminal (the end of the read that brought it)."""
        needle = text.encode()
        self.wait_for(lambda t: needle in t.output, timeout, f"waiting for {text!r}")
        return self.time_of(self.output.index(needle) + len(needle))

    def time_of(self, offset: int) -> float:
        """When the byte at `offset - 1` was read."""
        for t, end in self.chunks:
            if end >= offset:
                return t
        raise BenchError(f"no output up to byte {offset}")

    def bytes_between(self, start: float, end: float) -> int:
        """Bytes read in the window (start, end]."""
        before = 0
        total = 0
        for t, chunk_end in self.chunks:
            if start < t <= end:
                total += chunk_end - before
            before = chunk_end
        return total

    def tail(self, n: int = 300) -> bytes:
        return bytes(self.output[-n:])

    # --- measuring -------------------------------------------------------------------------

    def usage(self) -> Usage:
        return usage(self.pid)

    def window(self, seconds: float) -> Window:
        """Read for `seconds` and say what the program did meanwhile."""
        before = self.usage()
        start = time.monotonic()
        self.pump(seconds)
        after = self.usage()
        end = time.monotonic()
        cpu = after.cpu - before.cpu
        return Window(start, end, self.bytes_between(start, end), cpu, after.rss_mb)

    def first_full_frame(self) -> float | None:
        """When every row of the screen had been drawn at least once after the switch to the
        alternate screen (Textual's first complete frame), or None if it never was."""
        start = self.output.find(ALT_SCREEN)
        if start < 0:
            return None
        rows = self.size[1]
        seen: set[int] = set()
        for match in _CURSOR_TO.finditer(self.output, start):
            row = int(match.group(1))
            if 1 <= row <= rows:
                seen.add(row)
                if len(seen) == rows:
                    return self.time_of(match.end())
        return None

    # --- ending ----------------------------------------------------------------------------

    def poll(self) -> int | None:
        if self.exit_code is None:
            pid, raw = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(raw)
                self.exit_code = 128 - code if code < 0 else code
        return self.exit_code

    def stop(self, keys: bytes = b"q", grace: float = 5.0) -> int:
        """Ask it to quit (`keys`), then SIGTERM, then SIGKILL; its exit code."""
        steps: list[Callable[[], None]] = [
            lambda: os.write(self.fd, keys),
            lambda: os.kill(self.pid, signal.SIGTERM),
            lambda: os.kill(self.pid, signal.SIGKILL),
        ]
        for step in steps if keys else steps[1:]:
            if self.poll() is not None:
                break
            with contextlib.suppress(OSError):  # it ended meanwhile
                step()
            deadline = time.monotonic() + grace
            while self.poll() is None and time.monotonic() < deadline:
                self._read(0.05)
        if self.poll() is None:
            os.waitpid(self.pid, 0)
            self.exit_code = 137
        return self.exit_code

    def close(self) -> None:
        if self.exit_code is None:
            self.stop(keys=b"")
        os.close(self.fd)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the program closed the terminal
            time.sleep(min(timeout, 0.01))
            return False
        if data:
            self.output += data
            self.chunks.append((time.monotonic(), len(self.output)))
        return bool(data)


@dataclass(frozen=True, slots=True)
class Session:
    ready: float  # seconds from the fork to `marker` on screen
    window: Window


def session(
    argv: Sequence[str],
    env: Mapping[str, str],
    *,
    marker: str,
    settle: float,
    window: float,
    size: tuple[int, int] = (120, 40),
    timeout: float = 60.0,
    quit_keys: bytes = b"q",
) -> Session:
    """Start `argv` in a pty, wait for `marker` on screen, let it settle for `settle` seconds,
    measure a window of `window` seconds, quit it (`quit_keys`, then signals)."""
    with Terminal.spawn(argv, env, size) as term:
        ready = term.wait_for_text(marker, timeout) - term.started
        term.pump(settle)
        measured = term.window(window)
        if term.poll() is not None:
            raise BenchError(f"{argv[1]} ended ({term.exit_code}) early: {term.tail()!r}")
        term.stop(quit_keys)
    return Session(ready, measured)
