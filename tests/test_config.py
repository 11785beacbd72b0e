"""Configuration: precedence, sources, profiles, credential conventions, safety, masking."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import httpx
import pytest
from helpers import AK, PASSWORD, PROJECT, SECRETS, SECURITY_TOKEN, SK, TOKEN
from pydantic import SecretStr

from roma_tui.api.errors import ConfigError
from roma_tui.clock import FakeClock
from roma_tui.config import (
    NO_CREDENTIALS,
    SETTINGS,
    Config,
    build_auth,
    ensure_safe,
    make_client,
    render_config,
    require_ready,
    resolve_config,
)


class Env:
    """A home directory and config directory under tmp_path, and a resolve() bound to them."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.config_dir = self.home / ".config" / "roma-tui"
        self.config_dir.mkdir(parents=True)

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    def write_config(self, text: str, mode: int = 0o600) -> Path:
        self.config_file.write_text(text, encoding="utf-8")
        self.config_file.chmod(mode)
        return self.config_file

    def write_credentials(self, text: str, mode: int = 0o600) -> Path:
        path = self.home / ".huaweicloud" / "credentials"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(mode)
        return path

    def resolve(
        self, flags: Mapping[str, object] | None = None, env: Mapping[str, str] | None = None
    ) -> Config:
        return resolve_config(flags or {}, env or {}, home=self.home, config_dir=self.config_dir)


@pytest.fixture
def cfg(tmp_path: Path) -> Env:
    return Env(tmp_path)


SHOWN_FILE = "config file ~/.config/roma-tui/config.toml"


# --- precedence ------------------------------------------------------------------------------


def test_defaults_when_nothing_is_configured(cfg: Env) -> None:
    config = cfg.resolve()
    assert config.endpoint is None
    assert config.project_id is None
    assert config.auth_method is None
    assert config.interval == 10.0
    assert config.sources["interval"] == "default"
    assert config.bell is True
    assert config.verify is True
    assert config.config_path is None
    with pytest.raises(ConfigError, match="no endpoint"):
        require_ready(config)


@pytest.mark.parametrize(
    ("flags", "env", "expected", "source"),
    [
        ({"region": "cn-north-4"}, {"ROMA_TUI_REGION": "cn-east-3"}, "cn-north-4", "flag --region"),
        ({}, {"ROMA_TUI_REGION": "cn-east-3"}, "cn-east-3", "env ROMA_TUI_REGION"),
        ({}, {}, "ap-southeast-1", f"{SHOWN_FILE} [profile prod]"),
    ],
)
def test_region_precedence_flag_env_file(
    cfg: Env, flags: dict[str, object], env: dict[str, str], expected: str, source: str
) -> None:
    cfg.write_config('default_profile = "prod"\n[profiles.prod]\nregion = "ap-southeast-1"\n')
    config = cfg.resolve(flags, env)
    assert config.region == expected
    assert config.sources["region"] == source
    assert config.endpoint == f"https://roma.{expected}.myhuaweicloud.com"
    assert config.sources["endpoint"] == source
    assert config.iam_endpoint == f"https://iam.{expected}.myhuaweicloud.com"
    assert config.sources["iam_endpoint"] == source


@pytest.mark.parametrize(
    ("flags", "env", "expected", "source"),
    [
        ({"interval": 5.0}, {"ROMA_TUI_INTERVAL": "7"}, 5.0, "flag --interval"),
        ({}, {"ROMA_TUI_INTERVAL": "7"}, 7.0, "env ROMA_TUI_INTERVAL"),
        ({}, {}, 30.0, f"{SHOWN_FILE} [profile prod]"),
    ],
)
def test_interval_precedence(
    cfg: Env, flags: dict[str, object], env: dict[str, str], expected: float, source: str
) -> None:
    cfg.write_config('default_profile = "prod"\n[profiles.prod]\ninterval = 30\n')
    config = cfg.resolve(flags, env)
    assert config.interval == expected
    assert config.sources["interval"] == source


