"""No secret in anything roma-tui writes; no server text that can act on a terminal.

The grep test drives real `roma-tui` processes (`status`, `wait`, and the TUI in a
pseudo-terminal) against the simulator on a loopback socket, with each kind of credentials
(token; AK/SK with a security token; IAM password, and the token IAM issues), a token holding
a line break, and a wrong SK, every run with `--log-file`; then it reads every byte they
wrote: stdout, stderr, the screen, the log, and every file under the home directory (state,
cache). None may hold a secret, in any of the forms a program prints one. Every file written
is private (mode 0600).
"""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SimSocket
from helpers import AK, PASSWORD, PROJECT, SECURITY_TOKEN, SK, TOKEN
from ptyrun import python_argv, spawn
from pydantic import SecretStr

from roma_tui.api.auth import PasswordAuth
from roma_tui.api.errors import AuthError
from roma_tui.api.redaction import RedactingFilter, redact, remember_secret
from roma_tui.api.safetext import terminal_safe
from roma_tui.clock import FakeClock, SystemClock
from roma_tui.simulator import SimCredentials, SimulatorApp, create_app

SEED_ID = "b037d389-62a4-464a-8461-c88797ad4f23"
RUNNING_ID = "5f0c2d1e-8a47-4b6e-9c3f-2e1d7a9b0c44"
NEWLINE_TOKEN = "tok-OCELOT-31c4e5f6a7\nsecond-line-TAPIR-8b9c"
WRONG_SK = "sk-WRONGKEY-9f8e7d6c5b"
IAM_USER, IAM_DOMAIN = "alice", "acme"


def forms(secret: str) -> set[str]:
    """The ways a program may print `secret`: as is, each line, and escaped as repr does."""
    found = {secret, repr(secret)[1:-1], repr(secret.encode())[2:-1]}
    found.update(line for line in secret.splitlines() if line)
    return found


@pytest.fixture
def sim(sim_socket: SimSocket) -> Iterator[SimulatorApp]:
    credentials = SimCredentials(
        project_id=PROJECT,
        token=SecretStr(TOKEN),
        ak=AK,
        sk=SecretStr(SK),
        iam_user=IAM_USER,
        iam_domain=IAM_DOMAIN,
        iam_password=SecretStr(PASSWORD),
    )
    app = create_app(clock=SystemClock(), credentials=credentials)  # real time: AK/SK dates
    sim_socket.install(app)
    try:
        yield app
    finally:
        sim_socket.install(None)


@dataclass
class Home:
    """A private home for roma-tui runs, and everything the runs wrote to a terminal."""

    path: Path
    base_url: str
    written: list[tuple[str, bytes]] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        keep = {
            k: v for k, v in os.environ.items() if not k.startswith(("ROMA_TUI_", "HUAWEI", "HW_"))
        }
        return {
            **keep,
            "HOME": str(self.path),
            "XDG_CONFIG_HOME": str(self.path / ".config"),
            "XDG_STATE_HOME": str(self.path / ".state"),
            "XDG_CACHE_HOME": str(self.path / ".cache"),
            "TERM": "xterm-256color",
            **extra,
        }

    def options(self, name: str) -> list[str]:
        log = self.path / f"{name}.log"
        return ["--endpoint", self.base_url, "--project-id", PROJECT, "--log-file", str(log)]

    def run(self, name: str, env: dict[str, str], *args: str) -> int:
        proc = subprocess.run(
            python_argv(*args, *self.options(name)),
            env=self.env(**env),
            capture_output=True,
            timeout=120,
            check=False,
        )
        self.written += [(f"{name} stdout", proc.stdout), (f"{name} stderr", proc.stderr)]
        return proc.returncode

    def run_tui(self, name: str, env: dict[str, str], *wait_for: bytes) -> bool:
        """The TUI until it shows one of `wait_for` (an instance by default), then `q`."""
        run = spawn(python_argv("--no-bell", *self.options(name)), self.env(**env))
        try:
            shown = run.read_until(*(wait_for or (b"roma-2222",)))
            run.send(b"q")
            run.wait()
        finally:
            run.close()
            self.written.append((f"{name} screen", bytes(run.output)))
        return shown

    def files(self) -> Iterator[Path]:
        return (p for p in self.path.rglob("*") if p.is_file())


@pytest.fixture
def home(tmp_path: Path, sim_socket: SimSocket) -> Home:
    path = tmp_path / "home"
    path.mkdir()
    return Home(path, sim_socket.base_url)


