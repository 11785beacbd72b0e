"""Resolve roma-tui's configuration: flags > environment > config file > defaults.

Every setting is one row of `SETTINGS` (its flag, environment names, file key and pydantic
type); one loop resolves them all and records where each value came from, which is what
`roma-tui config` shows. The few rules that are not "first found wins" are small named
functions: the AK/SK group (`_key_group`), endpoints from a region (`_endpoint_from_region`,
`_iam_endpoint_from_region`) and the auth method (`_choose_auth`). Reads the names people
already have (the Huawei Cloud SDK's environment and credentials file, the Terraform
provider's environment) next to roma-tui's own TOML profiles. When no project id is given,
`connect` finds it through IAM as the official SDK does, and caches it.

Secrets stay `SecretStr` from the moment they are read; no message here ever holds one.
Must not import textual, roma_tui.tui, roma_tui.scripting or roma_tui.simulator.
"""

from __future__ import annotations

import getpass
import hashlib
import ipaddress
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SecretStr,
    StrictBool,
    ValidationError,
)

from roma_tui.api.errors import ConfigError
from roma_tui.api.regions import PROJECT_ID_PATTERN, iam_endpoint_for, roma_endpoint_for

if TYPE_CHECKING:
    import httpx
    from pydantic import TypeAdapter  # with pydantic's JSON-schema machinery: loaded when used

    from roma_tui.api.client import RomaClient
    from roma_tui.clock import Clock

APP_NAME = "roma-tui"
AUTH_METHODS = ("token", "aksk", "password")
DEFAULT_INTERVAL = 10.0
MIN_INTERVAL = 1.0
MAX_INTERVAL = 86400.0  # one day
DAY = 86400.0
DEFAULT_RETENTION = 180 * DAY  # how long the creation history keeps a creation
MIN_RETENTION, MAX_RETENTION = DAY, 3650 * DAY
DEFAULT = "default"
DISCOVERED = "discovered via IAM"

NO_CREDENTIALS = (
    "no credentials: set ROMA_TUI_TOKEN (or pass --token-file PATH), or HUAWEICLOUD_SDK_AK/SK, "
    "or ROMA_TUI_IAM_USER + ROMA_TUI_IAM_DOMAIN for an IAM password; or try `roma-tui --demo`"
)
NO_ENDPOINT = (
    "no endpoint: pass --region R or --endpoint URL (or set ROMA_TUI_REGION, HW_REGION_NAME or "
    "ROMA_TUI_ENDPOINT, or put region/endpoint in a config profile); or try `roma-tui --demo`"
)
NO_PROJECT = (
    "no project id: pass --region R to look it up through IAM, or --project-id ID (or set "
    "ROMA_TUI_PROJECT_ID or HUAWEICLOUD_SDK_PROJECT_ID, or put project_id in a config profile)"
)


# ---------------------------------------------------------------------------------------------
# value types: pydantic does the checking, these say what a good value looks like


_DURATION_RE = re.compile(
    r"^(?:(?P<d>\d+(?:\.\d+)?)d)?(?:(?P<h>\d+(?:\.\d+)?)h)?(?:(?P<m>\d+(?:\.\d+)?)m)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)s)?$"
)
_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?(?:e[+-]?\d+)?$")


def parse_duration(text: str) -> float:
    """Seconds in "90m", "1h30m", "45s", "1h", "30d", "300" (plain seconds); ValueError
    otherwise."""
    value = text.strip().lower()
    if _NUMBER_RE.match(value):
        seconds = float(value)
    else:
        match = _DURATION_RE.match(value)
        if not value or match is None:
            raise ValueError(f"invalid duration {text!r}: use e.g. 90m, 1h30m, 45s, 30d or 300")
        parts = match.groupdict()
        seconds = (
            float(parts["d"] or 0) * 86400
            + float(parts["h"] or 0) * 3600
            + float(parts["m"] or 0) * 60
            + float(parts["s"] or 0)
        )
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"invalid duration {text!r}: it must be more than 0 seconds")
    return seconds