@pytest.mark.parametrize(
    ("flags", "env", "expected", "source"),
    [
        (
            {"project_id": "f1a90000000000000000000000000001"},
            {
                "ROMA_TUI_PROJECT_ID": "e0e00000000000000000000000000002",
                "HUAWEICLOUD_SDK_PROJECT_ID": "5d500000000000000000000000000003",
            },
            "f1a90000000000000000000000000001",
            "flag --project-id",
        ),
        (
            {},
            {
                "ROMA_TUI_PROJECT_ID": "e0e00000000000000000000000000002",
                "HUAWEICLOUD_SDK_PROJECT_ID": "5d500000000000000000000000000003",
            },
            "e0e00000000000000000000000000002",
            "env ROMA_TUI_PROJECT_ID",
        ),
        (
            {},
            {"HUAWEICLOUD_SDK_PROJECT_ID": "5d500000000000000000000000000003"},
            "5d500000000000000000000000000003",
            "env HUAWEICLOUD_SDK_PROJECT_ID",
        ),
        (
            {},
            {"HW_PROJECT_ID": "7f000000000000000000000000000004"},
            "7f000000000000000000000000000004",
            "env HW_PROJECT_ID",
        ),
        ({}, {}, "f11e0000000000000000000000000005", SHOWN_FILE),
    ],
)
def test_project_id_precedence(
    cfg: Env, flags: dict[str, object], env: dict[str, str], expected: str, source: str
) -> None:
    cfg.write_config('project_id = "f11e0000000000000000000000000005"\n')
    config = cfg.resolve(flags, env)
    assert config.project_id == expected
    assert config.sources["project_id"] == source


def test_explicit_endpoint_beats_region_at_the_same_level_and_region_still_gives_iam(
    cfg: Env,
) -> None:
    config = cfg.resolve({"endpoint": "https://roma.private.example/", "region": "cn-north-4"})
    assert config.endpoint == "https://roma.private.example"
    assert config.sources["endpoint"] == "flag --endpoint"
    assert config.iam_endpoint == "https://iam.cn-north-4.myhuaweicloud.com"


def test_env_endpoint_beats_file_region_and_flag_region_beats_env_endpoint(cfg: Env) -> None:
    cfg.write_config('region = "cn-east-3"\n')
    env = {"ROMA_TUI_ENDPOINT": "https://roma.env.example"}
    assert cfg.resolve({}, env).endpoint == "https://roma.env.example"
    config = cfg.resolve({"region": "ap-southeast-1"}, env)
    assert config.endpoint == "https://roma.ap-southeast-1.myhuaweicloud.com"


def test_iam_endpoint_override_from_sdk_env(cfg: Env) -> None:
    config = cfg.resolve(
        {"region": "cn-north-4"}, {"HUAWEICLOUD_SDK_IAM_ENDPOINT": "https://iam.private.example"}
    )
    assert config.iam_endpoint == "https://iam.private.example"
    assert config.sources["iam_endpoint"] == "env HUAWEICLOUD_SDK_IAM_ENDPOINT"


@pytest.mark.parametrize(
    "endpoint", ["ftp://roma.example", "roma.example", "https://user:pw@roma.example"]
)
def test_bad_endpoints_are_refused(cfg: Env, endpoint: str) -> None:
    with pytest.raises(ConfigError, match="endpoint"):
        cfg.resolve({"endpoint": endpoint})


def test_bad_region_is_refused(cfg: Env) -> None:
    with pytest.raises(ConfigError, match="region"):
        cfg.resolve({"region": "evil.example/x"})


# --- profiles --------------------------------------------------------------------------------

PROFILES = """
default_profile = "prod"
interval = 20

[profiles.prod]
region = "cn-north-4"
project_id = "9d0d0000000000000000000000000006"
auth = "aksk"
iam_user = "alice"
iam_domain = "acme"

[profiles.staging]
endpoint = "https://roma.staging.example"
project_id = "57a90000000000000000000000000007"
interval = 5
"""


def test_default_profile_and_shared_top_level_values(cfg: Env) -> None:
    cfg.write_config(PROFILES)
    config = cfg.resolve()
    assert config.profile == "prod"
    assert config.sources["profile"] == f"{SHOWN_FILE} default_profile"
    assert config.project_id == "9d0d0000000000000000000000000006"
    assert config.interval == 20.0
    assert config.sources["interval"] == SHOWN_FILE
    assert config.auth_method == "aksk"
    assert config.iam_user == "alice"
    assert config.config_path == cfg.config_file


def test_profile_flag_picks_another_profile(cfg: Env) -> None:
    cfg.write_config(PROFILES)
    config = cfg.resolve({"profile": "staging"})
    assert config.profile == "staging"
    assert config.sources["profile"] == "flag --profile"
    assert config.endpoint == "https://roma.staging.example"
    assert config.sources["endpoint"] == f"{SHOWN_FILE} [profile staging]"
    assert config.interval == 5.0
    assert config.auth_method is None