TOKEN_ENV = {"ROMA_TUI_TOKEN": TOKEN}
AKSK_ENV = {
    "HUAWEICLOUD_SDK_AK": AK,
    "HUAWEICLOUD_SDK_SK": SK,
    "HUAWEICLOUD_SDK_SECURITY_TOKEN": SECURITY_TOKEN,
}


def password_env(base_url: str) -> dict[str, str]:
    return {
        "ROMA_TUI_IAM_USER": IAM_USER,
        "ROMA_TUI_IAM_DOMAIN": IAM_DOMAIN,
        "ROMA_TUI_PASSWORD": PASSWORD,
        "HUAWEICLOUD_SDK_IAM_ENDPOINT": base_url,
    }


def test_no_secret_in_any_byte_written(home: Home, sim: SimulatorApp) -> None:
    secrets = [TOKEN, SK, SECURITY_TOKEN, PASSWORD, NEWLINE_TOKEN, WRONG_SK]
    runs = {"token": TOKEN_ENV, "aksk": AKSK_ENV, "password": password_env(home.base_url)}
    for kind, env in runs.items():
        assert home.run(f"{kind}-status", env, "status") == 0, home.written[-1]
        assert home.run(f"{kind}-detail", env, "status", SEED_ID, "--json") == 0
        assert home.run(f"{kind}-wait", env, "wait", RUNNING_ID, "--interval", "1") == 0
        assert home.run_tui(f"{kind}-tui", env), home.written[-1][1][-1500:]
    # A token with a line break, from the environment and from a file: refused, never shown.
    newline_env = {"ROMA_TUI_TOKEN": NEWLINE_TOKEN}
    assert home.run("newline-status", newline_env, "status") == 3
    assert home.run("newline-wait", newline_env, "wait", SEED_ID, "--timeout", "5s") == 3
    token_file = home.path / "token.txt"
    token_file.write_text(NEWLINE_TOKEN + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    assert home.run("newline-file", {}, "status", "--token-file", str(token_file)) == 3
    assert home.run_tui("newline-tui", newline_env, b"cannot send", b"line break")
    newline_temporary = {**AKSK_ENV, "HUAWEICLOUD_SDK_SECURITY_TOKEN": NEWLINE_TOKEN}
    assert home.run("newline-sts", newline_temporary, "status") == 3
    # A wrong SK: rejected (and the key put on hold), never shown.
    assert home.run("wrong-sk", {**AKSK_ENV, "HUAWEICLOUD_SDK_SK": WRONG_SK}, "status") == 3

    secrets += list(sim.sim.tokens)  # every token IAM issued to the password runs
    assert len(sim.sim.tokens) >= 4
    written = list(home.written)
    for path in home.files():
        if path != token_file:
            written.append((str(path.relative_to(home.path)), path.read_bytes()))
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path} is not private"
    names = {name for name, _ in written}
    assert {"token-status.log", "password-tui.log", "wrong-sk.log"} <= {Path(n).name for n in names}
    assert any(".state" in n for n in names) and any(".cache" in n for n in names), names
    for name, data in written:
        text = data.decode("utf-8", "replace")
        for secret in secrets:
            for form in forms(secret):
                assert form not in text, f"{name} holds a secret ({form[:6]}…)"
    logs = "".join(d.decode() for n, d in written if n.endswith(".log"))
    assert "X-Subject-Token" in logs or "x-subject-token" in logs  # httpcore's lines are there
    assert "***" in logs


# -- the redacting filter ------------------------------------------------------------------------


def test_filter_redacts_httpcore_header_lines_and_arguments(tmp_path: Path) -> None:
    remember_secret("st-remembered-0123456789")
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("httpcore.http11")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug(
            "receive_response_headers.complete return_value=%r",
            (b"HTTP/1.1", 201, b"Created", [(b"X-Subject-Token", b"MIIsecretIAMtoken123")]),
        )
        logger.debug("request headers: %s", {"X-Auth-Token": "tok-abc-zzz-999"})
        logger.debug("Authorization: SDK-HMAC-SHA256 Access=HPUA, Signature=0a1b2c3d4e5f")
        logger.debug("sts %s", "st-remembered-0123456789")
        try:
            raise ValueError("Illegal header value b'st-remembered-0123456789'")
        except ValueError:
            logger.exception("failed")
        logger.debug("%s %s", "too few")  # bad arguments: no crash, no arguments
    finally:
        logger.removeHandler(handler)
    text = "\n".join(records)
    for secret in ("MIIsecretIAMtoken123", "tok-abc-zzz-999", "0a1b2c3d4e5f", "st-remembered"):
        assert secret not in text
    assert "X-Subject-Token', b'***'" in text
    assert "Illegal header value b'***'" in text  # the traceback is redacted too


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('{"auth": {"password": "a b \\" c"}}', '{"auth": {"password": "***"}}'),
        ("HUAWEICLOUD_SDK_SK=abc123 next", "HUAWEICLOUD_SDK_SK=*** next"),
        ("https://bob:hunter22@example.com/x", "https://***@example.com/x"),
        ("token_ttl=60 the token expired", "token_ttl=60 the token expired"),
        ("the Authorization header is missing", "the Authorization header is missing"),
    ],
)
def test_redact_by_shape(text: str, shown: str) -> None:
    assert redact(text) == shown