def _seconds(value: object) -> object:
    """A number of seconds as given: a number, or a string like 30, 2.5, 90s, 5m, 1h30m.

    Range and finiteness are the type's `Field` checks; this only reads the text."""
    if isinstance(value, bool):
        raise ValueError("must be a number of seconds, not true or false")
    if not isinstance(value, str):
        return value
    try:
        return parse_duration(value)
    except ValueError:
        pass
    try:
        return float(value)  # "0", "-3", "inf": read, then refused by the range check
    except ValueError:
        raise ValueError("must be a number of seconds or a duration like 30s, 5m or 1h") from None


def _url(text: str) -> str:
    """An http(s) URL with a host, a port in range and no user name or password."""
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise ValueError("has a space or control character inside")
    try:
        parts = urlsplit(text)
        port = parts.port  # ValueError when out of range or not a number
    except ValueError as exc:
        reason = "its port is out of range" if "range" in str(exc) else "it is malformed"
        raise ValueError(f"is not a usable URL ({reason})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("is not an http(s) URL like https://roma.example.com")
    if port == 0:
        raise ValueError("is not a usable URL (its port is out of range)")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "must not contain a user name or password; credentials go in the environment or "
            "a credentials file"
        )
    return text.rstrip("/")


def _printable_secret(secret: SecretStr) -> SecretStr:
    """Secrets go into HTTP headers and signatures: printable ASCII, no spaces, one line."""
    for ch in secret.get_secret_value():
        if ch in "\r\n":
            raise ValueError("has a line break inside")
        if not ch.isprintable():
            raise ValueError("has a control character inside")
        if ch.isspace():
            raise ValueError("has a space inside")
        if not ch.isascii():
            raise ValueError("has a non-ASCII character inside")
    return secret


def _password(secret: SecretStr) -> SecretStr:
    """A password may hold spaces and any letter, but no line break or control character."""
    for ch in secret.get_secret_value():
        if ch in "\r\n":
            raise ValueError("has a line break inside")
        if not ch.isprintable():
            raise ValueError("has a control character inside")
    return secret


def _one_line(text: str) -> str:
    if not text.isprintable():
        raise ValueError("has a line break or control character inside")
    return text


def _auth_method(value: str) -> str:
    squashed = value.strip().lower().replace("/", "").replace("-", "").replace("_", "")
    if squashed not in AUTH_METHODS:
        raise ValueError("must be one of token, aksk, password")
    return squashed


Url = Annotated[str, AfterValidator(_url)]
Region = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
ProjectId = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
    Field(pattern=PROJECT_ID_PATTERN),
]
Interval = Annotated[
    float, BeforeValidator(_seconds), Field(ge=MIN_INTERVAL, le=MAX_INTERVAL, allow_inf_nan=False)
]
Retention = Annotated[
    float,
    BeforeValidator(_seconds),
    Field(ge=MIN_RETENTION, le=MAX_RETENTION, allow_inf_nan=False),
]
Secret = Annotated[SecretStr, AfterValidator(_printable_secret)]
Password = Annotated[SecretStr, AfterValidator(_password)]
AccessKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9]+$", max_length=128)]
Name = Annotated[str, Field(max_length=256), AfterValidator(_one_line)]
FilePath = Annotated[str, AfterValidator(_one_line), AfterValidator(os.path.expanduser)]
AuthMethod = Annotated[str, AfterValidator(_auth_method)]


# ---------------------------------------------------------------------------------------------
# the table


@dataclass(frozen=True)
class Setting:
    """One setting: where it may come from, in order, and what a valid value looks like.

    Sources, highest first: the flag (`flag` is the argparse dest), each environment name in
    `env`, the config file (key `key`, unless `in_file` is False), the SDK credentials file
    (`in_credentials`). `rule` completes "<label> from <source> ..." when pydantic rejects a
    value; a check that explains itself (a ValueError in a validator) says its own words.
    """

    name: str
    label: str
    type: Any
    rule: str
    flag: str | None = None
    option: str | None = None  # how the flag is shown, when not "--" + flag
    env: tuple[str, ...] = ()
    key: str | None = None
    in_file: bool = True
    in_credentials: bool = False
    secret: bool = False
    default: Any = None

    @property
    def file_key(self) -> str:
        return self.key or self.name

    @property
    def shown_option(self) -> str:
        return self.option or "--" + (self.flag or self.name).replace("_", "-")

    def adapter(self) -> TypeAdapter[Any]:
        return _adapter(self.type)


_ADAPTERS: dict[int, TypeAdapter[Any]] = {}


