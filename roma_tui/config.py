"""Resolve roma-tui's configuration: flags > environment > config file > defaults.

Reads the names people already have (the Huawei Cloud SDK's environment and credentials
file, the Terraform provider's environment) next to roma-tui's own TOML profiles, records
where every value came from, and turns the result into an authenticated `RomaClient`.
Secrets stay `SecretStr` from the moment they are read; nothing here ever prints one.

Must not import textual, roma_tui.tui, roma_tui.scripting or roma_tui.simulator.
"""

from __future__ import annotations

import configparser
import getpass
import ipaddress
import os
import re
import stat
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from roma_tui.api.errors import ConfigError

if TYPE_CHECKING:
    import httpx

    from roma_tui.api.client import RomaClient
    from roma_tui.clock import Clock

APP_NAME = "roma-tui"
AUTH_METHODS = ("token", "aksk", "password")
DEFAULT_INTERVAL = 10.0
DEFAULT = "default"

NO_CREDENTIALS = (
    "no credentials: set ROMA_TUI_TOKEN (or pass --token-file PATH), or HUAWEICLOUD_SDK_AK/SK, "
    "or ROMA_TUI_IAM_USER + ROMA_TUI_IAM_DOMAIN for an IAM password; or try `roma-tui --demo`"
)
NO_ENDPOINT = (
    "no endpoint: pass --region R or --endpoint URL (or set ROMA_TUI_REGION, HW_REGION_NAME or "
    "ROMA_TUI_ENDPOINT, or put region/endpoint in a config profile); or try `roma-tui --demo`"
)
NO_PROJECT = (
    "no project id: pass --project-id ID (or set ROMA_TUI_PROJECT_ID or "
    "HUAWEICLOUD_SDK_PROJECT_ID, or put project_id in a config profile)"
)

# Keys a config-file profile (or the file's top level, shared by every profile) may hold.
_STR_KEYS = frozenset(
    {"endpoint", "region", "project_id", "auth", "iam_user", "iam_domain", "iam_endpoint"}
    | {"ca_bundle", "ak"}
)
_SECRET_KEYS = frozenset({"sk", "token", "security_token"})
_FILE_KEYS = _STR_KEYS | _SECRET_KEYS | {"interval", "bell"}

_REGION_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PROJECT_RE = re.compile(r"^[A-Za-z0-9._-]+$")


@dataclass(frozen=True)
class Config:
    """Everything roma-tui needs to talk to one ROMA Connect project, and where it came from."""

    endpoint: str | None = None
    iam_endpoint: str | None = None
    region: str | None = None
    project_id: str | None = None
    profile: str | None = None
    auth_method: str | None = None  # "token" | "aksk" | "password" | None (no credentials)
    interval: float = DEFAULT_INTERVAL
    ca_bundle: str | None = None
    insecure: bool = False
    log_file: str | None = None
    bell: bool = True
    token: SecretStr | None = None
    ak: str | None = None
    sk: SecretStr | None = None
    security_token: SecretStr | None = None
    password: SecretStr | None = None
    iam_user: str | None = None
    iam_domain: str | None = None
    config_path: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def verify(self) -> bool | str:
        """What to give httpx as `verify`: off with --insecure, else the CA bundle or True."""
        if self.insecure:
            return False
        return self.ca_bundle or True

    def source(self, name: str) -> str:
        return self.sources.get(name, "not set")


# ---------------------------------------------------------------------------------------------
# small helpers


def _display_path(path: Path, home: Path) -> str:
    try:
        return "~/" + path.relative_to(home).as_posix()
    except ValueError:
        return str(path)


def _text(value: object) -> str | None:
    """A non-empty, stripped string, or None."""
    if value is None or value is False:
        return None
    text = str(value).strip()
    return text or None


def _readable_by_others(path: Path) -> bool:
    if os.name == "nt":  # pragma: no cover - POSIX permissions only
        return False
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))


def _secrets_warning(what: str, path: Path, home: Path) -> str:
    shown = _display_path(path, home)
    return f"{what} {shown} holds secrets and is readable by other users: run `chmod 600 {shown}`"


def _region_endpoints(region: str) -> tuple[str, str]:
    return f"https://roma.{region}.myhuaweicloud.com", f"https://iam.{region}.myhuaweicloud.com"


def _check_url(url: str, what: str, source: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{what} from {source} is not an http(s) URL: {url!r}")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            f"{what} from {source} must not contain a user name or password; "
            "credentials go in the environment or a credentials file"
        )
    return url.rstrip("/")