def test_profile_from_env(cfg: Env) -> None:
    cfg.write_config(PROFILES)
    assert cfg.resolve({}, {"ROMA_TUI_PROFILE": "staging"}).profile == "staging"


def test_unknown_profile_names_the_known_ones(cfg: Env) -> None:
    cfg.write_config(PROFILES)
    with pytest.raises(ConfigError) as caught:
        cfg.resolve({"profile": "prdo"})
    message = caught.value.message
    assert "prdo" in message
    assert "prod, staging" in message
    assert "\n" not in message


def test_profile_without_a_config_file_is_an_error(cfg: Env) -> None:
    with pytest.raises(ConfigError, match="no config file"):
        cfg.resolve({"profile": "prod"})


def test_profile_named_default_is_used_without_default_profile(cfg: Env) -> None:
    cfg.write_config('[profiles.default]\nregion = "cn-south-1"\n[profiles.other]\n')
    config = cfg.resolve()
    assert config.profile == "default"
    assert config.region == "cn-south-1"


def test_config_flag_points_at_another_file(cfg: Env, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text('region = "cn-east-2"\n', encoding="utf-8")
    config = cfg.resolve({"config": str(other)})
    assert config.region == "cn-east-2"
    assert config.config_path == other
    assert config.sources["config_path"] == "flag --config"


def test_missing_config_flag_file_is_an_error(cfg: Env, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        cfg.resolve({"config": str(tmp_path / "nope.toml")})


def test_invalid_toml_names_the_file(cfg: Env) -> None:
    cfg.write_config("region = \n")
    with pytest.raises(ConfigError, match=r"config\.toml is not valid TOML"):
        cfg.resolve()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('interval = "soon"', "interval"),
        ("interval = -3", "interval"),
        ("region = 7", "region from config file .* is not a region name like cn-north-4, not 7"),
        ("interval = 1e300", r"between 1 s and 1 day \(86400 s\), not 1e\+300"),
        ('project_id = "0123"', "is not a project id"),
        ('bell = "no"', "bell"),
        ('auth = "kerberos"', "auth"),
    ],
)
def test_wrong_values_in_the_file(cfg: Env, text: str, match: str) -> None:
    cfg.write_config(text + "\n")
    with pytest.raises(ConfigError, match=match):
        cfg.resolve()


def test_unknown_key_is_a_warning(cfg: Env) -> None:
    cfg.write_config('regoin = "cn-north-4"\n')
    config = cfg.resolve()
    assert any("regoin" in w for w in config.warnings)


def test_bell_from_flag_and_file(cfg: Env) -> None:
    cfg.write_config("bell = false\n")
    assert cfg.resolve().bell is False
    cfg.write_config("bell = true\n")
    config = cfg.resolve({"bell": False})
    assert config.bell is False
    assert config.sources["bell"] == "flag --no-bell"


# --- credential sources ----------------------------------------------------------------------


def test_sdk_environment_names(cfg: Env) -> None:
    config = cfg.resolve(
        {},
        {
            "HUAWEICLOUD_SDK_AK": AK,
            "HUAWEICLOUD_SDK_SK": SK,
            "HUAWEICLOUD_SDK_SECURITY_TOKEN": SECURITY_TOKEN,
            "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT,
        },
    )
    assert config.auth_method == "aksk"
    assert config.ak == AK
    assert config.sk is not None and config.sk.get_secret_value() == SK
    assert config.security_token is not None
    assert config.security_token.get_secret_value() == SECURITY_TOKEN
    assert config.sources["ak"] == "env HUAWEICLOUD_SDK_AK"
    assert config.sources["sk"] == "env HUAWEICLOUD_SDK_SK"
    assert config.sources["auth_method"].startswith("auto")
    assert config.project_id == PROJECT


def test_terraform_environment_names(cfg: Env) -> None:
    config = cfg.resolve(
        {},
        {
            "HW_ACCESS_KEY": AK,
            "HW_SECRET_KEY": SK,
            "HW_PROJECT_ID": PROJECT,
            "HW_REGION_NAME": "cn-north-4",
        },
    )
    assert config.auth_method == "aksk"
    assert config.sources["sk"] == "env HW_SECRET_KEY"
    assert config.endpoint == "https://roma.cn-north-4.myhuaweicloud.com"
    assert config.sources["endpoint"] == "env HW_REGION_NAME"
    assert config.project_id == PROJECT
    require_ready(config)