def _adapter(kind: Any) -> TypeAdapter[Any]:
    from pydantic import TypeAdapter

    found = _ADAPTERS.get(id(kind))
    if found is None:
        found = _ADAPTERS[id(kind)] = TypeAdapter(kind)
    return found


_INTERVAL_RULE = f"must be between {MIN_INTERVAL:g} s and 1 day ({MAX_INTERVAL:g} s)"

SETTINGS: tuple[Setting, ...] = (
    Setting("region", "region", Region, "is not a region name like cn-north-4",
            flag="region", env=("ROMA_TUI_REGION", "HW_REGION_NAME")),
    Setting("endpoint", "endpoint", Url, "is not an http(s) URL",
            flag="endpoint", env=("ROMA_TUI_ENDPOINT",)),
    Setting("iam_endpoint", "IAM endpoint", Url, "is not an http(s) URL",
            env=("HUAWEICLOUD_SDK_IAM_ENDPOINT",), in_credentials=True),
    Setting("project_id", "project id", ProjectId,
            "is not a project id (32 hexadecimal characters, as in the console's My Credentials)",
            flag="project_id",
            env=("ROMA_TUI_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID", "HW_PROJECT_ID"),
            in_credentials=True),
    Setting("interval", "interval", Interval, _INTERVAL_RULE,
            flag="interval", env=("ROMA_TUI_INTERVAL",), default=DEFAULT_INTERVAL),
    Setting("ca_bundle", "CA bundle", FilePath, "is not a file path",
            flag="ca_bundle", env=("ROMA_TUI_CA_BUNDLE",)),
    Setting("insecure", "insecure", StrictBool, "must be true or false",
            flag="insecure", in_file=False, default=False),
    Setting("log_file", "log file", FilePath, "is not a file path",
            flag="log_file", in_file=False),
    Setting("bell", "bell", StrictBool, "must be true or false",
            flag="bell", option="--no-bell", default=True),
    Setting("notify", "desktop notifications", StrictBool, "must be true or false",
            flag="notify", option="--notify", default=False),
    Setting("utc", "times in UTC", StrictBool, "must be true or false",
            flag="utc", option="--utc", default=False),
    Setting("history", "history", StrictBool, "must be true or false",
            flag="history", option="--no-history", default=True),
    Setting("history_retention", "history retention", Retention,
            "must be a duration from 1 day to 10 years, like 90d",
            env=("ROMA_TUI_HISTORY_RETENTION",), default=DEFAULT_RETENTION),
    Setting("token", "token", Secret, "must be a string",
            flag="token_file", env=("ROMA_TUI_TOKEN",), secret=True),
    Setting("password", "IAM password", Password, "must be a string",
            env=("ROMA_TUI_PASSWORD",), in_file=False, secret=True),
    Setting("ak", "access key (AK)", AccessKey, "must be letters and digits only",
            env=("HUAWEICLOUD_SDK_AK", "HW_ACCESS_KEY"), in_credentials=True),
    Setting("sk", "secret key (SK)", Secret, "must be a string",
            env=("HUAWEICLOUD_SDK_SK", "HW_SECRET_KEY"), in_credentials=True, secret=True),
    Setting("security_token", "security token", Secret, "must be a string",
            env=("HUAWEICLOUD_SDK_SECURITY_TOKEN", "HW_SECURITY_TOKEN"), in_credentials=True,
            secret=True),
    Setting("iam_user", "IAM user", Name, "must be one line", env=("ROMA_TUI_IAM_USER",)),
    Setting("iam_domain", "IAM domain", Name, "must be one line", env=("ROMA_TUI_IAM_DOMAIN",)),
    Setting("auth_method", "auth", AuthMethod, "must be one of token, aksk, password",
            env=("ROMA_TUI_AUTH",), key="auth"),
)  # fmt: skip
_BY_NAME = {s.name: s for s in SETTINGS}
_KEY_GROUP = ("ak", "sk", "security_token")
_FILE_KEYS = frozenset(s.file_key for s in SETTINGS if s.in_file)
_SECRET_KEYS = frozenset(s.file_key for s in SETTINGS if s.secret and s.in_file)
_CREDENTIAL_KEYS = tuple(s.name for s in SETTINGS if s.in_credentials)


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
    notify: bool = False  # desktop notifications (terminal escape sequences) when creations end
    utc: bool = False  # times in UTC instead of local time
    history: bool = True  # record creations, and use what they usually take
    history_retention: float = DEFAULT_RETENTION  # seconds
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

    @property
    def discovers_project(self) -> bool:
        """True when the project id is still to be looked up through IAM."""
        return self.project_id is None and self.region is not None

    def source(self, name: str) -> str:
        return self.sources.get(name, "not set")