def _check_region(region: str, source: str) -> str:
    if not _REGION_RE.match(region):
        raise ConfigError(f"region from {source} is not a region name like cn-north-4: {region!r}")
    return region


def _normalise_auth(value: str, source: str) -> str:
    squashed = value.strip().lower().replace("/", "").replace("-", "").replace("_", "")
    if squashed in AUTH_METHODS:
        return squashed
    raise ConfigError(f"auth from {source} must be one of token, aksk, password, not {value!r}")


def _positive_float(value: object, what: str, source: str) -> float:
    if isinstance(value, bool):
        raise ConfigError(f"{what} from {source} must be a number of seconds")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(f"{what} from {source} must be a number of seconds") from None
    if not number > 0 or number == float("inf"):
        raise ConfigError(f"{what} from {source} must be more than 0 seconds")
    return number


# ---------------------------------------------------------------------------------------------
# files


@dataclass(frozen=True)
class _FileLayer:
    """Values read from one file, each with its source label."""

    values: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> tuple[Any, str] | None:
        if key in self.values:
            return self.values[key], self.labels[key]
        return None


def _load_config_file(
    flags: Mapping[str, object],
    env: Mapping[str, str],
    home: Path,
    config_dir: Path,
    sources: dict[str, str],
    warnings: list[str],
) -> tuple[_FileLayer, Path | None, str | None]:
    """Read roma-tui's TOML file and pick the profile; returns (values, path, profile name)."""
    explicit: str | None = None
    if (flag := _text(flags.get("config"))) is not None:
        path, explicit = Path(flag).expanduser(), "flag --config"
    elif (value := _text(env.get("ROMA_TUI_CONFIG"))) is not None:
        path, explicit = Path(value).expanduser(), "env ROMA_TUI_CONFIG"
    else:
        path = config_dir / "config.toml"
    shown = _display_path(path, home)

    # Which profile was asked for, before looking in the file.
    profile: str | None = None
    profile_source = ""
    if (value := _text(flags.get("profile"))) is not None:
        profile, profile_source = value, "flag --profile"
    elif (value := _text(env.get("ROMA_TUI_PROFILE"))) is not None:
        profile, profile_source = value, "env ROMA_TUI_PROFILE"

    if not path.is_file():
        if explicit is not None:
            raise ConfigError(f"config file {shown} (from {explicit}) does not exist")
        sources["config_path"] = f"nothing at {shown}"
        if profile is not None:
            raise ConfigError(
                f"profile {profile!r} asked for ({profile_source}), but there is no config file "
                f"at {shown}: create it, or pass --config PATH"
            )
        return _FileLayer(), None, None
    sources["config_path"] = explicit or DEFAULT

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {shown}: {exc.__class__.__name__}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {shown} is not valid TOML: {exc}") from None

    profiles_raw = data.get("profiles", {})
    if not isinstance(profiles_raw, dict) or not all(
        isinstance(p, dict) for p in profiles_raw.values()
    ):
        raise ConfigError(f"config file {shown}: profiles must be tables like [profiles.prod]")
    profiles: dict[str, dict[str, Any]] = profiles_raw

    if profile is None:
        default_profile = data.get("default_profile")
        if default_profile is not None:
            if not isinstance(default_profile, str):
                raise ConfigError(f"config file {shown}: default_profile must be a string")
            profile, profile_source = default_profile, f"config file {shown} default_profile"
        elif DEFAULT in profiles:
            profile, profile_source = DEFAULT, f"config file {shown} (the profile named default)"
    if profile is not None:
        if profile not in profiles:
            known = ", ".join(sorted(profiles)) or "none"
            raise ConfigError(
                f"unknown profile {profile!r} ({profile_source}); profiles in {shown}: {known}"
            )
        sources["profile"] = profile_source

    layer = _FileLayer()
    top = {k: v for k, v in data.items() if k not in ("profiles", "default_profile")}
    sections: list[tuple[dict[str, Any], str]] = [(top, f"config file {shown}")]
    if profile is not None:
        sections.append((profiles[profile], f"config file {shown} [profile {profile}]"))
    for section, label in sections:
        for key, value in section.items():
            if key not in _FILE_KEYS:
                warnings.append(f"{label}: unknown key {key!r} ignored")
                continue
            if key in _STR_KEYS | _SECRET_KEYS and not isinstance(value, str):
                raise ConfigError(f"{label}: {key} must be a string")
            if key == "bell" and not isinstance(value, bool):
                raise ConfigError(f"{label}: bell must be true or false")
            layer.values[key] = value
            layer.labels[key] = label

    holds_secrets = any(k in _SECRET_KEYS for k in top) or any(
        k in _SECRET_KEYS for p in profiles.values() for k in p
    )
    if holds_secrets and _readable_by_others(path):
        warnings.append(_secrets_warning("config file", path, home))
    return layer, path, profile


