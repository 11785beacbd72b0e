"""Run a Python program with an event-loop probe: `python bench/probe.py OUT -- -m MODULE ARGS`
or `python bench/probe.py OUT -- SCRIPT ARGS`.

The program runs unchanged in this process (runpy, as `python -m` / `python SCRIPT` would);
the probe only watches, through the public or stable surfaces of asyncio, httpx and Textual,
and writes what it saw to OUT as JSON lines, about once a second:

- `["busy", start, end, cpu]`: the main thread's event loop was busy from `start` to `end` (it had
  callbacks to run; it is idle while it waits in its selector with a timeout), and its thread
  spent `cpu` seconds on a CPU meanwhile (less than `end - start` when others had the CPU);
- `["lag", t, seconds]`: a 25 ms timer ran that much late (event-loop lag);
- `["ask", t, kind, path]`, `["answer", t, kind, path]`: an httpx request was sent, and
  finished (`kind`: list, progress or other; `path`: the URL's path);
- `["write", t, bytes]`: Textual's driver was given a frame to write to the terminal.

Times are time.monotonic() (CLOCK_MONOTONIC, shared with the harness). Standard library only:
httpx and Textual are patched when the program has imported them. Nothing of roma_tui is
touched, so the same probe runs the baselines.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import runpy
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

LAG_PERIOD = 0.025  # seconds between lag samples
MIN_BUSY = 0.0002  # busy spells shorter than this are not recorded
FLUSH_EVERY = 40  # lag samples between two writes of the event file

now = time.monotonic
_events: list[list[Any]] = []
_out_path = ""
_patched: set[str] = set()


def _flush() -> None:
    if not _events:
        return
    lines = "".join(json.dumps(event) + "\n" for event in _events)
    _events.clear()
    with open(_out_path, "a", encoding="utf-8") as out:
        out.write(lines)


def _kind(path: str) -> str:
    if path.endswith("/instances"):
        return "list"
    if path.endswith("/process"):
        return "progress"
    return "other"


def _imported(name: str) -> Any:
    """The module once it is imported in full (roma-tui imports httpx in a thread while the
    loop runs: until then, sys.modules holds it half-made)."""
    module = sys.modules.get(name)
    if module is None or getattr(module.__spec__, "_initializing", False):
        return None
    return module


def _patch_httpx() -> None:
    httpx = _imported("httpx")
    if httpx is None or "httpx" in _patched:
        return
    _patched.add("httpx")
    send = httpx.AsyncClient.send

    async def timed_send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        path = request.url.path
        kind = _kind(path)
        _events.append(["ask", now(), kind, path])
        try:
            return await send(self, request, *args, **kwargs)
        finally:
            _events.append(["answer", now(), kind, path])

    httpx.AsyncClient.send = timed_send


def _patch_textual() -> None:
    module = _imported("textual.drivers.linux_driver")
    if module is None or "textual" in _patched:
        return
    _patched.add("textual")
    write = module.LinuxDriver.write

    def timed_write(self: Any, data: str) -> None:
        _events.append(["write", now(), len(data)])
        write(self, data)

    module.LinuxDriver.write = timed_write


def _instrument(loop: asyncio.AbstractEventLoop) -> None:
    if getattr(loop, "_bench_probe", False):
        return
    loop._bench_probe = True  # type: ignore[attr-defined]
    selector = loop._selector  # type: ignore[attr-defined]
    select = selector.select
    busy_since = [now(), time.thread_time()]

    def watched_select(timeout: float | None = None) -> Any:
        idle = timeout is None or timeout > 0
        if idle:
            started, cpu = busy_since
            ended = now()
            if ended - started >= MIN_BUSY:
                _events.append(["busy", started, ended, time.thread_time() - cpu])
        try:
            return select(timeout)
        finally:
            if idle:
                busy_since[:] = now(), time.thread_time()

    selector.select = watched_select
    samples = [0]

    def sample(due: float) -> None:
        _events.append(["lag", now(), max(0.0, loop.time() - due)])
        _patch_httpx()
        _patch_textual()
        samples[0] += 1
        if samples[0] % FLUSH_EVERY == 0:
            _flush()
        next_due = loop.time() + LAG_PERIOD
        loop.call_at(next_due, sample, next_due)

    first = loop.time() + LAG_PERIOD
    loop.call_at(first, sample, first)


def _install() -> None:
    base = asyncio.base_events.BaseEventLoop
    run_forever: Callable[[Any], None] = base.run_forever

    def probed_run_forever(self: Any) -> None:
        if threading.current_thread() is not threading.main_thread():
            run_forever(self)  # a helper's loop (roma-tui's start-up thread): not watched
            return
        _instrument(self)
        _patch_httpx()
        _patch_textual()
        run_forever(self)

    base.run_forever = probed_run_forever  # type: ignore[method-assign]
    atexit.register(_flush)


def main(argv: list[str]) -> None:
    global _out_path
    if len(argv) < 3 or argv[1] != "--":
        raise SystemExit(__doc__)
    _out_path, target = argv[0], argv[2:]
    _install()
    if target[0] == "-m":
        sys.argv = [target[1], *target[2:]]
        sys.path[0] = os.getcwd()
        runpy.run_module(target[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(target)
        sys.path[0] = os.path.dirname(os.path.abspath(target[0]))
        runpy.run_path(target[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