def test_sdk_credentials_file(cfg: Env) -> None:
    cfg.write_credentials(
        f"[basic]\nak = {AK}\nsk = {SK}\nproject_id = {PROJECT}\n"
        "iam_endpoint = https://iam.private.example\n"
    )
    config = cfg.resolve({"region": "cn-north-4"})
    assert config.auth_method == "aksk"
    assert config.ak == AK
    assert config.sources["sk"] == "credentials file ~/.huaweicloud/credentials"
    assert config.project_id == PROJECT
    assert config.iam_endpoint == "https://iam.private.example"
    assert config.warnings == ()


def test_credentials_file_from_env_and_missing_one(cfg: Env, tmp_path: Path) -> None:
    path = tmp_path / "creds.ini"
    path.write_text(f"[basic]\nak = {AK}\nsk = {SK}\n", encoding="utf-8")
    path.chmod(0o600)
    config = cfg.resolve({}, {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(path)})
    assert config.auth_method == "aksk"
    with pytest.raises(ConfigError, match="HUAWEICLOUD_SDK_CREDENTIALS_FILE"):
        cfg.resolve({}, {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(tmp_path / "none.ini")})


def test_ak_and_sk_are_never_mixed_from_two_sources(cfg: Env) -> None:
    cfg.write_credentials(f"[basic]\nak = FILEAK000000000001\nsk = {SK}\n")
    config = cfg.resolve({}, {"HUAWEICLOUD_SDK_AK": AK})
    assert config.ak == AK
    assert config.sk is None
    assert config.auth_method is None


def test_env_keys_beat_config_file_keys_which_beat_the_credentials_file(cfg: Env) -> None:
    cfg.write_credentials("[basic]\nak = CREDSAK00000000001\nsk = creds-sk\n")
    cfg.write_config('ak = "FILEAK000000000001"\nsk = "file-sk"\n')
    assert cfg.resolve().ak == "FILEAK000000000001"
    assert cfg.resolve({}, {"HW_ACCESS_KEY": AK, "HW_SECRET_KEY": SK}).ak == AK


def test_token_from_env(cfg: Env) -> None:
    config = cfg.resolve({}, {"ROMA_TUI_TOKEN": TOKEN})
    assert config.auth_method == "token"
    assert config.token is not None and config.token.get_secret_value() == TOKEN
    assert config.sources["token"] == "env ROMA_TUI_TOKEN"


