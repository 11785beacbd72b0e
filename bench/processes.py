"""The processes a benchmark starts: the simulator (`roma-tui simulate` in its own process,
on 127.0.0.1), roma-tui itself, the baseline apps, and the environment they all share.

Every program gets a private home (no config, state or cache of the user's, no credentials
from the environment), `TERM=xterm-256color` without `COLORTERM` (256 colours, what an SSH
session usually has) and the same interpreter as the harness.
"""

from __future__ import annotations

import compileall
import importlib.util
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from bench.terminal import BenchError

BENCH = Path(__file__).resolve().parent
APPS = BENCH / "apps"
PYTHON = sys.executable
ROMA_TUI = str(Path(PYTHON).with_name("roma-tui"))  # the console script, as users run it
PROBE = str(BENCH / "probe.py")
_PRIVATE = (
    "ROMA_TUI_",
    "ROMA_SIM_",
    "HUAWEICLOUD_",
    "HW_",
    "TEXTUAL",
    "COLORTERM",
    "NO_COLOR",
    "PYTHONDONTWRITEBYTECODE",  # every program runs from bytecode: see `compile_roma_tui`
)
_IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", re.M)


def compile_roma_tui() -> None:
    """roma-tui's modules compiled to bytecode, as `pip install` leaves them (it compiles a
    wheel's modules, and Textual's, pydantic's and the SDK's were installed so). A checkout
    run with PYTHONDONTWRITEBYTECODE has none: every start of roma-tui, and of no baseline,
    would compile its ~60 modules again (~0.1 s)."""
    spec = importlib.util.find_spec("roma_tui")
    assert spec is not None and spec.submodule_search_locations is not None
    for where in spec.submodule_search_locations:
        compileall.compile_dir(where, quiet=1)


def environment(home: Path, **extra: str) -> dict[str, str]:
    """The environment of every program a benchmark runs (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_PRIVATE)}
    for name in ("config", "state", "cache"):
        (home / f".{name}").mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        TERM="xterm-256color",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
    )
    env.update(extra)
    return env


def app(name: str, *args: str) -> list[str]:
    """The argv of a baseline app under bench/apps/ (same interpreter as the harness)."""
    return [PYTHON, str(APPS / f"{name}.py"), *args]


def probed(out: Path, argv: list[str]) -> list[str]:
    """`argv` (a python program) run under bench/probe.py, which writes its events to `out`."""
    if argv[0] == ROMA_TUI:
        target = ["-m", "roma_tui", *argv[1:]]
    elif argv[0] == PYTHON:
        target = argv[1:]
    else:
        raise ValueError(f"only python programs can be probed, not {argv[0]}")
    return [PYTHON, PROBE, str(out), "--", *target]


def importing(argv: list[str]) -> list[str]:
    """`argv` (a python program) run with `-X importtime`: see `imported`."""
    return [PYTHON, "-X", "importtime", *(argv[1:] if argv[0] == PYTHON else argv)]


def imported(stderr: str) -> set[str]:
    """The top-level packages a program run by `importing` imported, from its stderr."""
    return {name.split(".")[0] for name in _IMPORTED.findall(stderr)}


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a simulator listens and what it accepts (from its banner)."""

    url: str
    project_id: str
    token: str
    ak: str
    sk: str

    def roma_tui(self, *args: str, interval: float | None = None) -> list[str]:
        """roma-tui's argv against this simulator (the token comes from `token_env`)."""
        argv = [ROMA_TUI, "--endpoint", self.url, "--project-id", self.project_id]
        if interval is not None:
            argv += ["--interval", f"{interval:g}"]
        return [*argv, *args]

    @property
    def token_env(self) -> dict[str, str]:
        return {"ROMA_TUI_TOKEN": self.token}

    @property
    def aksk_env(self) -> dict[str, str]:
        return {"HUAWEICLOUD_SDK_AK": self.ak, "HUAWEICLOUD_SDK_SK": self.sk}


class Simulator:
    """`roma-tui simulate --port 0 --scenario SPEC --speed X` in its own process."""

    def __init__(self, scenario: str | Path, speed: float = 1.0, timeout: float = 60.0) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="roma-bench-sim-")
        home = Path(self._dir.name)
        self._log = home / "simulator.out"
        argv = [ROMA_TUI, "simulate", "--port", "0", "--scenario", str(scenario)]
        argv += ["--speed", f"{speed:g}"]
        with open(self._log, "wb") as log:
            self.process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, env=environment(home / "home")
            )
        self.endpoint = self._banner(timeout)

    def _banner(self, timeout: float) -> Endpoint:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self._log.read_text(encoding="utf-8", errors="replace")
            if "Ctrl-C" in text:
                lines = dict(line.partition(": ")[::2] for line in text.splitlines())
                return Endpoint(
                    lines["endpoint"], lines["project id"], lines["token"], lines["ak"], lines["sk"]
                )
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.close()
        raise BenchError(f"the simulator did not start: {text.strip()[-500:]!r}")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl-C: uvicorn stops gracefully
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._dir.cleanup()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
