"""`roma-tui simulate`: the simulator on a real loopback socket, served by uvicorn.

uvicorn (a dependency of roma-tui) is imported only here and only when serving. Refuses any
host that is not loopback: the simulator accepts public demo credentials. May import
roma_tui.clock and roma_tui.simulator only.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from roma_tui.clock import Clock, SystemClock
from roma_tui.simulator.app import create_app
from roma_tui.simulator.credentials import SimCredentials
from roma_tui.simulator.faults import Faults
from roma_tui.simulator.scenario import Scenario, ScenarioError, scenario_from_spec

DEFAULT_PORT = 8080


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def endpoint_url(host: str, port: int) -> str:
    if host == "localhost":
        host = "127.0.0.1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def banner(
    endpoint: str, credentials: SimCredentials, scenario: Scenario, speed: float, faults: Faults
) -> list[str]:
    """The lines `simulate` prints: where it listens, what it accepts, how to connect."""
    token = credentials.token.get_secret_value()
    return [
        f"roma-tui simulator: scenario {scenario.name} ({len(scenario.instances)} instances), "
        f"speed {speed:g}x, faults {faults.describe()}",
        f"endpoint: {endpoint}",
        f"project id: {credentials.project_id}",
        f"token: {token}",
        f"ak: {credentials.ak}",
        f"sk: {credentials.sk.get_secret_value()}",
        f"iam: user {credentials.iam_user}, domain {credentials.iam_domain}, "
        f"password {credentials.iam_password.get_secret_value()} (IAM endpoint: {endpoint})",
        f"run: ROMA_TUI_TOKEN={token} roma-tui --endpoint {endpoint} "
        f"--project-id {credentials.project_id}",
        f"run without a project id: HUAWEICLOUD_SDK_AK={credentials.ak} "
        f"HUAWEICLOUD_SDK_SK={credentials.sk.get_secret_value()} "
        f"HUAWEICLOUD_SDK_IAM_ENDPOINT={endpoint} roma-tui --endpoint {endpoint} "
        f"--region {credentials.region}",
        "Ctrl-C stops the simulator.",
    ]


def serve(
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    scenario: Scenario | str | Path | None = None,
    speed: float = 1.0,
    faults: Faults | str | None = None,
    credentials: SimCredentials | None = None,
    *,
    clock: Clock | None = None,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Serve the simulator until Ctrl-C; returns an exit code (0 stopped, 1 cannot listen,
    2 bad arguments or uvicorn missing). Credentials default to the demo ones, overridden by
    ROMA_SIM_TOKEN / ROMA_SIM_AK / ROMA_SIM_SK."""
    out = out or sys.stdout
    err = err or sys.stderr
    if not is_loopback(host):
        print(
            f"roma-tui simulate: refusing to listen on {host}: the simulator accepts public demo "
            "credentials, so it only listens on loopback (127.0.0.1).",
            file=err,
        )
        return 2
    if speed <= 0:
        print("roma-tui simulate: --speed must be a positive number.", file=err)
        return 2
    try:
        if not isinstance(scenario, Scenario):
            scenario = scenario_from_spec(scenario)
        if not isinstance(faults, Faults):
            faults = Faults.parse(faults)
    except (ScenarioError, ValueError) as exc:
        print(f"roma-tui simulate: {exc}", file=err)
        return 2
    try:
        import uvicorn
    except ImportError:
        print(
            "roma-tui simulate needs uvicorn, a dependency of roma-tui that is missing here: "
            "reinstall roma-tui (pipx reinstall roma-tui, or pip install --force-reinstall "
            "roma-tui)",
            file=err,
        )
        return 2
    credentials = credentials or SimCredentials.from_env(env)
    app = create_app(
        scenario, clock=clock or SystemClock(), speed=speed, credentials=credentials, faults=faults
    )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    bind_host = "127.0.0.1" if host == "localhost" else host.strip("[]")
    try:
        sock = socket.create_server((bind_host, port), family=family)
    except OSError as exc:
        print(f"roma-tui simulate: cannot listen on {host}:{port}: {exc.strerror}", file=err)
        return 1
    endpoint = endpoint_url(bind_host, sock.getsockname()[1])
    for line in banner(endpoint, credentials, scenario, speed, faults):
        print(line, file=out)
    out.flush()
    config = uvicorn.Config(
        app, interface="asgi3", lifespan="off", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn shut down gracefully, then re-raised the Ctrl-C
    finally:
        sock.close()
    print("simulator stopped.", file=out)
    return 0