def test_token_file_is_stripped_and_beats_env(cfg: Env, tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text(f"\n  {TOKEN}\n\n", encoding="utf-8")
    path.chmod(0o600)
    config = cfg.resolve({"token_file": str(path)}, {"ROMA_TUI_TOKEN": "other"})
    assert config.token is not None and config.token.get_secret_value() == TOKEN
    assert config.sources["token"].startswith("flag --token-file")


def test_token_file_missing_or_empty(cfg: Env, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        cfg.resolve({"token_file": str(tmp_path / "nope")})
    empty = tmp_path / "empty"
    empty.write_text(" \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is empty"):
        cfg.resolve({"token_file": str(empty)})


def test_auth_auto_pick_order(cfg: Env) -> None:
    keys = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}
    user = {"ROMA_TUI_IAM_USER": "alice", "ROMA_TUI_IAM_DOMAIN": "acme"}
    assert cfg.resolve({}, {"ROMA_TUI_TOKEN": TOKEN, **keys, **user}).auth_method == "token"
    assert cfg.resolve({}, {**keys, **user}).auth_method == "aksk"
    config = cfg.resolve({}, user)
    assert config.auth_method == "password"
    assert config.iam_user == "alice"
    assert config.iam_domain == "acme"
    assert cfg.resolve({}, {"ROMA_TUI_IAM_USER": "alice"}).auth_method is None


def test_explicit_auth_wins_over_auto_pick(cfg: Env) -> None:
    config = cfg.resolve(
        {},
        {
            "ROMA_TUI_TOKEN": TOKEN,
            "HUAWEICLOUD_SDK_AK": AK,
            "HUAWEICLOUD_SDK_SK": SK,
            "ROMA_TUI_AUTH": "AK/SK",
        },
    )
    assert config.auth_method == "aksk"
    assert config.sources["auth_method"] == "env ROMA_TUI_AUTH"


def test_no_credentials_message(cfg: Env) -> None:
    config = cfg.resolve({"region": "cn-north-4", "project_id": PROJECT})
    with pytest.raises(ConfigError) as caught:
        require_ready(config)
    assert caught.value.message == NO_CREDENTIALS
    assert "ROMA_TUI_TOKEN" in NO_CREDENTIALS
    assert "HUAWEICLOUD_SDK_AK" in NO_CREDENTIALS
    assert "roma-tui --demo" in NO_CREDENTIALS


def test_no_project_and_no_region_to_look_it_up_in(cfg: Env) -> None:
    config = cfg.resolve({"endpoint": "https://roma.example"}, {"ROMA_TUI_TOKEN": TOKEN})
    with pytest.raises(ConfigError, match="no project id: pass --region R to look it up"):
        require_ready(config)
    require_ready(cfg.resolve({"region": "cn-north-4"}, {"ROMA_TUI_TOKEN": TOKEN}))


def test_explicit_aksk_without_sk_says_what_is_missing(cfg: Env) -> None:
    config = cfg.resolve(
        {"region": "cn-north-4", "project_id": PROJECT},
        {"ROMA_TUI_AUTH": "aksk", "HUAWEICLOUD_SDK_AK": AK},
    )
    with pytest.raises(ConfigError, match=r"secret key \(SK\)"):
        require_ready(config)


# --- file permissions ------------------------------------------------------------------------


def test_world_readable_config_with_secrets_warns(cfg: Env) -> None:
    cfg.write_config(f'[profiles.default]\ntoken = "{TOKEN}"\n', mode=0o644)
    config = cfg.resolve()
    assert len(config.warnings) == 1
    warning = config.warnings[0]
    assert "readable by other users" in warning
    assert "chmod 600 ~/.config/roma-tui/config.toml" in warning
    assert TOKEN not in warning


def test_private_config_with_secrets_and_public_config_without_do_not_warn(cfg: Env) -> None:
    cfg.write_config(f'token = "{TOKEN}"\n', mode=0o600)
    assert cfg.resolve().warnings == ()
    cfg.write_config('region = "cn-north-4"\n', mode=0o644)
    assert cfg.resolve().warnings == ()


def test_world_readable_credentials_file_warns(cfg: Env) -> None:
    cfg.write_credentials(f"[basic]\nak = {AK}\nsk = {SK}\n", mode=0o644)
    assert any("credentials file" in w for w in cfg.resolve().warnings)


# --- safety ----------------------------------------------------------------------------------


def _ready(cfg: Env, endpoint: str, **env: str) -> Config:
    return cfg.resolve({"endpoint": endpoint, "project_id": PROJECT}, env)


def test_token_over_plain_http_to_a_remote_host_is_refused(cfg: Env) -> None:
    config = _ready(cfg, "http://example.com:8080", ROMA_TUI_TOKEN=TOKEN)
    with pytest.raises(ConfigError) as caught:
        ensure_safe(config)
    assert caught.value.message == (
        "refusing to send a token over plain http to example.com: "
        "use https, or a loopback simulator"
    )
    with pytest.raises(ConfigError, match="refusing"):
        make_client(config, FakeClock())


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:8080",
        "http://127.0.0.5",
        "http://localhost:8080",
        "http://[::1]:8080",
        "https://example.com",
    ],
)
def test_loopback_http_and_https_are_allowed(cfg: Env, endpoint: str) -> None:
    ensure_safe(_ready(cfg, endpoint, ROMA_TUI_TOKEN=TOKEN))


def test_aksk_signature_over_http_is_allowed_but_a_security_token_is_not(cfg: Env) -> None:
    keys = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}
    ensure_safe(_ready(cfg, "http://example.com", **keys))
    with pytest.raises(ConfigError, match="security token"):
        ensure_safe(
            _ready(cfg, "http://example.com", HUAWEICLOUD_SDK_SECURITY_TOKEN=SECURITY_TOKEN, **keys)
        )


def test_password_to_a_plain_http_iam_is_refused(cfg: Env) -> None:
    config = _ready(
        cfg,
        "https://roma.example",
        ROMA_TUI_IAM_USER="alice",
        ROMA_TUI_IAM_DOMAIN="acme",
        HUAWEICLOUD_SDK_IAM_ENDPOINT="http://iam.example",
    )
    with pytest.raises(ConfigError, match=r"password over plain http to iam\.example"):
        ensure_safe(config)


def test_insecure_warns_and_turns_verification_off(cfg: Env, tmp_path: Path) -> None:
    config = cfg.resolve({"insecure": True})
    assert config.verify is False
    assert any("TLS certificate verification is off" in w for w in config.warnings)
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    config = cfg.resolve({"ca_bundle": str(bundle)})
    assert config.verify == str(bundle)
    assert config.warnings == ()


