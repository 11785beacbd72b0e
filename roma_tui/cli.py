"""The `roma-tui` command: parse arguments, resolve configuration, run one subcommand.

(no subcommand) the TUI, `status`, `wait`, `history`, `simulate`, `config`. Everything heavy is
imported only where it is used: the TUI, the scripting commands and the simulator inside their
subcommand, the configuration (pydantic) and asyncio once arguments are parsed. `--help` loads
neither pydantic, httpx nor Textual; `status`, `wait` and `config` never load Textual. The TUI
and `wait` record creations in the history (unless --no-history); `status` reads what it says
is usual.

May import everything in roma_tui; nothing in roma_tui imports this module.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import os
import signal
import stat
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

from roma_tui import __version__
from roma_tui.api.errors import ConfigError, RomaError
from roma_tui.api.redaction import RedactingFilter
from roma_tui.clock import Clock, SystemClock

if TYPE_CHECKING:
    from roma_tui.api.client import RetryPolicy, RomaClient
    from roma_tui.config import Config
    from roma_tui.monitor.eta import Typical
    from roma_tui.monitor.history import Recorder
    from roma_tui.tui.app import Ask, Started

PROG = "roma-tui"
EXIT_CONFIG = 3
EXIT_INTERRUPTED = 130
#: stdout (or stderr) was a pipe closed by its reader (`| head -1`): the exit status a process
#: killed by SIGPIPE shows in a shell, as `yes | head -1` gives; no message, no traceback.
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE
#: `status` and `wait` end on these with exit code 128 + signal (SIGINT: 130, see above).
SCRIPT_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
DEFAULT_TIMEOUT = 3600.0
DEMO_SPEED = 60.0
MAX_TIMEOUT = 7 * 86400.0
MIN_SPEED, MAX_SPEED = 0.01, 100_000.0
SHELLS = ("bash", "zsh", "fish")

EXIT_CODES_HELP = """\
exit codes:
  0    the instance is running
  1    creation failed (the reason goes to stderr), or the instance ended up anything
       but running: error, frozen, deleting, deleted
  2    timed out (--timeout)
  3    configuration, authentication or usage error
  4    no such instance
  129  the terminal hung up (SIGHUP)
  130  interrupted (Ctrl-C)
  141  the output pipe was closed (e.g. | head -1)
  143  terminated (SIGTERM)
"""


def _timeout_arg(text: str) -> float:
    from roma_tui.config import parse_duration

    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if seconds > MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"{text!r} is more than the longest wait, 7 days (168h)")
    return seconds


def _since_arg(text: str) -> float:
    from roma_tui.config import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _speed_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or not MIN_SPEED <= value <= MAX_SPEED:
        raise argparse.ArgumentTypeError(
            f"must be from {MIN_SPEED:g} to {MAX_SPEED:g} times real time: {text!r}"
        )
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 3 (a configuration error), so they never look like `wait`'s timeout."""

    #: Builds the epilog when help is shown, so building the parser stays cheap.
    lazy_epilog: Callable[[], str] | None = None

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_CONFIG, f"{self.prog}: error: {message}\n")

    def format_help(self) -> str:
        if self.lazy_epilog is not None:
            self.epilog = self.lazy_epilog()
        return super().format_help()


def _faults_help() -> str:
    from roma_tui.simulator.faults import FAULTS_HELP

    return FAULTS_HELP


def _complete_profiles(prefix: str, parsed_args: argparse.Namespace, **_: object) -> list[str]:
    """argcomplete's completer for --profile: the profiles in the config file."""
    from roma_tui.config import profile_names

    return [name for name in profile_names(getattr(parsed_args, "config", None), os.environ)
            if name.startswith(prefix)]  # fmt: skip


