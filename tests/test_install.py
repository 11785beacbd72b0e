"""The install a newcomer gets: a wheel built from this checkout, in a clean venv, no extras.

What `pipx install .` and `uv tool install .` do, minus the tool: build the wheel, install it
with pip into a fresh virtual environment (dependencies from the package index, or pip's
cache), and run the installed `roma-tui`: --version, --demo --help, completion, and
`simulate` serving the simulator on loopback (it needs nothing beyond the base install).
Slow-ish (tens of seconds, mostly the dependency install), so it runs once per session.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from roma_tui import __version__
from roma_tui.simulator.credentials import DEMO_REGION, DEMO_TOKEN

ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    assert result.returncode == 0, f"{argv}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The `roma-tui` script of a clean venv holding only the wheel and its dependencies."""
    root = tmp_path_factory.mktemp("install")
    dist = root / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, ROOT)
    (wheel,) = dist.glob("roma_tui-*.whl")
    venv.EnvBuilder(with_pip=True).create(root / "venv")
    bin_dir = root / "venv" / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        wheel)  # fmt: skip
    yield bin_dir / "roma-tui"


def test_the_installed_command_answers(installed: Path) -> None:
    assert run(installed, "--version").stdout.strip() == f"roma-tui {__version__}"
    assert "--demo" in run(installed, "--demo", "--help").stdout
    assert "complete " in run(installed, "completion", "bash").stdout


def test_the_install_has_no_test_tools(installed: Path) -> None:
    python = installed.parent / "python"
    probe = "import importlib.util as u; print([m for m in ('pytest', 'huaweicloudsdkcore') " \
        "if u.find_spec(m)])"  # fmt: skip
    assert run(python, "-c", probe).stdout.strip() == "[]"


def test_simulate_serves_from_a_plain_install(installed: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROMA_SIM_")}
    proc = subprocess.Popen(
        [str(installed), "simulate", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        lines: dict[str, str] = {}
        for line in proc.stdout:
            key, _, value = line.rstrip("\n").partition(": ")
            lines[key] = value
            if line.startswith("Ctrl-C"):
                break
        endpoint = lines["endpoint"]
        answer = httpx.get(
            f"{endpoint}/v3/projects",
            params={"name": DEMO_REGION},
            headers={"X-Auth-Token": DEMO_TOKEN},
            timeout=10,
        )
        assert answer.status_code == 200
        assert [p["id"] for p in answer.json()["projects"]] == [lines["project id"]]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.stderr is not None
    assert "Traceback" not in proc.stderr.read()