def test_missing_ca_bundle_is_refused(cfg: Env, tmp_path: Path) -> None:
    config = cfg.resolve(
        {"endpoint": "https://roma.example", "ca_bundle": str(tmp_path / "none.pem")}
    )
    with pytest.raises(ConfigError, match="CA bundle"):
        ensure_safe(config)


# --- masking ---------------------------------------------------------------------------------


def _everything(cfg: Env, tmp_path: Path) -> Config:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN, encoding="utf-8")
    token_file.chmod(0o600)
    return cfg.resolve(
        {"region": "cn-north-4", "token_file": str(token_file)},
        {
            "ROMA_TUI_PROJECT_ID": PROJECT,
            "HUAWEICLOUD_SDK_AK": AK,
            "HUAWEICLOUD_SDK_SK": SK,
            "HUAWEICLOUD_SDK_SECURITY_TOKEN": SECURITY_TOKEN,
            "ROMA_TUI_PASSWORD": PASSWORD,
            "ROMA_TUI_IAM_USER": "alice",
            "ROMA_TUI_IAM_DOMAIN": "acme",
        },
    )


def test_rendered_config_never_contains_a_secret(cfg: Env, tmp_path: Path) -> None:
    config = _everything(cfg, tmp_path)
    text = render_config(config, home=cfg.home)
    for secret in SECRETS:
        assert secret not in text
        assert secret not in repr(config)
        assert secret[-4:] not in text
    lines = {line.split("  ")[0].strip(): line for line in text.splitlines()}
    assert "set" in lines["token"] and "flag --token-file" in lines["token"]
    assert "set" in lines["sk"] and "env HUAWEICLOUD_SDK_SK" in lines["sk"]
    assert "(env ROMA_TUI_PASSWORD)" in lines["iam password"]
    assert "HPUA…0001" in lines["ak"]
    assert "https://roma.cn-north-4.myhuaweicloud.com  (flag --region)" in lines["endpoint"]
    assert "10s  (default)" in lines["interval"]


def test_rendered_config_says_not_set(cfg: Env) -> None:
    text = render_config(cfg.resolve(), home=cfg.home)
    assert "token           not set" in text
    assert "config file     none  (nothing at ~/.config/roma-tui/config.toml)" in text


# --- auth and client -------------------------------------------------------------------------


def test_build_auth_for_each_method(cfg: Env) -> None:
    base = {"endpoint": "https://roma.example", "project_id": PROJECT}
    token = build_auth(cfg.resolve(base, {"ROMA_TUI_TOKEN": TOKEN}))
    assert getattr(token, "method", None) == "token"
    keys = build_auth(
        cfg.resolve(base, {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}),
        clock=FakeClock(),
    )
    assert getattr(keys, "method", None) == "aksk"
    user = {
        "ROMA_TUI_IAM_USER": "alice",
        "ROMA_TUI_IAM_DOMAIN": "acme",
        "HUAWEICLOUD_SDK_IAM_ENDPOINT": "https://iam.example",
    }
    password = build_auth(cfg.resolve(base, {**user, "ROMA_TUI_PASSWORD": PASSWORD}))
    assert getattr(password, "method", None) == "password"
    for auth in (token, keys, password):
        assert all(secret not in repr(auth) for secret in SECRETS)


def test_password_prompt_only_on_a_terminal(cfg: Env) -> None:
    config = cfg.resolve(
        {"region": "cn-north-4", "project_id": PROJECT},
        {"ROMA_TUI_IAM_USER": "alice", "ROMA_TUI_IAM_DOMAIN": "acme"},
    )
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return PASSWORD

    auth = build_auth(config, prompt, interactive=True)
    assert getattr(auth, "method", None) == "password"
    assert asked == ["IAM password for alice@acme: "]
    with pytest.raises(ConfigError, match="ROMA_TUI_PASSWORD"):
        build_auth(config, prompt, interactive=False)
    with pytest.raises(ConfigError, match="no IAM password given"):
        build_auth(config, lambda _: "", interactive=True)


async def test_make_client_sends_the_token_to_the_endpoint(cfg: Env) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"total": 0, "size": 0, "instances": []})

    config = cfg.resolve(
        {"endpoint": "https://roma.example", "project_id": PROJECT}, {"ROMA_TUI_TOKEN": TOKEN}
    )
    client = make_client(config, FakeClock(), transport=httpx.MockTransport(handler))
    async with client:
        assert client.endpoint == "https://roma.example"
        assert client.project_id == PROJECT
        assert client.auth_method == "token"
        await client.list_instances()
    assert seen, "no request was sent"
    assert seen[0].url.host == "roma.example"
    assert seen[0].url.path == f"/v2/{PROJECT}/instances"
    assert seen[0].headers["X-Auth-Token"] == TOKEN


