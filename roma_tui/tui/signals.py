"""Signals end the TUI the way `q` does: SIGTERM, SIGHUP (an SSH disconnect) and SIGINT.

`ExitOnSignal` asks the app to exit on the event loop (asyncio's signal handling: the handler
runs between two callbacks, never in the middle of a repaint), so Textual leaves the terminal
as it found it (alternate screen off, mouse tracking off, cursor shown, line discipline
restored) and the app's own unmount work (the remembered state) runs; the process then exits
with 128 + the signal's number. If the app has not stopped `GRACE` seconds later (a terminal
that is gone can block a write), or on a second signal, the process writes the restoring
sequences itself, best effort, and exits at once with the same code.

Imports the standard library and textual only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import termios
import threading
from typing import Any

from textual.app import App

__all__ = ["GRACE", "SIGNALS", "ExitOnSignal"]

log = logging.getLogger("roma_tui.tui")

SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
#: Seconds an app gets to stop cleanly after a signal.
GRACE = 5.0
# Mouse tracking off (every mode Textual turns on), alternate screen off, cursor shown.
_RESTORE = "\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?2004l\x1b[?1049l\x1b[?25h"


class ExitOnSignal:
    """Installed on the app's event loop for as long as the app runs."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self.received: int | None = None
        self._deadline: threading.Timer | None = None

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        for signum in SIGNALS:
            loop.add_signal_handler(signum, self._on_signal, signum)

    def remove(self, loop: asyncio.AbstractEventLoop) -> None:
        for signum in SIGNALS:
            loop.remove_signal_handler(signum)
        if self._deadline is not None:
            self._deadline.cancel()

    @property
    def exit_code(self) -> int | None:
        """128 + the signal that ended the app; None when none did."""
        return None if self.received is None else 128 + self.received

    def _on_signal(self, signum: int) -> None:
        if self.received is not None:  # asked twice: do not wait any longer
            _exit_now(128 + self.received)
        self.received = signum
        log.debug("%s received: exiting", signal.Signals(signum).name)
        self._deadline = threading.Timer(GRACE, _exit_now, (128 + signum,))
        self._deadline.daemon = True
        self._deadline.start()
        self._app.exit()


def _exit_now(code: int) -> None:
    """Restore what can be restored of the terminal without the app, and exit."""
    stream = sys.__stderr__  # where Textual writes
    with contextlib.suppress(OSError, ValueError, AttributeError):
        assert stream is not None
        fd = stream.fileno()
        os.write(fd, _RESTORE.encode("ascii"))
        attrs = termios.tcgetattr(fd)
        attrs[0] |= termios.ICRNL  # iflag
        attrs[1] |= termios.OPOST | termios.ONLCR  # oflag
        attrs[3] |= termios.ECHO | termios.ICANON | termios.ISIG | termios.IEXTEN  # lflag
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
    os._exit(code)