def _load_credentials_file(env: Mapping[str, str], home: Path, warnings: list[str]) -> _FileLayer:
    """The Huawei Cloud SDK's INI credentials file, section [basic]."""
    if (value := _text(env.get("HUAWEICLOUD_SDK_CREDENTIALS_FILE"))) is not None:
        path = Path(value).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"credentials file {_display_path(path, home)} "
                "(from env HUAWEICLOUD_SDK_CREDENTIALS_FILE) does not exist"
            )
    else:
        path = home / ".huaweicloud" / "credentials"
        if not path.is_file():
            return _FileLayer()
    shown = _display_path(path, home)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read credentials file {shown}: {exc.__class__.__name__}"
        ) from None
    except configparser.Error:
        raise ConfigError(f"credentials file {shown} is not a valid INI file") from None
    if not parser.has_section("basic"):
        return _FileLayer()
    layer = _FileLayer()
    label = f"credentials file {shown}"
    for key in ("ak", "sk", "project_id", "security_token", "iam_endpoint"):
        value = _text(parser.get("basic", key, fallback=None))
        if value is not None:
            layer.values[key] = value
            layer.labels[key] = label
    if any(k in layer.values for k in ("sk", "security_token")) and _readable_by_others(path):
        warnings.append(_secrets_warning("credentials file", path, home))
    return layer


def _read_token_file(value: str, home: Path, warnings: list[str]) -> SecretStr:
    path = Path(value).expanduser()
    shown = _display_path(path, home)
    if not path.is_file():
        raise ConfigError(f"token file {shown} (from --token-file) does not exist")
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read token file {shown}: {exc.__class__.__name__}") from None
    if not token:
        raise ConfigError(f"token file {shown} (from --token-file) is empty")
    if _readable_by_others(path):
        warnings.append(_secrets_warning("token file", path, home))
    return SecretStr(token)


# ---------------------------------------------------------------------------------------------
# resolution


def default_config_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME))