def test_config_is_frozen_and_secret_values_are_secretstr(cfg: Env) -> None:
    config = cfg.resolve({}, {"ROMA_TUI_TOKEN": TOKEN})
    assert isinstance(config.token, SecretStr)
    with pytest.raises(AttributeError):
        config.endpoint = "x"  # type: ignore[misc]
    assert TOKEN not in json.dumps(config.sources)


# --- bounds and bad values: one line, never a traceback, never an accepted value ---------------


@pytest.mark.parametrize(
    ("flags", "env", "text", "source"),
    [
        ({"interval": "0.0001"}, {}, "", "flag --interval"),
        ({"interval": "99999999999999"}, {}, "", "flag --interval"),
        ({"interval": "0"}, {}, "", "flag --interval"),
        ({}, {"ROMA_TUI_INTERVAL": "inf"}, "", "env ROMA_TUI_INTERVAL"),
        ({}, {"ROMA_TUI_INTERVAL": "nan"}, "", "env ROMA_TUI_INTERVAL"),
        ({}, {}, "interval = 1e300", SHOWN_FILE),
        ({}, {}, "interval = 86401", SHOWN_FILE),
        ({}, {}, "interval = 0.5", SHOWN_FILE),
    ],
)
def test_interval_out_of_range_is_one_line_naming_its_source(
    cfg: Env, flags: dict[str, object], env: dict[str, str], text: str, source: str
) -> None:
    if text:
        cfg.write_config(text + "\n")
    with pytest.raises(ConfigError) as caught:
        cfg.resolve(flags, env)
    message = caught.value.message
    assert message.startswith(f"interval from {source} must be between 1 s and 1 day (86400 s)")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("given", "seconds"), [("1", 1.0), ("2m", 120.0), ("1h30m", 5400.0), ("86400", 86400.0)]
)
def test_interval_takes_seconds_or_a_duration_anywhere(
    cfg: Env, given: str, seconds: float
) -> None:
    assert cfg.resolve({"interval": given}).interval == seconds
    assert cfg.resolve({}, {"ROMA_TUI_INTERVAL": given}).interval == seconds
    cfg.write_config(f'interval = "{given}"\n')
    assert cfg.resolve().interval == seconds


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("http://127.0.0.1:99999", "its port is out of range"),
        ("http://127.0.0.1:0", "its port is out of range"),
        ("http://[::1", "it is malformed"),
        ("https://roma.example:http", "it is malformed"),
    ],
)
def test_endpoint_with_a_bad_port_or_shape_is_one_line(
    cfg: Env, endpoint: str, reason: str
) -> None:
    for flags, env, source in (
        ({"endpoint": endpoint}, {}, "flag --endpoint"),
        ({}, {"ROMA_TUI_ENDPOINT": endpoint}, "env ROMA_TUI_ENDPOINT"),
        ({"region": "cn-north-4"}, {"HUAWEICLOUD_SDK_IAM_ENDPOINT": endpoint}, "env"),
    ):
        with pytest.raises(ConfigError) as caught:
            cfg.resolve(flags, env)
        assert f"from {source}" in caught.value.message
        assert f"is not a usable URL ({reason})" in caught.value.message
        assert "\n" not in caught.value.message