# ---------------------------------------------------------------------------------------------
# candidates: every place a value was found, in precedence order


# Precedence levels; within the environment, each name's position in `Setting.env` counts too.
FLAG, ENV, FILE, CREDENTIALS = 0, 1, 2, 3


@dataclass(frozen=True)
class _Found:
    rank: tuple[int, int]  # (level, position within the level)
    value: object
    source: str


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


def _given(value: object) -> object | None:
    """A file or flag value as given (strings stripped), None when empty or absent."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def _excerpt(value: object) -> str:
    shown = repr(value) if isinstance(value, str) else str(value)
    return shown if len(shown) <= 60 else shown[:59] + "…"


def _validate(setting: Setting, found: _Found) -> Any:
    """The value checked and converted by the setting's type, or a one-line ConfigError."""
    problem: str | None = None
    try:
        value = setting.adapter().validate_python(found.value)
    except ValidationError as exc:  # its text holds the input: build our own words
        error = exc.errors(include_url=False, include_input=False)[0]
        own = error.get("ctx", {}).get("error") if error["type"] == "value_error" else None
        problem = str(own) if own is not None else setting.rule
    if problem is None:
        return value
    what = f"{setting.label} from {found.source} {problem}"
    if not setting.secret:
        raise ConfigError(f"{what}, not {_excerpt(found.value)}")
    if found.source.startswith("flag --token-file"):
        raise ConfigError(f"{what}: the file must hold the token alone, on one line")
    raise ConfigError(f"{what}: set it to the {setting.label} alone, on one line")


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


def _config_path(flag: object, env: Mapping[str, str], config_dir: Path) -> tuple[Path, str | None]:
    """Where the config file is, and which flag or variable said so (None: the default)."""
    if (given := _text(flag)) is not None:
        return Path(given).expanduser(), "flag --config"
    if (value := _text(env.get("ROMA_TUI_CONFIG"))) is not None:
        return Path(value).expanduser(), "env ROMA_TUI_CONFIG"
    return config_dir / "config.toml", None


def profile_names(config_flag: object, env: Mapping[str, str]) -> list[str]:
    """The profiles in the config file, for shell completion; none when it cannot be read."""
    import tomllib

    path, _ = _config_path(config_flag, env, default_config_dir())
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8")).get("profiles")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    return sorted(profiles) if isinstance(profiles, dict) else []


def _load_config_file(
    flags: Mapping[str, object],
    env: Mapping[str, str],
    home: Path,
    config_dir: Path,
    sources: dict[str, str],
    warnings: list[str],
) -> tuple[_FileLayer, Path | None, str | None]:
    """Read roma-tui's TOML file and pick the profile; returns (values, path, profile name)."""
    path, explicit = _config_path(flags.get("config"), env, config_dir)
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
    import tomllib  # here: no config file, no TOML parser loaded (start-up time)

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
    import configparser  # here: no credentials file, no INI parser loaded (start-up time)

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
    for key in _CREDENTIAL_KEYS:
        value = _text(parser.get("basic", key, fallback=None))
        if value is not None:
            layer.values[key] = value
            layer.labels[key] = label
    if any(k in layer.values for k in ("sk", "security_token")) and _readable_by_others(path):
        warnings.append(_secrets_warning("credentials file", path, home))
    return layer


def _read_token_file(value: str, home: Path, warnings: list[str]) -> str:
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
    return token


# ---------------------------------------------------------------------------------------------
# resolution


def default_config_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME))


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