def resolve_config(
    flags: Mapping[str, object],
    env: Mapping[str, str],
    *,
    home: Path | None = None,
    config_dir: Path | None = None,
) -> Config:
    """Resolve every setting (flags > environment > config file > defaults).

    `flags` uses argparse dest names (endpoint, region, project_id, profile, config,
    token_file, ca_bundle, insecure, log_file, interval, bell); a missing or None value
    means "not given". Raises ConfigError for anything given but invalid (unknown profile,
    unreadable file, bad URL...). Missing credentials are not an error here: auth_method is
    then None and `require_ready` / `build_auth` say what is missing.
    """
    home = home if home is not None else Path.home()
    config_dir = config_dir if config_dir is not None else default_config_dir()
    sources: dict[str, str] = {}
    warnings: list[str] = []

    file, config_path, profile = _load_config_file(flags, env, home, config_dir, sources, warnings)
    creds = _load_credentials_file(env, home, warnings)

    def env_value(name: str) -> tuple[str, str] | None:
        value = _text(env.get(name))
        return (value, f"env {name}") if value is not None else None

    def flag_value(name: str, option: str) -> tuple[str, str] | None:
        value = _text(flags.get(name))
        return (value, f"flag {option}") if value is not None else None

    def file_value(layer: _FileLayer, key: str) -> tuple[str, str] | None:
        found = layer.get(key)
        if found is None:
            return None
        value = _text(found[0])
        return (value, found[1]) if value is not None else None

    def first(*candidates: tuple[Any, str] | None) -> tuple[Any, str] | None:
        for candidate in candidates:
            if candidate is not None:
                return candidate
        return None

    def pick(name: str, *candidates: tuple[Any, str] | None) -> Any:
        found = first(*candidates)
        if found is None:
            return None
        sources[name] = found[1]
        return found[0]

    # Region, endpoint and IAM endpoint.
    region_candidates = [
        flag_value("region", "--region"),
        env_value("ROMA_TUI_REGION"),
        env_value("HW_REGION_NAME"),
        file_value(file, "region"),
    ]
    region = pick("region", *region_candidates)
    if region is not None:
        region = _check_region(region, sources["region"])

    def derived(found: tuple[str, str] | None) -> tuple[str, str] | None:
        if found is None:
            return None
        return _region_endpoints(_check_region(found[0], found[1]))[0], found[1]

    endpoint = pick(
        "endpoint",
        flag_value("endpoint", "--endpoint"),
        derived(region_candidates[0]),
        env_value("ROMA_TUI_ENDPOINT"),
        derived(region_candidates[1]),
        derived(region_candidates[2]),
        file_value(file, "endpoint"),
        derived(region_candidates[3]),
    )
    if endpoint is not None:
        endpoint = _check_url(endpoint, "endpoint", sources["endpoint"])

    iam_endpoint = pick(
        "iam_endpoint",
        env_value("HUAWEICLOUD_SDK_IAM_ENDPOINT"),
        file_value(file, "iam_endpoint"),
        file_value(creds, "iam_endpoint"),
        (_region_endpoints(region)[1], sources["region"]) if region is not None else None,
    )
    if iam_endpoint is not None:
        iam_endpoint = _check_url(iam_endpoint, "IAM endpoint", sources["iam_endpoint"])

    project_id = pick(
        "project_id",
        flag_value("project_id", "--project-id"),
        env_value("ROMA_TUI_PROJECT_ID"),
        env_value("HUAWEICLOUD_SDK_PROJECT_ID"),
        env_value("HW_PROJECT_ID"),
        file_value(file, "project_id"),
        file_value(creds, "project_id"),
    )
    if project_id is not None and not _PROJECT_RE.match(project_id):
        raise ConfigError(
            f"project id from {sources['project_id']} has characters a project id never has"
        )

    # Plain settings.
    interval_found = first(
        (flags["interval"], "flag --interval") if flags.get("interval") is not None else None,
        env_value("ROMA_TUI_INTERVAL"),
        file.get("interval"),
    )
    if interval_found is None:
        interval = DEFAULT_INTERVAL
        sources["interval"] = DEFAULT
    else:
        interval = _positive_float(interval_found[0], "interval", interval_found[1])
        sources["interval"] = interval_found[1]

    ca_bundle = pick(
        "ca_bundle",
        flag_value("ca_bundle", "--ca-bundle"),
        env_value("ROMA_TUI_CA_BUNDLE"),
        file_value(file, "ca_bundle"),
    )
    if ca_bundle is not None:
        ca_bundle = str(Path(ca_bundle).expanduser())

    insecure = bool(flags.get("insecure"))
    sources["insecure"] = "flag --insecure" if insecure else DEFAULT
    if insecure:
        warnings.append(
            "TLS certificate verification is off (--insecure): anyone on the network path "
            "could read or change the traffic"
        )
    log_file = pick("log_file", flag_value("log_file", "--log-file"))

    if flags.get("bell") is False:
        bell, sources["bell"] = False, "flag --no-bell"
    elif (found := file.get("bell")) is not None:
        bell, sources["bell"] = bool(found[0]), found[1]
    else:
        bell, sources["bell"] = True, DEFAULT

    # Credentials.
    token: SecretStr | None = None
    if (token_file := _text(flags.get("token_file"))) is not None:
        token = _read_token_file(token_file, home, warnings)
        sources["token"] = f"flag --token-file {token_file}"
    else:
        found_token = first(env_value("ROMA_TUI_TOKEN"), file_value(file, "token"))
        if found_token is not None:
            token = SecretStr(found_token[0])
            sources["token"] = found_token[1]

    password: SecretStr | None = None
    if (found := env_value("ROMA_TUI_PASSWORD")) is not None:
        password = SecretStr(found[0])
        sources["password"] = found[1]

    # AK, SK and security token always come together, from the first source that has any.
    ak: str | None = None
    sk: SecretStr | None = None
    security_token: SecretStr | None = None
    key_layers: list[tuple[tuple[str, str] | None, ...]] = [
        (
            env_value("HUAWEICLOUD_SDK_AK"),
            env_value("HUAWEICLOUD_SDK_SK"),
            env_value("HUAWEICLOUD_SDK_SECURITY_TOKEN"),
        ),
        (
            env_value("HW_ACCESS_KEY"),
            env_value("HW_SECRET_KEY"),
            env_value("HW_SECURITY_TOKEN"),
        ),
        (file_value(file, "ak"), file_value(file, "sk"), file_value(file, "security_token")),
        (file_value(creds, "ak"), file_value(creds, "sk"), file_value(creds, "security_token")),
    ]
    for ak_found, sk_found, st_found in key_layers:
        if ak_found is None and sk_found is None:
            continue
        if ak_found is not None:
            ak, sources["ak"] = ak_found
        if sk_found is not None:
            sk, sources["sk"] = SecretStr(sk_found[0]), sk_found[1]
        if st_found is not None:
            security_token = SecretStr(st_found[0])
            sources["security_token"] = st_found[1]
        break

    iam_user = pick("iam_user", env_value("ROMA_TUI_IAM_USER"), file_value(file, "iam_user"))
    iam_domain = pick(
        "iam_domain", env_value("ROMA_TUI_IAM_DOMAIN"), file_value(file, "iam_domain")
    )

    # Which method: explicit, or the first that has what it needs.
    auth_found = first(env_value("ROMA_TUI_AUTH"), file_value(file, "auth"))
    auth_method: str | None
    if auth_found is not None:
        auth_method = _normalise_auth(auth_found[0], auth_found[1])
        sources["auth_method"] = auth_found[1]
    elif token is not None:
        auth_method, sources["auth_method"] = "token", "auto (a token is set)"
    elif ak is not None and sk is not None:
        auth_method, sources["auth_method"] = "aksk", "auto (an AK and SK are set)"
    elif iam_user is not None and iam_domain is not None:
        auth_method, sources["auth_method"] = "password", "auto (an IAM user and domain are set)"
    else:
        auth_method = None

    return Config(
        endpoint=endpoint,
        iam_endpoint=iam_endpoint,
        region=region,
        project_id=project_id,
        profile=profile,
        auth_method=auth_method,
        interval=interval,
        ca_bundle=ca_bundle,
        insecure=insecure,
        log_file=log_file,
        bell=bell,
        token=token,
        ak=ak,
        sk=sk,
        security_token=security_token,
        password=password,
        iam_user=iam_user,
        iam_domain=iam_domain,
        config_path=config_path,
        sources=sources,
        warnings=tuple(warnings),
    )


