"""The `roma-tui` command line: options, subcommand plumbing, exit codes, masking."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import AK, PASSWORD, PROJECT, SECURITY_TOKEN, SK, TOKEN

from roma_tui import __version__, cli
from roma_tui.cli import build_parser, main
from roma_tui.config import parse_duration


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME and XDG dirs, and none of the user's credential variables."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for name in list(os.environ):
        if name.startswith(("ROMA_TUI_", "HUAWEICLOUD_SDK_", "HW_")):
            monkeypatch.delenv(name)
    return home


REGION = "cn-north-4"


def _write_config(home: Path, text: str, mode: int = 0o600) -> Path:
    path = home / ".config" / "roma-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


# --- parsing ---------------------------------------------------------------------------------


def test_connection_options_before_and_after_the_subcommand() -> None:
    parser = build_parser()
    args = parser.parse_args(["--region", "cn-north-4", "status", "--project-id", "p1"])
    assert (args.command, args.region, args.project_id) == ("status", "cn-north-4", "p1")
    args = parser.parse_args(["status", "--region", "cn-north-4", "--insecure"])
    assert args.region == "cn-north-4"
    assert args.insecure is True
    args = parser.parse_args(["--insecure", "wait", "abc", "--endpoint", "https://x.example"])
    assert args.insecure is True
    assert args.endpoint == "https://x.example"
    assert args.instance_id == "abc"


def test_the_later_option_wins_and_neither_clobbers_the_other() -> None:
    parser = build_parser()
    args = parser.parse_args(["--region", "first", "config", "--region", "second"])
    assert args.region == "second"
    args = parser.parse_args(["--profile", "prod", "config", "--config", "/tmp/c.toml"])
    assert args.profile == "prod"
    assert args.config == "/tmp/c.toml"
    args = parser.parse_args(["--demo", "status"])
    assert args.demo is True
    args = parser.parse_args(["--interval", "5", "wait", "x"])
    assert args.interval == "5"
    args = parser.parse_args(["--interval", "5", "wait", "x", "--interval", "30s"])
    assert args.interval == "30s"


def test_every_subcommand_accepts_every_connection_option() -> None:
    options = {
        "--endpoint",
        "--region",
        "--project-id",
        "--profile",
        "--config",
        "--token-file",
        "--ca-bundle",
        "--insecure",
        "--log-file",
    }
    parser = build_parser()
    subcommands = _subparsers(parser)
    del subcommands["completion"]  # prints a script; it connects to nothing
    for name, sub in {"": parser, **subcommands}.items():
        present = {opt for action in sub._actions for opt in action.option_strings}
        assert options <= present, name or "top level"


def test_no_option_takes_a_secret_value() -> None:
    parser = build_parser()
    secret_words = ("token", "password", "passwd", "secret", "key", "sk", "ak", "credential")
    for name, sub in {"": parser, **_subparsers(parser)}.items():
        for action in sub._actions:
            for option in action.option_strings:
                words = option.lstrip("-").split("-")
                if option == "--token-file":
                    assert action.metavar == "PATH"
                    continue
                assert not any(w in secret_words for w in words), f"{name} {option}"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90m", 5400.0),
        ("1h30m", 5400.0),
        ("45s", 45.0),
        ("300", 300.0),
        ("1h", 3600.0),
        ("2m30s", 150.0),
        ("1.5", 1.5),
        (" 10M ", 600.0),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "90x", "m", "-5", "0", "0m", "1h-3m", "nan", "inf"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


def test_bad_timeout_is_a_clear_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wait", "abc", "--timeout", "soon"]) == 3
    err = capsys.readouterr().err
    assert "argument --timeout: invalid duration 'soon'" in err
    assert "90m" in err


def test_wait_defaults(home: Path) -> None:
    args = build_parser().parse_args(["wait", "abc"])
    assert args.timeout == 3600.0


def test_wait_help_documents_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wait", "--help"]) == 0
    out = capsys.readouterr().out
    for line in ("0    the instance is running", "2    timed out", "130  interrupted"):
        assert line in out
    assert "4    no such instance" in out
    assert "3    configuration, authentication" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"roma-tui {__version__}"


# --- roma-tui config -------------------------------------------------------------------------


def test_config_prints_every_value_with_its_source_and_no_secret(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_config(home, f'[profiles.default]\nproject_id = "{PROJECT}"\ninterval = 15\n')
    monkeypatch.setenv("ROMA_TUI_TOKEN", TOKEN)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN)
    monkeypatch.setenv("ROMA_TUI_PASSWORD", PASSWORD)
    assert main(["--region", "cn-north-4", "config"]) == 0
    captured = capsys.readouterr()
    everything = captured.out + captured.err
    for secret in (TOKEN, SK, SECURITY_TOKEN, PASSWORD):
        assert secret not in everything
    out = captured.out
    assert "https://roma.cn-north-4.myhuaweicloud.com  (flag --region)" in out
    assert f"{PROJECT}  (config file ~/.config/roma-tui/config.toml [profile default])" in out
    assert "15s" in out
    assert "token           set  (env ROMA_TUI_TOKEN)" in out
    assert "sk              set  (env HUAWEICLOUD_SDK_SK)" in out
    assert "auth            token  (auto (a token is set))" in out
    assert captured.err == ""


def test_config_options_after_the_subcommand(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ROMA_TUI_TOKEN", TOKEN)
    code = main(["config", "--endpoint", "https://roma.example", "--project-id", PROJECT])
    assert code == 0
    out = capsys.readouterr().out
    assert "https://roma.example  (flag --endpoint)" in out
    assert f"{PROJECT}  (flag --project-id)" in out


def test_config_without_credentials_shows_what_it_has_then_exits_3(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "--region", "cn-north-4", "--project-id", PROJECT]) == 3
    captured = capsys.readouterr()
    assert "endpoint" in captured.out
    err_lines = captured.err.strip().splitlines()
    assert len(err_lines) == 1
    assert err_lines[0].startswith("roma-tui: no credentials")
    assert "roma-tui --demo" in err_lines[0]


def test_unknown_profile_is_one_line_and_exit_3(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_config(home, "[profiles.prod]\n[profiles.dev]\n")
    assert main(["status", "--profile", "nope"]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("roma-tui: unknown profile 'nope'")
    assert "dev, prod" in captured.err
    assert "Traceback" not in captured.err


def test_plain_http_to_a_remote_host_is_refused(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ROMA_TUI_TOKEN", TOKEN)
    argv = ["config", "--endpoint", "http://example.com", "--project-id", PROJECT]
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert "roma-tui: refusing to send a token over plain http to example.com" in err


def test_world_readable_secrets_warn_on_stderr(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f'region = "cn-north-4"\nproject_id = "{PROJECT}"\ntoken = "{TOKEN}"\n'
    _write_config(home, text, 0o644)
    assert main(["config"]) == 0
    captured = capsys.readouterr()
    assert "roma-tui: warning: config file ~/.config/roma-tui/config.toml holds secrets" in (
        captured.err
    )
    assert TOKEN not in captured.err + captured.out


def test_the_tuis_warnings_are_notified_and_printed_once_the_screen_is_gone(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The configuration is read behind the first frame: its warnings cannot go to stderr then
    (the screen is Textual's); the app shows them, and they are printed after it ends."""
    notified: list[tuple[str, ...]] = []

    def run_tui(start: Any, options: Any) -> int:
        notified.append(start(lambda prompt: "").warnings)
        assert capsys.readouterr().err == ""  # nothing written over the screen
        return 0

    monkeypatch.setattr("roma_tui.tui.app.run_tui", run_tui)
    monkeypatch.setenv("ROMA_TUI_TOKEN", TOKEN)
    assert main(["--insecure", *REMOTE]) == 0
    ((warning,),) = notified
    assert warning.startswith("TLS certificate verification is off (--insecure)")
    assert capsys.readouterr().err == f"roma-tui: warning: {warning}\n"