# -- server text made terminal-safe ---------------------------------------------------------------

HOSTILE = (
    "\x1b]0;PWNED-TITLE\x07bad signature \x1b]52;c;Y3VybCBldmlsLnNo\x07 "
    "\x1b[2J\x1b[31mred\u202eevil\u2066x\u2069 \x9b31m\x9d8;;http://x\x9c done"
)


def test_terminal_safe_removes_sequences_whole() -> None:
    shown = terminal_safe(HOSTILE)
    for bad in ("\x1b", "\x07", "\x9b", "\x9d", "\x9c", "\u202e", "\u2066", "\u2069"):
        assert bad not in shown
    for payload in ("PWNED-TITLE", "Y3VybCBldmlsLnNo", "http://x", "2J"):
        assert payload not in shown
    assert shown == "bad signature  redevilx  done"


class HostileServer:
    """Answers every request with `status` and an error body full of terminal escapes."""

    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        self.status, self.body, self.content_type = status, body, content_type

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        headers = [(b"content-type", self.content_type.encode())]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


HOSTILE_ANSWERS = {
    "json-401": (
        401,
        json.dumps({"error_code": "APIGW.0301", "error_msg": HOSTILE}).encode(),
        "application/json",
    ),
    "html-502": (502, f"<html><h1>{HOSTILE}</h1></html>".encode(), "text/html"),
    "iam-401": (
        401,
        json.dumps({"error": {"code": 401, "message": HOSTILE, "title": "x"}}).encode(),
        "application/json",
    ),
}


@pytest.mark.parametrize("answer", sorted(HOSTILE_ANSWERS))
@pytest.mark.parametrize("command", ["status", "wait"])
def test_server_text_reaches_stderr_harmless(
    home: Home, sim_socket: SimSocket, answer: str, command: str
) -> None:
    sim_socket.install(HostileServer(*HOSTILE_ANSWERS[answer]))
    try:
        env = password_env(home.base_url) if answer.startswith("iam") else TOKEN_ENV
        args = ["status", SEED_ID] if command == "status" else ["wait", SEED_ID, "--timeout", "2s"]
        code = home.run(f"{answer}-{command}", env, *args)
    finally:
        sim_socket.install(None)
    assert code != 0
    err = home.written[-1][1].decode("utf-8")
    assert "bad signature" in err  # the server's words are shown...
    for bad in ("\x1b", "\x07", "\x9b", "\x9d", "\u202e", "PWNED-TITLE", "Y3VybCBldmlsLnNo"):
        assert bad not in err  # ...never its escapes
    assert "Traceback" not in err


# -- PasswordAuth: no password in a message, nothing mangled --------------------------------------


async def _iam_answer(message: str, password: str, user: str, domain: str) -> AuthError:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"code": 401, "message": message}})

    auth = PasswordAuth(
        "http://127.0.0.1:5001", user, domain, SecretStr(password), PROJECT, clock=FakeClock()
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), auth=auth) as client:
        with pytest.raises(AuthError) as caught:
            await client.get("http://127.0.0.1:5002/v2/x/instances")
    return caught.value


async def test_password_masking_never_mangles_other_words() -> None:
    error = await _iam_answer(
        "The username or password is wrong.", password="acme", user="acme-ops", domain="acme"
    )
    assert "user acme-ops in domain acme" in error.message
    assert "IAM says: The username or password is wrong." in error.message
    assert "***" not in error.message


async def test_an_iam_message_repeating_the_password_is_left_out_whole() -> None:
    error = await _iam_answer(
        "Invalid input for field 'password': 'Zebra-0123-xyz' is too long",
        password="Zebra-0123-xyz",
        user="bob",
        domain="corp",
    )
    assert "Zebra-0123-xyz" not in error.message
    assert "Invalid input" not in error.message
    assert "IAM's message is not shown: it repeats the password" in error.message
    assert error.error_msg is None