def require_ready(config: Config) -> None:
    """ConfigError naming the first thing missing before roma-tui can call the API."""
    if config.endpoint is None:
        raise ConfigError(NO_ENDPOINT)
    if config.project_id is None:
        raise ConfigError(NO_PROJECT)
    method = config.auth_method
    if method is None:
        raise ConfigError(NO_CREDENTIALS)
    via = f" (auth {method} from {config.source('auth_method')})"
    if method == "token" and config.token is None:
        raise ConfigError(f"no token{via}: set ROMA_TUI_TOKEN or pass --token-file PATH")
    if method == "aksk" and (config.ak is None or config.sk is None):
        missing = "access key (AK)" if config.ak is None else "secret key (SK)"
        raise ConfigError(
            f"no {missing}{via}: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK together, "
            "or ak and sk in [basic] of ~/.huaweicloud/credentials"
        )
    if method == "password":
        if config.iam_user is None or config.iam_domain is None:
            raise ConfigError(
                f"no IAM user or domain{via}: set ROMA_TUI_IAM_USER and ROMA_TUI_IAM_DOMAIN "
                "(or iam_user and iam_domain in the config profile)"
            )
        if config.iam_endpoint is None:
            raise ConfigError(
                f"no IAM endpoint{via}: pass --region R, or set HUAWEICLOUD_SDK_IAM_ENDPOINT"
            )


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ensure_safe(config: Config) -> None:
    """Refuse to send a secret in clear text to anything but this machine."""
    secret: str | None = None
    if config.auth_method in ("token", "password"):
        secret = "a token"
    elif config.auth_method == "aksk" and config.security_token is not None:
        secret = "a security token"
    targets: list[tuple[str | None, str | None]] = [(config.endpoint, secret)]
    if config.auth_method == "password":
        targets.append((config.iam_endpoint, "a password"))
    for url, what in targets:
        if url is None or what is None:
            continue
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme == "http" and not _is_loopback(host):
            raise ConfigError(
                f"refusing to send {what} over plain http to {host}: "
                "use https, or a loopback simulator"
            )
    if (
        config.ca_bundle is not None
        and not config.insecure
        and not Path(config.ca_bundle).is_file()
    ):
        raise ConfigError(
            f"CA bundle {config.ca_bundle} (from {config.source('ca_bundle')}) does not exist"
        )