def test_insecure_warns(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["config", "--insecure"])
    err = capsys.readouterr().err
    assert "roma-tui: warning: TLS certificate verification is off" in err


def test_keyboard_interrupt_exits_130_without_traceback(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_config", interrupted)
    assert main(["config"]) == 130
    assert "Traceback" not in capsys.readouterr().err


def test_log_file_gets_a_debug_log(home: Path, tmp_path: Path) -> None:
    log = tmp_path / "roma.log"
    assert main(["--log-file", str(log), "config", "--profile", "nope"]) == 3
    text = log.read_text(encoding="utf-8")
    assert f"roma-tui {__version__} starting: config" in text
    assert "profile 'nope'" in text


def test_unopenable_log_file_is_a_config_error(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "--log-file", str(tmp_path / "no" / "dir" / "x.log")]) == 3
    assert capsys.readouterr().err.startswith("roma-tui: cannot open log file")


def _loaded_by(args: list[str]) -> set[str]:
    """The top-level packages a fresh `roma-tui ARGS` process has imported when it is done
    (a `None` in `sys.modules` blocks an import: roma_tui.api blocks httpx's CLI)."""
    code = (
        "import sys\n"
        "from roma_tui.cli import main\n"
        f"main({args!r})\n"
        "loaded = {name.split('.')[0] for name, m in sys.modules.items() if m is not None}\n"
        "print('loaded:', *sorted(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )
    assert result.returncode == 0, result.stderr
    last = result.stdout.splitlines()[-1].split()
    assert last[0] == "loaded:"
    return set(last[1:])


def test_status_wait_and_config_never_load_textual(home: Path) -> None:
    for args in (["config"], ["status", "--demo", "--json"], ["wait", "--help"]):
        assert "textual" not in _loaded_by(args), args


def test_status_json_loads_neither_rich_nor_httpx_command_line(home: Path) -> None:
    """`--json` prints no Rich renderable; httpx's own CLI (click, rich) is never wanted."""
    loaded = _loaded_by(["status", "--demo", "--json"])
    assert "httpx" in loaded
    assert not loaded & {"rich", "click", "pygments", "textual"}


def test_status_without_a_history_never_loads_the_store(home: Path) -> None:
    """No database yet (a first `status`): nothing usual to read, and neither the history
    store nor sqlite3 is loaded to find that out."""
    code = (
        "import sys\n"
        "from roma_tui.cli import _typical\n"
        "from roma_tui.clock import SystemClock\n"
        "from roma_tui.config import Config\n"
        "typical = _typical(Config(history=True), 'https://x', SystemClock(), demo=False)\n"
        "print(typical, 'roma_tui.monitor.history' in sys.modules, 'sqlite3' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["None", "False", "False"], result.stderr


def test_help_loads_neither_pydantic_nor_httpx_nor_textual(home: Path) -> None:
    loaded = _loaded_by(["--help"])
    assert not loaded & {"pydantic", "pydantic_core", "httpx", "textual", "asyncio"}


# --- subcommand plumbing (other owners' entry points replaced by recorders) --------------------


def test_status_demo_runs_on_the_simulator(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    async def run_status(client: Any, clock: Any, ids: list[str], **kwargs: Any) -> int:
        listed = await client.list_instances()
        calls.append({"ids": ids, "total": listed.total, "method": client.auth_method, **kwargs})
        return 0

    monkeypatch.setattr("roma_tui.scripting.status.run_status", run_status)
    assert main(["status", "--demo", "--json", "--status", "CREATING", "a", "b"]) == 0
    (call,) = calls
    assert call["ids"] == ["a", "b"]
    assert call["as_json"] is True
    assert call["status"] == "CREATING"
    assert call["method"] == "token"
    assert (call["total"] or 0) > 0
    assert call["out"] is sys.stdout


def test_status_without_config_exits_3_before_any_request(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def run_status(*args: Any, **kwargs: Any) -> int:
        raise AssertionError("must not run")

    monkeypatch.setattr("roma_tui.scripting.status.run_status", run_status)
    assert main(["status"]) == 3
    assert capsys.readouterr().err.startswith("roma-tui: no endpoint")


def test_wait_passes_timeout_and_interval(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    async def run_wait(client: Any, clock: Any, instance_id: str, **kwargs: Any) -> int:
        calls.append({"id": instance_id, "endpoint": client.endpoint, **kwargs})
        return 1

    monkeypatch.setattr("roma_tui.scripting.wait.run_wait", run_wait)
    monkeypatch.setenv("ROMA_TUI_TOKEN", TOKEN)
    argv = ["--region", "cn-north-4", "wait", "inst-1", "--timeout", "1h30m"]
    assert main([*argv, "--project-id", PROJECT, "--interval", "30s"]) == 1
    assert main(["--interval", "5", *argv, "--project-id", PROJECT]) == 1
    first, second = calls
    assert first["id"] == "inst-1"
    assert first["endpoint"] == "https://roma.cn-north-4.myhuaweicloud.com"
    assert first["timeout"] == 5400.0
    assert first["interval"] == 30.0
    assert second["interval"] == 5.0


def test_simulate_passes_its_options(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def serve(**kwargs: Any) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr("roma_tui.simulator.server.serve", serve)
    argv = ["simulate", "--port", "9000", "--speed", "5", "--faults", "latency=0.2"]
    assert main(argv) == 0
    assert calls == [{"port": 9000, "speed": 5.0, "faults": "latency=0.2"}]
    assert main(["simulate", "--port", "99999"]) == 3


def _record_tui(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any, str | None]]:
    import roma_tui.tui.app as tui_app

    calls: list[tuple[Any, Any, str | None]] = []

    def run_tui(start: Any, options: Any) -> int:  # the start-up, without the screen
        started = start(lambda prompt: "")
        calls.append((started.monitor, started.options, started.problem))
        return 0

    monkeypatch.setattr(tui_app, "run_tui", run_tui)
    return calls


def test_tui_without_configuration_starts_with_a_problem_not_a_traceback(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _record_tui(monkeypatch)
    assert main([]) == 3
    ((monitor, options, problem),) = calls
    assert monitor is None
    assert problem is not None and problem.startswith("no endpoint")
    assert "roma-tui --demo" in problem
    assert options.mouse is True
    assert options.auth_description == "none"


def test_tui_demo_with_flags(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _record_tui(monkeypatch)
    assert main(["--demo", "--no-mouse", "--no-bell", "--interval", "3", "--speed", "120"]) == 0
    ((monitor, options, problem),) = calls
    assert problem is None
    assert monitor is not None
    assert options.mouse is False
    assert options.bell is False
    assert options.interval == 3.0
    assert "demo" in options.endpoint_label


def test_tui_shows_auth_without_secrets(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _record_tui(monkeypatch)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SK)
    assert main(["--region", "cn-north-4", "--project-id", PROJECT]) == 0
    ((monitor, options, problem),) = calls
    assert problem is None
    assert monitor is not None
    assert options.auth_description == "AK/SK HPUA…0001"
    assert SK not in repr(options)


def test_speed_needs_demo(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--speed", "10"]) == 3
    assert "--speed only applies to --demo" in capsys.readouterr().err


def test_demo_takes_a_generated_scenario(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    totals: list[int | None] = []

    async def run_status(client: Any, clock: Any, ids: list[str], **kwargs: Any) -> int:
        totals.append((await client.list_instances()).total)
        return 0

    monkeypatch.setattr("roma_tui.scripting.status.run_status", run_status)
    assert main(["--demo", "--scenario", "large:30", "status"]) == 0
    assert totals == [30]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--demo", "--scenario", "missing.toml", "status"], "cannot read scenario missing.toml"),
        (["--demo", "--scenario", "large:0", "status"], "takes a positive count"),
        (["--demo", "--faults", "bogus=1", "status"], "unknown fault 'bogus=1'"),
        (["--faults", "error_rate=0.5"], "--faults only applies to --demo"),
        (["--demo", "--faults", "token_ttl=1e300", "status"], "it must be from 0 to 31536000"),
        (["--demo", "--faults", "latency=inf", "status"], "not a finite number"),
        (["wait", "x", "--timeout", "99999999999999"], "more than the longest wait, 7 days"),
        (["--demo", "--speed", "1e300", "status"], "must be from 0.01 to 100000 times"),
        (["simulate", "--speed", "0"], "must be from 0.01 to 100000 times"),
    ],
)
def test_bad_demo_options_and_numbers_out_of_range_are_usage_errors(
    home: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


# --- end to end: the real commands against the simulator on a loopback socket -----------------


@pytest.fixture
def live_sim(sim_socket: Any) -> Iterator[tuple[str, Any]]:
    """The simulator on the real clock (AK/SK dates and IAM expiry are checked against it)."""
    from roma_tui.clock import SystemClock
    from roma_tui.simulator import create_app

    app = create_app(clock=SystemClock(), speed=1.0)
    sim_socket.install(app)
    try:
        yield sim_socket.base_url, app.sim.credentials
    finally:
        sim_socket.install(None)


def _auth_env(method: str, base_url: str, creds: Any) -> dict[str, str]:
    if method == "token":
        return {"ROMA_TUI_TOKEN": creds.token.get_secret_value()}
    if method == "aksk":
        return {"HUAWEICLOUD_SDK_AK": creds.ak, "HUAWEICLOUD_SDK_SK": creds.sk.get_secret_value()}
    return {
        "ROMA_TUI_IAM_USER": creds.iam_user,
        "ROMA_TUI_IAM_DOMAIN": creds.iam_domain,
        "ROMA_TUI_PASSWORD": creds.iam_password.get_secret_value(),
        "HUAWEICLOUD_SDK_IAM_ENDPOINT": base_url,
    }


@pytest.mark.parametrize("given", ["project id", "only a region"])
@pytest.mark.parametrize("method", ["token", "aksk", "password"])
def test_status_json_end_to_end_with_each_auth_method(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    live_sim: tuple[str, Any],
    method: str,
    given: str,
) -> None:
    base_url, creds = live_sim
    for name, value in _zero_config_env(method, base_url, creds).items():
        monkeypatch.setenv(name, value)
    where = ["--endpoint", base_url]
    where += ["--project-id", creds.project_id] if given == "project id" else ["--region", REGION]
    assert main(["status", "--json", *where]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    document = json.loads(out)
    assert len(document["instances"]) >= 10
    for secret in (creds.token, creds.sk, creds.iam_password):
        assert secret.get_secret_value() not in out
    cache = home / ".cache" / "roma-tui" / "projects.json"
    if given == "project id":
        assert not cache.exists()
        return
    assert oct(cache.stat().st_mode & 0o777) == "0o600"
    assert creds.project_id in cache.read_text(encoding="utf-8")
    assert main(["config", *where]) == 0
    out = capsys.readouterr().out
    assert f"project id      {creds.project_id}  (discovered via IAM, cached)" in out


def test_status_with_a_wrong_token_exits_3(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    live_sim: tuple[str, Any],
) -> None:
    base_url, creds = live_sim
    monkeypatch.setenv("ROMA_TUI_TOKEN", "not-the-token")
    assert main(["--endpoint", base_url, "status", "--project-id", creds.project_id]) == 3
    assert "Traceback" not in capsys.readouterr().err


def test_wait_for_a_missing_instance_exits_4(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    live_sim: tuple[str, Any],
) -> None:
    base_url, creds = live_sim
    monkeypatch.setenv("ROMA_TUI_TOKEN", creds.token.get_secret_value())
    argv = ["wait", "no-such-instance", "--endpoint", base_url, "--project-id", creds.project_id]
    assert main(argv) == 4
    assert "Traceback" not in capsys.readouterr().err


def test_wait_interrupted_exits_130(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def run_wait(*args: Any, **kwargs: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("roma_tui.scripting.wait.run_wait", run_wait)
    assert main(["wait", "x", "--demo"]) == 130


# --- bad numbers, endpoints and secrets: one line, exit 3, never a traceback -----------------


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


REMOTE = ["--region", REGION, "--project-id", PROJECT]


@pytest.mark.parametrize(
    "argv",
    [
        ["--interval", "99999999999999", "status", *REMOTE],
        ["--interval", "0.0001", "status", *REMOTE],
        ["--interval", "1e400", "status", *REMOTE],
        ["wait", "inst-1", "--interval", "0.0001", *REMOTE],
        ["--interval", "0", "config", *REMOTE],
    ],
)
def test_an_interval_out_of_range_is_one_line_and_exit_3(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    monkeypatch.setenv("ROMA_TUI_TOKEN", TOKEN)
    assert main(argv) == 3
    line = _one_line_error(capsys)
    assert line.startswith("roma-tui: interval from flag --interval must be between 1 s and 1 day")


def test_an_interval_of_1e300_in_a_profile_is_one_line_and_exit_3(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_config(home, "[profiles.default]\ninterval = 1e300\n")
    monkeypatch.setenv("ROMA_TUI_TOKEN", TOKEN)
    assert main(["status", *REMOTE]) == 3
    line = _one_line_error(capsys)
    assert line == (
        "roma-tui: interval from config file ~/.config/roma-tui/config.toml [profile default] "
        "must be between 1 s and 1 day (86400 s), not 1e+300"
    )


def test_the_tui_refuses_an_interval_out_of_range_with_its_problem_screen(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _record_tui(monkeypatch)
    monkeypatch.setenv("ROMA_TUI_TOKEN", TOKEN)
    assert main(["--interval", "0.0001", *REMOTE]) == 3
    ((monitor, _, problem),) = calls
    assert monitor is None
    assert problem is not None and problem.startswith("interval from flag --interval")


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [("http://127.0.0.1:99999", "its port is out of range"), ("http://[::1", "it is malformed")],
)
@pytest.mark.parametrize("command", ["status", "config"])
def test_a_bad_endpoint_is_one_line_and_exit_3(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    endpoint: str,
    reason: str,
) -> None:
    monkeypatch.setenv("ROMA_TUI_TOKEN", TOKEN)
    assert main([command, "--endpoint", endpoint, "--project-id", PROJECT]) == 3
    assert _one_line_error(capsys) == (
        f"roma-tui: endpoint from flag --endpoint is not a usable URL ({reason}), not {endpoint!r}"
    )


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:99999", "http://[::1"])
def test_the_tui_shows_a_bad_endpoint_on_its_problem_screen(
    home: Path, monkeypatch: pytest.MonkeyPatch, endpoint: str
) -> None:
    calls = _record_tui(monkeypatch)
    monkeypatch.setenv("ROMA_TUI_TOKEN", TOKEN)
    assert main(["--endpoint", endpoint, "--project-id", PROJECT]) == 3
    ((monitor, _, problem),) = calls
    assert monitor is None
    assert problem is not None and "is not a usable URL" in problem


def test_a_two_line_token_file_is_one_line_without_the_token(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "token"
    path.write_text(f"{TOKEN}\nsecond-line-{TOKEN}\n", encoding="utf-8")
    path.chmod(0o600)
    assert main(["status", "--token-file", str(path), *REMOTE]) == 3
    captured = capsys.readouterr()
    assert TOKEN not in captured.err + captured.out
    assert captured.err == (
        f"roma-tui: token from flag --token-file {path} has a line break inside: "
        "the file must hold the token alone, on one line\n"
    )


def test_a_security_token_with_a_line_break_is_one_line_without_it(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", f"{SECURITY_TOKEN}\r\nX-Evil: 1")
    assert main(["status", *REMOTE]) == 3
    captured = capsys.readouterr()
    assert SECURITY_TOKEN not in captured.err + captured.out
    assert "X-Evil" not in captured.err
    assert captured.err.startswith(
        "roma-tui: security token from env HUAWEICLOUD_SDK_SECURITY_TOKEN has a line break inside"
    )


def test_a_typo_in_the_project_id_is_one_line_before_any_request(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def run_status(*args: Any, **kwargs: Any) -> int:
        raise AssertionError("must not run")

    monkeypatch.setattr("roma_tui.scripting.status.run_status", run_status)
    monkeypatch.setenv("ROMA_TUI_TOKEN", TOKEN)
    typo = PROJECT[:-1] + "x"
    assert main(["status", "--region", "cn-north-4", "--project-id", typo]) == 3
    assert "project id from flag --project-id is not a project id" in _one_line_error(capsys)


# --- help and completion -----------------------------------------------------------------------


def test_simulate_help_documents_the_faults_syntax(capsys: pytest.CaptureFixture[str]) -> None:
    from roma_tui.simulator.faults import FAULTS_HELP

    assert main(["simulate", "--help"]) == 0
    out = capsys.readouterr().out
    assert FAULTS_HELP.strip() in out
    for key in ("latency=S", "error_rate=P", "throttle=N", "token_ttl=S", "apig=1", "seed=N"):
        assert key in out


def test_help_never_loads_the_simulator() -> None:
    code = (
        "import sys\n"
        "from roma_tui.cli import main\n"
        "main(['--help'])\n"
        "assert 'roma_tui.simulator' not in sys.modules, 'the simulator was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script_for_each_shell(
    capsys: pytest.CaptureFixture[str], shell: str
) -> None:
    assert main(["completion", shell]) == 0
    out = capsys.readouterr().out
    assert "roma-tui" in out
    assert {"bash": "complete ", "zsh": "#compdef roma-tui", "fish": "complete --command"}[
        shell
    ] in out


def _bash_complete(home: Path, line: str) -> list[str]:
    """What bash offers for `line` with roma-tui's completion script loaded."""
    bin_dir = Path(sys.executable).parent
    words = line.split(" ")
    script = (
        'eval "$(roma-tui completion bash)"\n'
        f"COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}\n"
        f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
        f"_python_argcomplete roma-tui {words[-1]!r} {words[-2]!r}\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(home)}
    result = subprocess.run(
        ["bash", "--norc", "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return [w.strip() for w in result.stdout.splitlines() if w.strip()]


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="needs bash")
def test_bash_completes_subcommands_options_and_profile_names(home: Path) -> None:
    assert _bash_complete(home, "roma-tui sta") == ["status"]
    assert "--project-id" in _bash_complete(home, "roma-tui status --pro")
    _write_config(home, "[profiles.prod]\n[profiles.prod-eu]\n[profiles.lab]\n")
    assert _bash_complete(home, "roma-tui --profile pr") == ["prod", "prod-eu"]


# --- zero configuration: only credentials and a region, against the simulator ---------------


def _zero_config_env(method: str, base_url: str, creds: Any) -> dict[str, str]:
    env = _auth_env(method, base_url, creds)
    env["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = base_url
    return env


@pytest.fixture
def aksk_sim(
    home: Path, monkeypatch: pytest.MonkeyPatch, live_sim: tuple[str, Any]
) -> tuple[str, Any]:
    """The simulator, with only its AK/SK and IAM endpoint in the environment."""
    base_url, creds = live_sim
    for name, value in _zero_config_env("aksk", base_url, creds).items():
        monkeypatch.setenv(name, value)
    return live_sim


def test_wait_and_the_tui_with_only_aksk_and_a_region(
    monkeypatch: pytest.MonkeyPatch, aksk_sim: tuple[str, Any]
) -> None:
    base_url, creds = aksk_sim
    where = ["--endpoint", base_url, "--region", "cn-north-4"]
    assert main(["wait", "no-such-instance", *where]) == 4
    calls = _record_tui(monkeypatch)
    assert main(where) == 0
    ((monitor, options, problem),) = calls
    assert problem is None and monitor is not None
    assert options.auth_description == f"AK/SK {creds.ak[:4]}…{creds.ak[-4:]}"


def test_config_says_discovered_via_iam_on_the_first_start(
    capsys: pytest.CaptureFixture[str], aksk_sim: tuple[str, Any]
) -> None:
    base_url, creds = aksk_sim
    assert main(["config", "--endpoint", base_url, "--region", "cn-north-4"]) == 0
    out = capsys.readouterr().out
    assert f"{creds.project_id}  (discovered via IAM at {base_url})" in out


def test_a_region_without_a_project_is_one_line_naming_it_and_the_flag(
    capsys: pytest.CaptureFixture[str], aksk_sim: tuple[str, Any]
) -> None:
    base_url, _ = aksk_sim
    assert main(["status", "--endpoint", base_url, "--region", "ap-southeast-3"]) == 3
    line = _one_line_error(capsys)
    assert "no project named ap-southeast-3" in line
    assert "--project-id ID" in line