def _add_connection_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # On subcommands every default is SUPPRESS: an option given before the subcommand name
    # survives, one given after it wins, and neither clobbers the other.
    default: dict[str, Any] = {"default": argparse.SUPPRESS} if suppress else {}
    group = parser.add_argument_group(
        "connection options (before or after the subcommand name)",
        "Secrets never go on the command line: use ROMA_TUI_TOKEN or --token-file, "
        "HUAWEICLOUD_SDK_AK/SK or ~/.huaweicloud/credentials, or ROMA_TUI_PASSWORD.",
    )
    group.add_argument(
        "--endpoint", metavar="URL", help="ROMA Connect API base URL (private clouds)", **default
    )
    group.add_argument(
        "--region",
        metavar="REGION",
        help="region, e.g. cn-north-4 (endpoint https://roma.REGION.myhuaweicloud.com)",
        **default,
    )
    group.add_argument("--project-id", metavar="ID", help="project id", **default)
    profile = group.add_argument(
        "--profile", metavar="NAME", help="profile from the config file", **default
    )
    profile.completer = _complete_profiles  # type: ignore[attr-defined]  # argcomplete's hook
    group.add_argument(
        "--config", metavar="PATH", help="config file (default: the platform's)", **default
    )
    group.add_argument(
        "--token-file", metavar="PATH", help="read the IAM token from this file", **default
    )
    group.add_argument(
        "--ca-bundle", metavar="PATH", help="CA certificates to trust (private clouds)", **default
    )
    group.add_argument(
        "--insecure",
        action="store_true",
        help="do not verify TLS certificates (prints a warning)",
        **default,
    )
    group.add_argument(
        "--log-file", metavar="PATH", help="write a debug log to this file", **default
    )
    group.add_argument(
        "--utc",
        action="store_true",
        help="show times in UTC (default: local time, with its zone)",
        **default,
    )