def build_auth(
    config: Config,
    prompt: Callable[[str], str] = getpass.getpass,
    *,
    clock: Clock | None = None,
    interactive: bool | None = None,
) -> httpx.Auth:
    """The httpx.Auth for the resolved method; asks for an IAM password only on a terminal."""
    from roma_tui.api.auth import AkSkAuth, PasswordAuth, TokenAuth

    require_ready(config)
    if config.auth_method == "token":
        assert config.token is not None
        return TokenAuth(config.token)
    if config.auth_method == "aksk":
        assert config.ak is not None and config.sk is not None
        return AkSkAuth(config.ak, config.sk, config.project_id, config.security_token, clock=clock)
    assert config.iam_user is not None and config.iam_domain is not None
    assert config.iam_endpoint is not None and config.project_id is not None
    password = config.password
    if password is None:
        if interactive is None:
            interactive = sys.stdin is not None and sys.stdin.isatty()
        if not interactive:
            raise ConfigError(
                "no IAM password: set ROMA_TUI_PASSWORD, or run on a terminal to be asked for it"
            )
        try:
            typed = prompt(f"IAM password for {config.iam_user}@{config.iam_domain}: ")
        except EOFError:
            typed = ""
        if not typed:
            raise ConfigError("no IAM password given")
        password = SecretStr(typed)
    return PasswordAuth(
        config.iam_endpoint,
        config.iam_user,
        config.iam_domain,
        password,
        config.project_id,
        clock=clock,
    )


def make_client(
    config: Config,
    clock: Clock,
    *,
    prompt: Callable[[str], str] = getpass.getpass,
    interactive: bool | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> RomaClient:
    """A ready RomaClient for the configuration, after the safety checks."""
    from roma_tui.api.client import RomaClient

    require_ready(config)
    ensure_safe(config)
    auth = build_auth(config, prompt, clock=clock, interactive=interactive)
    assert config.endpoint is not None and config.project_id is not None
    return RomaClient(
        config.endpoint,
        config.project_id,
        auth,
        transport=transport,
        verify=config.verify,
        clock=clock,
    )


# ---------------------------------------------------------------------------------------------
# display


def describe_config(config: Config, *, home: Path | None = None) -> list[tuple[str, str, str]]:
    """(setting, shown value, source) rows, every secret reduced to set / not set."""
    from roma_tui.api.auth import mask_ak

    home = home if home is not None else Path.home()

    def secret(value: SecretStr | None) -> str:
        return "set" if value is not None else "not set"

    def plain(value: object) -> str:
        return "not set" if value is None else str(value)

    if config.password is not None:
        password_shown = "set"
    elif config.auth_method == "password":
        password_shown = "not set (asked for on a terminal)"
    else:
        password_shown = "not set"
    rows: list[tuple[str, str, str]] = [
        (
            "config file",
            _display_path(config.config_path, home) if config.config_path else "none",
            config.source("config_path"),
        ),
        ("profile", plain(config.profile), config.source("profile")),
        ("endpoint", plain(config.endpoint), config.source("endpoint")),
        ("region", plain(config.region), config.source("region")),
        ("project id", plain(config.project_id), config.source("project_id")),
        ("auth", plain(config.auth_method), config.source("auth_method")),
        ("token", secret(config.token), config.source("token")),
        ("ak", mask_ak(config.ak) if config.ak else "not set", config.source("ak")),
        ("sk", secret(config.sk), config.source("sk")),
        ("security token", secret(config.security_token), config.source("security_token")),
        ("iam user", plain(config.iam_user), config.source("iam_user")),
        ("iam domain", plain(config.iam_domain), config.source("iam_domain")),
        ("iam password", password_shown, config.source("password")),
        ("iam endpoint", plain(config.iam_endpoint), config.source("iam_endpoint")),
        ("interval", f"{config.interval:g}s", config.source("interval")),
        ("ca bundle", plain(config.ca_bundle), config.source("ca_bundle")),
        ("tls verify", "off" if config.insecure else "on", config.source("insecure")),
        ("log file", plain(config.log_file), config.source("log_file")),
        ("bell", "on" if config.bell else "off", config.source("bell")),
    ]
    return rows


def render_config(config: Config, *, home: Path | None = None) -> str:
    """The text `roma-tui config` prints: one setting per line, with where it came from."""
    rows = describe_config(config, home=home)
    width = max(len(name) for name, _, _ in rows)
    lines = []
    for name, value, source in rows:
        suffix = "" if source == "not set" else f"  ({source})"
        lines.append(f"{name:<{width}}  {value}{suffix}")
    return "\n".join(lines) + "\n"