@pytest.mark.parametrize(
    "project_id",
    ["0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdeg", "my-project", "p1"],
)
def test_a_project_id_that_is_not_32_hex_characters_is_refused_before_any_request(
    cfg: Env, project_id: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        cfg.resolve({"project_id": project_id, "region": "cn-north-4"})
    assert caught.value.message == (
        "project id from flag --project-id is not a project id (32 hexadecimal characters, "
        f"as in the console's My Credentials), not {project_id!r}"
    )


def test_an_upper_case_project_id_is_the_same_id(cfg: Env) -> None:
    assert cfg.resolve({"project_id": PROJECT.upper()}).project_id == PROJECT


SECRET_WITH_A_LINE_BREAK = "tok-LINE-ONE\ntok-LINE-TWO"


@pytest.mark.parametrize(
    ("env", "what"),
    [
        ({"ROMA_TUI_TOKEN": SECRET_WITH_A_LINE_BREAK}, "token from env ROMA_TUI_TOKEN"),
        (
            {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SECRET_WITH_A_LINE_BREAK},
            "secret key (SK) from env HUAWEICLOUD_SDK_SK",
        ),
        (
            {
                "HUAWEICLOUD_SDK_AK": AK,
                "HUAWEICLOUD_SDK_SK": SK,
                "HUAWEICLOUD_SDK_SECURITY_TOKEN": SECRET_WITH_A_LINE_BREAK,
            },
            "security token from env HUAWEICLOUD_SDK_SECURITY_TOKEN",
        ),
        (
            {"ROMA_TUI_PASSWORD": SECRET_WITH_A_LINE_BREAK},
            "IAM password from env ROMA_TUI_PASSWORD",
        ),
    ],
)
def test_a_secret_with_a_line_break_is_refused_without_showing_it(
    cfg: Env, env: dict[str, str], what: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        cfg.resolve({}, env)
    message = caught.value.message
    assert message.startswith(f"{what} has a line break inside: set it to the ")
    assert message.endswith(" alone, on one line")
    for part in ("tok-LINE-ONE", "tok-LINE-TWO", "LINE"):
        assert part not in message
        assert part not in repr(caught.value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("tok\x1b]52;c;x\x07", "a control character"),
        ("tok en", "a space"),
        ("tökén", "a non-ASCII"),
    ],
)
def test_a_token_with_a_control_character_space_or_non_ascii_letter_is_refused(
    cfg: Env, value: str, problem: str
) -> None:
    with pytest.raises(ConfigError, match=f"token from env ROMA_TUI_TOKEN has {problem}"):
        cfg.resolve({}, {"ROMA_TUI_TOKEN": value})


def test_a_two_line_token_file_is_refused_naming_the_file(cfg: Env, tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text(f"{TOKEN}\n{TOKEN}-second-line\n", encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(ConfigError) as caught:
        cfg.resolve({"token_file": str(path)})
    assert caught.value.message == (
        f"token from flag --token-file {path} has a line break inside: "
        "the file must hold the token alone, on one line"
    )


def test_a_secret_in_the_config_file_is_checked_too(cfg: Env) -> None:
    cfg.write_config('token = "a\\tb"\n')
    with pytest.raises(ConfigError, match=r"token from config file .* has a control character"):
        cfg.resolve()


def test_a_prompted_password_with_a_line_break_is_refused(cfg: Env) -> None:
    config = cfg.resolve(
        {"region": "cn-north-4"}, {"ROMA_TUI_IAM_USER": "alice", "ROMA_TUI_IAM_DOMAIN": "acme"}
    )
    with pytest.raises(ConfigError) as caught:
        build_auth(config, lambda _: PASSWORD + "\nmore", interactive=True)
    assert caught.value.message.startswith("IAM password from the prompt has a line break inside")
    assert PASSWORD not in caught.value.message


# --- endpoints from a region, as the official SDK finds them -------------------------------


def test_iam_endpoint_is_regional_where_the_sdk_knows_one_and_global_elsewhere(cfg: Env) -> None:
    assert cfg.resolve({"region": "cn-north-4"}).iam_endpoint == (
        "https://iam.cn-north-4.myhuaweicloud.com"
    )
    config = cfg.resolve({"region": "ru-northwest-2"})
    assert config.endpoint == "https://roma.ru-northwest-2.myhuaweicloud.com"
    assert config.iam_endpoint == "https://iam.myhuaweicloud.com"
    assert config.sources["iam_endpoint"] == "flag --region"


def test_sdk_region_override_names_the_roma_endpoint(cfg: Env) -> None:
    env = {"HUAWEICLOUD_SDK_REGION_ROMA_CN_NORTH_4": "https://roma.private.example,https://b"}
    config = cfg.resolve({"region": "cn-north-4"}, env)
    assert config.endpoint == "https://roma.private.example"
    assert config.sources["endpoint"] == "env HUAWEICLOUD_SDK_REGION_ROMA_CN_NORTH_4"
    explicit = cfg.resolve({"region": "cn-north-4", "endpoint": "https://mine.example"}, env)
    assert explicit.endpoint == "https://mine.example"


def test_iam_endpoint_from_a_profile(cfg: Env) -> None:
    cfg.write_config('region = "cn-north-4"\niam_endpoint = "https://iam.private.example/"\n')
    config = cfg.resolve()
    assert config.iam_endpoint == "https://iam.private.example"
    assert config.sources["iam_endpoint"] == SHOWN_FILE


def test_every_environment_name_in_the_table_is_documented() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        for name in setting.env:
            assert name in readme, name
        if setting.in_file:
            assert f"`{setting.file_key}`" in readme, setting.file_key