def _add_history_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="do not record creations in the history, nor use it for ETAs",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Watch Huawei Cloud ROMA Connect instances being created. Without a subcommand, "
            "opens the terminal app."
        ),
        epilog="Try it without a cloud account: roma-tui --demo",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_connection_options(parser, suppress=False)
    app = parser.add_argument_group("app options")
    app.add_argument(
        "--demo", action="store_true", help="run against the built-in simulator, no account"
    )
    app.add_argument(
        "--interval",
        metavar="SECONDS",
        help="refresh interval: seconds or a duration like 30s, 2m (1 s to 1 day; default 10)",
    )
    app.add_argument(
        "--no-mouse", action="store_true", help="leave the mouse to the terminal (text selection)"
    )
    app.add_argument("--no-bell", action="store_true", help="no terminal bell on completion")
    _add_history_option(app)
    app.add_argument(
        "--notify",
        action="store_true",
        help="desktop notifications when creations end (OSC 9/99/777: iTerm2, kitty, WezTerm, ...)",
    )
    app.add_argument(
        "--speed",
        type=_speed_arg,
        metavar="X",
        help=f"with --demo: how many times faster than real time (default {DEMO_SPEED:g})",
    )
    app.add_argument(
        "--scenario",
        metavar="SPEC",
        help=(
            "with --demo: a scenario TOML file, 'vocabulary' (every status the API has), "
            "'large' / 'large:N' (N generated instances) or 'varied' / 'varied:N' (creations "
            "with stalls, jumps, late starts and failures)"
        ),
    )
    app.add_argument(
        "--faults",
        metavar="SPEC",
        help="with --demo: inject faults, e.g. error_rate=0.2,latency=0.5 "
        "(the keys: roma-tui simulate --help)",
    )

    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    suppress = argparse.SUPPRESS

    status = commands.add_parser(
        "status",
        help="print instances, or one instance's sub-services, and exit",
        description="Print the project's instances, or the given instances in detail.",
    )
    status.add_argument(
        "ids",
        nargs="*",
        metavar="INSTANCE_ID",
        help="instances to show in detail: ids, or unique prefixes of at least 8 characters",
    )
    status.add_argument("--json", action="store_true", help="one JSON document on stdout")
    status.add_argument("--status", metavar="S", help="only instances with this status")
    status.add_argument("--demo", action="store_true", default=suppress, help="use the simulator")
    _add_history_option(status)
    _add_connection_options(status, suppress=True)

    wait = commands.add_parser(
        "wait",
        help="wait until an instance is running or failed",
        description="Poll one instance until it is running (exit 0) or failed (exit 1).",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    wait.add_argument(
        "instance_id",
        metavar="INSTANCE_ID",
        help="the instance's id, or a unique prefix of at least 8 characters",
    )
    wait.add_argument(
        "--timeout",
        type=_timeout_arg,
        default=DEFAULT_TIMEOUT,
        metavar="DURATION",
        help="give up after this long: 90m, 1h30m, 45s, 300 (default 60m, at most 168h)",
    )
    wait.add_argument(
        "--interval",
        default=suppress,
        metavar="SECONDS",
        help="seconds between polls, or a duration like 30s (1 s to 1 day; default 10)",
    )
    wait.add_argument("--demo", action="store_true", default=suppress, help="use the simulator")
    _add_history_option(wait)
    _add_connection_options(wait, suppress=True)

    history = commands.add_parser(
        "history",
        help="past creations: how long they took, how they ended, what is usual, what fails",
        description="Show the creations roma-tui has watched (the TUI and `wait` record "
        "them): what each type usually takes per region (median, p90), which sub-service "
        "fails most and with which error codes, and every creation, newest first.",
    )
    history.add_argument("--json", action="store_true", help="one JSON document on stdout")
    history.add_argument(
        "--since",
        type=_since_arg,
        metavar="DURATION",
        help="only creations started within this long: 30d, 12h, 90m",
    )
    history.add_argument(
        "--type", metavar="T", help="only this instance type (basic, professional, ...)"
    )
    history.add_argument(
        "--demo", action="store_true", default=suppress, help="the demo's history (in memory)"
    )
    _add_connection_options(history, suppress=True)

    simulate = commands.add_parser(
        "simulate",
        help="serve the fake ROMA API on 127.0.0.1",
        description="Serve the simulated ROMA Connect API and its IAM on loopback, with demo "
        "credentials.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    assert isinstance(simulate, _Parser)
    simulate.lazy_epilog = _faults_help
    simulate.add_argument("--port", type=_port, default=8080, help="port (default 8080)")
    simulate.add_argument(
        "--scenario",
        metavar="SPEC",
        help="a scenario TOML file, 'vocabulary', 'large[:N]' or 'varied[:N]'",
    )
    simulate.add_argument(
        "--speed",
        type=_speed_arg,
        default=suppress,
        metavar="X",
        help="how many times faster than real time",
    )
    simulate.add_argument(
        "--faults", metavar="SPEC", help="faults to inject, e.g. latency=0.2,error_rate=0.1 (below)"
    )
    _add_connection_options(simulate, suppress=True)

    config = commands.add_parser(
        "config",
        help="show the resolved configuration (secrets masked) and where each value came from",
        description="Show the resolved configuration; secrets are only ever shown as set/not set.",
    )
    _add_connection_options(config, suppress=True)

    completion = commands.add_parser(
        "completion",
        help="print the shell completion script for bash, zsh or fish",
        description='Print a completion script. bash: eval "$(roma-tui completion bash)" in '
        "~/.bashrc; zsh: the same in ~/.zshrc; fish: roma-tui completion fish > "
        "~/.config/fish/completions/roma-tui.fish",
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell")
    return parser


# ---------------------------------------------------------------------------------------------
# helpers


def _flags(args: argparse.Namespace) -> dict[str, object]:
    """The argparse namespace in the shape `resolve_config` takes."""
    names = ("endpoint", "region", "project_id", "profile", "config", "token_file")
    flags: dict[str, object] = {name: getattr(args, name, None) for name in names}
    flags["ca_bundle"] = getattr(args, "ca_bundle", None)
    flags["log_file"] = getattr(args, "log_file", None)
    flags["insecure"] = True if getattr(args, "insecure", False) else None
    flags["interval"] = getattr(args, "interval", None)
    flags["bell"] = False if getattr(args, "no_bell", False) else None
    flags["notify"] = True if getattr(args, "notify", False) else None
    flags["utc"] = True if getattr(args, "utc", False) else None
    flags["history"] = False if getattr(args, "no_history", False) else None
    return flags


def _warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def _resolve(args: argparse.Namespace, warn: Callable[[str], None] = _warn) -> Config:
    from roma_tui.config import resolve_config

    config = resolve_config(_flags(args), os.environ)
    _show_times(config)
    for warning in config.warnings:
        warn(warning)
    return config


def _demo_client(args: argparse.Namespace, clock: Clock) -> RomaClient:
    from roma_tui.demo import demo_client
    from roma_tui.simulator import Faults, ScenarioError, scenario_from_spec

    speed = getattr(args, "speed", None) or DEMO_SPEED
    try:
        scenario = scenario_from_spec(getattr(args, "scenario", None))
        faults = Faults.parse(getattr(args, "faults", None) or "")
    except (ScenarioError, ValueError) as exc:
        raise ConfigError(str(exc)) from None
    return demo_client(clock=clock, speed=speed, scenario=scenario, faults=faults)


def _show_times(config: Config) -> None:
    """Times of day in UTC with --utc (or `utc = true`), else in the machine's local zone."""
    from datetime import UTC

    from roma_tui.monitor.present import set_display_zone

    set_display_zone(UTC if config.utc else None)


def _config_for_demo(args: argparse.Namespace, warn: Callable[[str], None] = _warn) -> Config:
    """In demo mode a broken config file must not stop the demo: fall back to the flags alone
    (a bad flag is still an error)."""
    from roma_tui.config import resolve_config

    try:
        return _resolve(args, warn)
    except ConfigError as exc:
        flags = {k: v for k, v in _flags(args).items() if k not in ("config", "profile")}
        nowhere = Path(os.devnull)
        config = resolve_config(flags, {}, home=nowhere, config_dir=nowhere)
        _show_times(config)
        warn(f"{exc.message} (ignored with --demo)")
        return config


def _open_private(path: Path) -> IO[str]:
    """`path` opened for appending, created with mode 0600; a regular file that others could
    read is made private first (a device or a pipe, such as /dev/stderr, is left as it is)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077:
            os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


@contextlib.contextmanager
def _logging(log_file: str | None) -> Iterator[None]:
    """A debug log in the file when asked for; otherwise nothing reaches the terminal.

    The log file is private (0600), and every record reaching it, from roma-tui, httpx,
    httpcore or any other logger, passes the redacting filter first: no token, signature,
    key or password gets in, whatever the logger (see `roma_tui.api.redaction`).
    """
    root = logging.getLogger()
    old_level = root.level
    handler: logging.Handler
    if log_file is None:
        handler = logging.NullHandler()  # stops logging's last-resort output to stderr
    else:
        try:
            stream = _open_private(Path(log_file).expanduser())
        except OSError as exc:
            raise ConfigError(f"cannot open log file {log_file}: {exc.strerror}") from None
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.setLevel(logging.DEBUG)
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(old_level)


def _recorder(
    config: Config,
    endpoint: str,
    clock: Clock,
    *,
    demo: bool,
    create: bool = True,
    warn: Callable[[str], None] = _warn,
) -> Recorder | None:
    """Where creations are recorded and what is usual is read: None with --no-history (or,
    unless `create`, when there is no database yet). The demo's history is in memory."""
    if not config.history:
        return None
    from roma_tui.config import history_path

    path = history_path()
    if not demo and not create and not path.exists():
        return None  # before loading the store (and sqlite3): `status` starts faster
    from roma_tui.monitor.history import HistoryStore, Recorder, region_of

    if demo:
        from roma_tui.demo import DEMO_REGION, demo_history

        return Recorder(demo_history(clock), DEMO_REGION)
    retention = timedelta(seconds=config.history_retention)
    store = HistoryStore(path, retention=retention, now=clock.now())
    if store.problem is not None:
        warn(store.problem)
    return Recorder(store, config.region or region_of(endpoint))


def _typical(
    config: Config, endpoint: str, clock: Clock, *, demo: bool
) -> Mapping[str, Typical] | None:
    """What is usual, for `status` (which reads the history and records nothing)."""
    recorder = _recorder(config, endpoint, clock, demo=demo, create=False)
    if recorder is None:
        return None
    try:
        return recorder.typical()
    finally:
        recorder.store.close()


# ---------------------------------------------------------------------------------------------
# subcommands


def _endpoint_label(config: Config) -> str:
    """The endpoint, for the header: nothing when it is the region's own."""
    from roma_tui.api.regions import roma_endpoint_for

    if config.endpoint is None:
        return "no endpoint"
    if config.region and config.endpoint == roma_endpoint_for(config.region):
        return ""
    return config.endpoint


def _cmd_tui(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """The screen is drawn before the configuration is read (Textual alone is loaded by
    then); `_start_tui` does the rest behind it. A configuration problem shows on the
    screen, and its warnings as notifications, also printed once the screen is gone."""
    for option in ("speed", "scenario", "faults"):
        if getattr(args, option) is not None and not args.demo:
            parser.error(f"--{option} only applies to --demo")
    from roma_tui.tui.app import TuiOptions, run_tui

    clock = SystemClock()
    outcome: list[Started] = []

    def start(ask: Ask) -> Started:
        started = _start_tui(args, clock, ask)
        outcome.append(started)
        return started

    code = run_tui(start, TuiOptions(endpoint_label="", mouse=not args.no_mouse, clock=clock))
    for started in outcome:  # (none when the user quit before the start-up was done)
        for warning in started.warnings:
            _warn(warning)
        if started.monitor is not None and started.monitor.recorder is not None:
            started.monitor.recorder.store.close()
        if started.problem is not None:
            return EXIT_CONFIG
    return code


def _start_tui(args: argparse.Namespace, clock: Clock, ask: Ask) -> Started:
    """What the TUI monitors and how it was started (in a thread, behind the first frame); a
    password is asked for on the screen (`ask`)."""
    import asyncio

    import platformdirs

    from roma_tui.config import Config, connect
    from roma_tui.monitor.live import Monitor
    from roma_tui.tui.app import Started, TuiOptions
    from roma_tui.tui.notices import desktop_notifier

    client: RomaClient | None = None
    problem: str | None = None
    warnings: list[str] = []
    warn = warnings.append
    config = Config()
    try:
        if args.demo:
            config = _config_for_demo(args, warn)
            client = _demo_client(args, clock)
        else:
            config = _resolve(args, warn)
            config, client = asyncio.run(connect(config, clock, prompt=ask))
    except RomaError as exc:  # configuration, or the IAM lookup of the project id
        problem = exc.message
    options = TuiOptions(
        endpoint_label="demo (built-in simulator)" if args.demo else _endpoint_label(config),
        profile=config.profile,
        region=config.region,
        auth_description=client.auth_description if client else config.auth_method or "none",
        interval=config.interval,
        bell=config.bell,
        mouse=not args.no_mouse,
        state_dir=Path(platformdirs.user_state_dir(PROG)),
        clock=clock,
        desktop=desktop_notifier() if config.notify else None,
    )
    if client is None:
        return Started(None, options, problem, tuple(warnings))
    recorder = _recorder(config, client.endpoint, clock, demo=args.demo, warn=warn)
    monitor = Monitor(client, clock, interval=config.interval, recorder=recorder)
    return Started(monitor, options, None, tuple(warnings))


def _run_script(
    args: argparse.Namespace,
    command: Callable[[RomaClient, Clock, Config], Awaitable[int]],
    retry: RetryPolicy | None = None,
) -> int:
    """Run a scripting command (`status`, `wait`) on a client closed afterwards.

    `retry` replaces the client's retry policy (none by default). Ctrl-C: 130; SIGTERM and
    SIGHUP cancel the command the same way (`wait` says what it saw last) and exit with
    128 + the signal's number.
    """
    import asyncio

    from roma_tui.config import connect
    from roma_tui.scripting import run_blocking

    clock = SystemClock()
    demo = bool(getattr(args, "demo", False))
    config = _config_for_demo(args) if demo else _resolve(args)
    demo_client = _demo_client(args, clock) if demo else None
    stopped_by: list[int] = []

    async def go() -> int:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def stop(signum: int) -> None:
            stopped_by.append(signum)
            task.cancel()

        for signum in SCRIPT_STOP_SIGNALS:
            loop.add_signal_handler(signum, stop, signum)
        try:
            if demo_client is not None:
                ready, client = config, demo_client
            else:
                ready, client = await connect(config, clock)
            if retry is not None:
                client.retry = retry
            async with client:
                return await command(client, clock, ready)
        finally:
            for signum in SCRIPT_STOP_SIGNALS:
                loop.remove_signal_handler(signum)

    code = run_blocking(go())
    if stopped_by:
        with contextlib.suppress(OSError):  # after a hang-up there may be no stderr left
            print(f"{PROG}: stopped by {signal.Signals(stopped_by[0]).name}", file=sys.stderr)
        return 128 + stopped_by[0]
    return code


def _cmd_status(args: argparse.Namespace) -> int:
    from roma_tui.api.client import ONE_RETRY
    from roma_tui.scripting.status import run_status

    async def status(client: RomaClient, clock: Clock, config: Config) -> int:
        demo = bool(getattr(args, "demo", False))
        return await run_status(
            client,
            clock,
            list(args.ids),
            as_json=args.json,
            status=args.status,
            out=sys.stdout,
            err=sys.stderr,
            typical=_typical(config, client.endpoint, clock, demo=demo),
        )

    # A one-shot look: one quick retry of a transient failure beats a failed script step.
    return _run_script(args, status, ONE_RETRY)


def _cmd_wait(args: argparse.Namespace) -> int:
    from roma_tui.scripting.wait import run_wait

    async def wait(client: RomaClient, clock: Clock, config: Config) -> int:
        demo = bool(getattr(args, "demo", False))
        recorder = _recorder(config, client.endpoint, clock, demo=demo)
        try:
            return await run_wait(
                client,
                clock,
                args.instance_id,
                timeout=args.timeout,
                interval=config.interval,
                out=sys.stdout,
                err=sys.stderr,
                recorder=recorder,
            )
        finally:
            if recorder is not None:
                recorder.store.close()

    return _run_script(args, wait)


def _cmd_history(args: argparse.Namespace) -> int:
    from roma_tui.config import history_path
    from roma_tui.monitor.history import HistoryStore
    from roma_tui.scripting.history import run_history

    clock = SystemClock()
    demo = bool(getattr(args, "demo", False))
    config = _config_for_demo(args) if demo else _resolve(args)
    store: HistoryStore | None
    if demo:
        from roma_tui.demo import demo_history

        store = demo_history(clock)
    else:
        path = history_path()
        retention = timedelta(seconds=config.history_retention)
        store = HistoryStore(path, retention=retention) if path.exists() else None
    where = store.where if store is not None else str(history_path())
    try:
        return run_history(
            store,
            clock.now(),
            database=where,
            since=timedelta(seconds=args.since) if args.since is not None else None,
            kind=args.type,
            as_json=args.json,
            out=sys.stdout,
            err=sys.stderr,
        )
    finally:
        if store is not None:
            store.close()


def _cmd_simulate(args: argparse.Namespace) -> int:
    from roma_tui.simulator.server import serve

    kwargs: dict[str, Any] = {"port": args.port}
    if args.scenario is not None:
        kwargs["scenario"] = args.scenario
    if getattr(args, "speed", None) is not None:
        kwargs["speed"] = args.speed
    if args.faults is not None:
        kwargs["faults"] = args.faults
    result = serve(**kwargs)
    return result if isinstance(result, int) else 0


def _cmd_config(args: argparse.Namespace) -> int:
    """Print the resolved configuration; a project id still to be found is looked up (and
    cached) first, so what is shown is what the app will use."""
    import asyncio

    from roma_tui.config import (
        build_auth,
        ensure_safe,
        find_project_id,
        render_config,
        require_ready,
    )

    config = _resolve(args)
    problem: RomaError | None = None
    try:
        require_ready(config)
        ensure_safe(config)
        if config.discovers_project:
            clock = SystemClock()
            auth = build_auth(config, clock=clock)
            config = asyncio.run(find_project_id(config, auth, clock=clock))
    except RomaError as exc:
        problem = exc
    sys.stdout.write(render_config(config))
    sys.stdout.flush()
    if problem is not None:
        raise problem  # one line on stderr, exit 3
    return 0


def _cmd_completion(args: argparse.Namespace) -> int:
    from argcomplete.shell_integration import shellcode

    sys.stdout.write(shellcode([PROG], shell=args.shell))
    return 0


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    command = args.command
    if command is None:
        return _cmd_tui(args, parser)
    if command == "status":
        return _cmd_status(args)
    if command == "wait":
        return _cmd_wait(args)
    if command == "history":
        return _cmd_history(args)
    if command == "simulate":
        return _cmd_simulate(args)
    if command == "completion":
        return _cmd_completion(args)
    return _cmd_config(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `roma-tui` and `python -m roma_tui`; returns the exit code."""
    parser = build_parser()
    if "_ARGCOMPLETE" in os.environ:  # a shell asks for completions (roma-tui completion SHELL)
        import argcomplete

        argcomplete.autocomplete(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_CONFIG)
    try:
        with _logging(getattr(args, "log_file", None)):
            log = logging.getLogger(__name__)
            log.debug("%s %s starting: %s", PROG, __version__, args.command or "tui")
            try:
                return _run(args, parser)
            except RomaError as exc:
                log.debug("stopped: %s", exc.message)
                print(f"{PROG}: {exc.message}", file=sys.stderr)
                return EXIT_CONFIG
    except SystemExit as exc:  # a usage error found after parsing
        return exc.code if isinstance(exc.code, int) else EXIT_CONFIG
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ConfigError as exc:  # the log file could not be opened
        print(f"{PROG}: {exc.message}", file=sys.stderr)
        return EXIT_CONFIG
    except BrokenPipeError:
        _discard_output()
        return EXIT_BROKEN_PIPE


def _discard_output() -> None:
    """The reader of stdout or stderr has gone: send what is still buffered (and Python's
    flush at exit) to /dev/null, so no "Exception ignored ... BrokenPipeError" follows."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, OSError, ValueError):
                os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)