def history_path() -> Path:
    """The creation history's database (roma_tui.monitor.history), in the platform's data
    dir. Named here, so that `status` can tell there is none without loading the store."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME)) / "history.sqlite3"


def _candidates(
    setting: Setting,
    flags: Mapping[str, object],
    env: Mapping[str, str],
    file: _FileLayer,
    creds: _FileLayer,
    home: Path,
    warnings: list[str],
) -> list[_Found]:
    """Every value given for `setting`, highest precedence first."""
    found: list[_Found] = []
    if setting.flag is not None and (raw := _given(flags.get(setting.flag))) is not None:
        if setting.flag == "token_file":
            path = str(raw)
            raw = _read_token_file(path, home, warnings)
            found.append(_Found((FLAG, 0), raw, f"flag --token-file {path}"))
        else:
            found.append(_Found((FLAG, 0), raw, f"flag {setting.shown_option}"))
    for position, name in enumerate(setting.env):
        if (value := _text(env.get(name))) is not None:
            found.append(_Found((ENV, position), value, f"env {name}"))
    layers = [(FILE, file, setting.in_file), (CREDENTIALS, creds, setting.in_credentials)]
    for level, layer, used in layers:
        hit = layer.get(setting.file_key) if used else None
        if hit is not None and (given := _given(hit[0])) is not None:
            found.append(_Found((level, 0), given, hit[1]))
    return found


def _key_group(candidates: dict[str, list[_Found]]) -> dict[str, _Found]:
    """AK, SK and security token always come together, from the first place that has an AK or
    an SK: an AK from the environment is never paired with an SK from a file."""
    ranks = sorted({c.rank for name in ("ak", "sk") for c in candidates[name]})
    if not ranks:
        return {}
    chosen = ranks[0]
    return {name: hit for name in _KEY_GROUP for hit in candidates[name] if hit.rank == chosen}


def _endpoint_from_region(
    endpoint: _Found | None, region: _Found | None, region_name: str | None, env: Mapping[str, str]
) -> _Found | None:
    """An explicit endpoint wins over a region given at the same level or below (a flag beats
    the environment beats the file); otherwise the region names the endpoint. The SDK's own
    override `HUAWEICLOUD_SDK_REGION_ROMA_<REGION>` (huaweicloudsdkcore/region/provider.py,
    EnvRegionProvider: comma-separated endpoints, the first is used) is honoured."""
    if region is None or region_name is None:
        return endpoint
    if endpoint is not None and endpoint.rank[0] <= region.rank[0]:
        return endpoint
    override = "HUAWEICLOUD_SDK_REGION_ROMA_" + region_name.replace("-", "_").upper()
    if (value := _text(env.get(override))) is not None:
        return _Found(region.rank, value.split(",")[0].strip(), f"env {override}")
    return _Found(region.rank, roma_endpoint_for(region_name), region.source)


def _iam_endpoint_from_region(
    iam_endpoint: _Found | None, region: _Found | None, region_name: str | None
) -> _Found | None:
    """A configured IAM endpoint, else the one the SDK uses for the region (its own, or the
    global one: `roma_tui.api.regions.iam_endpoint_for`)."""
    if iam_endpoint is not None or region is None or region_name is None:
        return iam_endpoint
    return _Found(region.rank, iam_endpoint_for(region_name), region.source)


def _choose_auth(
    explicit: str | None, token: object, ak: object, sk: object, user: object, domain: object
) -> tuple[str | None, str | None]:
    """(method, source): the one asked for, else the first that has what it needs."""
    if explicit is not None:
        return explicit, None
    if token is not None:
        return "token", "auto (a token is set)"
    if ak is not None and sk is not None:
        return "aksk", "auto (an AK and SK are set)"
    if user is not None and domain is not None:
        return "password", "auto (an IAM user and domain are set)"
    return None, None


def resolve_config(
    flags: Mapping[str, object],
    env: Mapping[str, str],
    *,
    home: Path | None = None,
    config_dir: Path | None = None,
) -> Config:
    """Resolve every setting (flags > environment > config file > defaults).

    `flags` uses argparse dest names (endpoint, region, project_id, profile, config,
    token_file, ca_bundle, insecure, log_file, interval, bell, notify, utc, history); a
    missing or None value means "not given". Raises ConfigError for anything given but
    invalid (unknown profile, unreadable file, bad URL, a number out of range...). Missing
    credentials are not an error
    here: auth_method is then None and `require_ready` / `build_auth` say what is missing.
    No network and no cache: a missing project id is looked up by `connect`.
    """
    home = home if home is not None else Path.home()
    config_dir = config_dir if config_dir is not None else default_config_dir()
    sources: dict[str, str] = {}
    warnings: list[str] = []

    file, config_path, profile = _load_config_file(flags, env, home, config_dir, sources, warnings)
    creds = _load_credentials_file(env, home, warnings)
    candidates = {s.name: _candidates(s, flags, env, file, creds, home, warnings) for s in SETTINGS}

    # The rules: first found wins, except where a named rule says otherwise.
    chosen: dict[str, _Found | None] = {
        name: (found[0] if found else None) for name, found in candidates.items()
    }
    group = _key_group(candidates)
    chosen.update({name: group.get(name) for name in _KEY_GROUP})

    values: dict[str, Any] = {}
    for setting in SETTINGS:
        hit = chosen[setting.name]
        if setting.name == "endpoint":
            hit = _endpoint_from_region(hit, chosen["region"], values.get("region"), env)
        elif setting.name == "iam_endpoint":
            hit = _iam_endpoint_from_region(hit, chosen["region"], values.get("region"))
        if hit is None:
            values[setting.name] = setting.default
            if setting.default is not None:
                sources[setting.name] = DEFAULT
            continue
        values[setting.name] = _validate(setting, hit)
        sources[setting.name] = hit.source

    method, auto = _choose_auth(
        values["auth_method"],
        values["token"],
        values["ak"],
        values["sk"],
        values["iam_user"],
        values["iam_domain"],
    )
    values["auth_method"] = method
    if auto is not None:
        sources["auth_method"] = auto
    if values["insecure"]:
        warnings.append(
            "TLS certificate verification is off (--insecure): anyone on the network path "
            "could read or change the traffic"
        )
    return Config(
        **values,
        profile=profile,
        config_path=config_path,
        sources=sources,
        warnings=tuple(warnings),
    )


def require_ready(config: Config) -> None:
    """ConfigError naming the first thing missing before roma-tui can call the API."""
    if config.endpoint is None:
        raise ConfigError(NO_ENDPOINT)
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
    if method == "password" and (config.iam_user is None or config.iam_domain is None):
        raise ConfigError(
            f"no IAM user or domain{via}: set ROMA_TUI_IAM_USER and ROMA_TUI_IAM_DOMAIN "
            "(or iam_user and iam_domain in the config profile)"
        )
    if config.project_id is None and config.region is None:
        raise ConfigError(NO_PROJECT)
    needs_iam = method == "password" or config.discovers_project
    if needs_iam and config.iam_endpoint is None:
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
    elif config.discovers_project:
        targets.append((config.iam_endpoint, secret))
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


def _ask_password(
    config: Config, prompt: Callable[[str], str], interactive: bool | None
) -> SecretStr:
    if config.password is not None:
        return config.password
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
    setting = _BY_NAME["password"]
    checked: SecretStr = _validate(setting, _Found((FLAG, 0), typed, "the prompt"))
    return checked


def build_auth(
    config: Config,
    prompt: Callable[[str], str] = getpass.getpass,
    *,
    clock: Clock | None = None,
    interactive: bool | None = None,
) -> httpx.Auth:
    """The httpx.Auth for the resolved method; asks for an IAM password only on a terminal.

    Without a project id, AK/SK signs without X-Project-Id (as the SDK does for its IAM
    lookup) and a password login scopes its token by project name, the region.
    """
    from roma_tui.api.auth import AkSkAuth, PasswordAuth, TokenAuth

    require_ready(config)
    if config.auth_method == "token":
        assert config.token is not None
        return TokenAuth(config.token)
    if config.auth_method == "aksk":
        assert config.ak is not None and config.sk is not None
        return AkSkAuth(config.ak, config.sk, config.project_id, config.security_token, clock=clock)
    assert config.iam_user is not None and config.iam_domain is not None
    assert config.iam_endpoint is not None
    return PasswordAuth(
        config.iam_endpoint,
        config.iam_user,
        config.iam_domain,
        _ask_password(config, prompt, interactive),
        config.project_id,
        project_name=config.region,
        clock=clock,
    )


# ---------------------------------------------------------------------------------------------
# the project id: given, cached, or looked up through IAM


def cache_key(config: Config) -> str:
    """The discovery cache's key for (IAM endpoint, region, credential): a SHA-256 digest, so
    the cache holds no secret and no access key, only which answer belongs to which question."""
    identity: str
    if config.auth_method == "aksk":
        identity = f"aksk:{config.ak}"
    elif config.auth_method == "password":
        identity = f"password:{config.iam_user}@{config.iam_domain}"
    else:
        token = config.token.get_secret_value() if config.token is not None else ""
        identity = "token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()
    parts = (config.iam_endpoint or "", config.region or "", identity)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


async def find_project_id(
    config: Config,
    auth: httpx.Auth,
    *,
    clock: Clock,
    transport: httpx.AsyncBaseTransport | None = None,
    cache_dir: Path | None = None,
) -> Config:
    """`config` with its project id: as given, from the discovery cache, or from IAM.

    A password login scopes its token by the region's name and reads the project id from
    IAM's answer; a token or AK/SK asks `GET {iam}/v3/projects?name={region}` as the official
    SDK does. What IAM says is cached per (IAM endpoint, region, credential).
    """
    if not config.discovers_project:
        return config
    from roma_tui.api.auth import AkSkAuth, PasswordAuth
    from roma_tui.api.iam import lookup_project_id
    from roma_tui.project_cache import ProjectCache

    assert config.region is not None and config.iam_endpoint is not None
    cache = ProjectCache(cache_dir if cache_dir is not None else default_cache_dir())
    key = cache_key(config)
    project_id = cache.get(key)
    source = f"{DISCOVERED}, cached"
    if project_id is None:
        project_id = await lookup_project_id(
            auth,
            config.iam_endpoint,
            config.region,
            clock=clock,
            verify=config.verify,
            transport=transport,
        )
        source = f"{DISCOVERED} at {config.iam_endpoint}"
        cache.put(key, project_id, config.region)
    if isinstance(auth, AkSkAuth | PasswordAuth):
        auth.project_id = project_id
    return replace(config, project_id=project_id, sources={**config.sources, "project_id": source})


def make_client(
    config: Config,
    clock: Clock,
    *,
    prompt: Callable[[str], str] = getpass.getpass,
    interactive: bool | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    auth: httpx.Auth | None = None,
) -> RomaClient:
    """A ready RomaClient for a configuration that has its project id, after the safety checks."""
    from roma_tui.api.client import RomaClient

    require_ready(config)
    ensure_safe(config)
    if config.project_id is None:
        raise ConfigError(NO_PROJECT)
    if auth is None:
        auth = build_auth(config, prompt, clock=clock, interactive=interactive)
    assert config.endpoint is not None
    return RomaClient(
        config.endpoint,
        config.project_id,
        auth,
        transport=transport,
        verify=config.verify,
        clock=clock,
    )


async def connect(
    config: Config,
    clock: Clock,
    *,
    prompt: Callable[[str], str] = getpass.getpass,
    interactive: bool | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    cache_dir: Path | None = None,
) -> tuple[Config, RomaClient]:
    """Check, authenticate, find the project id if needed, and return a ready RomaClient.

    The same auth object serves the IAM lookup and the client, so a password login asks IAM
    for one token, not two.
    """
    require_ready(config)
    ensure_safe(config)
    auth = build_auth(config, prompt, clock=clock, interactive=interactive)
    config = await find_project_id(
        config, auth, clock=clock, transport=transport, cache_dir=cache_dir
    )
    return config, make_client(config, clock, transport=transport, auth=auth)


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
    if config.project_id is None and config.discovers_project:
        project_shown = "not set (looked up through IAM at start)"
    else:
        project_shown = plain(config.project_id)
    rows: list[tuple[str, str, str]] = [
        (
            "config file",
            _display_path(config.config_path, home) if config.config_path else "none",
            config.source("config_path"),
        ),
        ("profile", plain(config.profile), config.source("profile")),
        ("endpoint", plain(config.endpoint), config.source("endpoint")),
        ("region", plain(config.region), config.source("region")),
        ("project id", project_shown, config.source("project_id")),
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
        ("desktop notify", "on" if config.notify else "off", config.source("notify")),
        ("times", "UTC" if config.utc else "local", config.source("utc")),
        ("history", "on" if config.history else "off", config.source("history")),
        (
            "history keeps",
            f"{config.history_retention / DAY:g}d",
            config.source("history_retention"),
        ),
        (
            "history db",
            _display_path(history_path(), home) if config.history else "not used (history off)",
            DEFAULT if config.history else "not set",
        ),
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
