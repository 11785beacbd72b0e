"""`roma-tui history` (plain and --json, --since, --type), the history settings in
`roma-tui config`, and --no-history, through the real command line."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import creation

from roma_tui.cli import main
from roma_tui.config import history_path
from roma_tui.monitor.history import CreationRecord, HistoryStore, SubRecord
from roma_tui.scripting.history import load_history_schema

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(home / name.lower()))
    for name in list(os.environ):
        if name.startswith(("ROMA_TUI_", "HUAWEICLOUD_SDK_", "HW_")):
            monkeypatch.delenv(name)
    return home


def past(number: int, days_ago: float, **kwargs: Any) -> CreationRecord:
    started = NOW - timedelta(days=days_ago)
    lvs = SubRecord("lvs", started, started + timedelta(minutes=7), None, "done", 100)
    return creation(number, started, subs=(lvs,), **kwargs)


@pytest.fixture
def recorded(home: Path) -> Path:
    store = HistoryStore(history_path(), now=NOW)
    for number, (days, took) in enumerate([(1, 1500), (2, 1800), (3, 1320), (40, 2400)]):
        store.write(past(number, days, took=took))
    store.write(past(10, 5, kind="basic", took=900))
    store.write(past(11, 6, outcome="failed", failed=("fdi", "ROMA.00110016")))
    store.write(past(12, 7, outcome="failed", failed=("fdi", "ROMA.00110016")))
    store.close()
    return history_path()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_no_history_yet_is_said_and_nothing_is_created(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "history")
    assert code == 0 and out == ""
    assert f"no creations recorded in {history_path()}" in err
    assert not history_path().exists()
    code, out, _ = run(capsys, "history", "--json")
    document = json.loads(out)
    assert document["creations"] == [] and document["typical"] == []


def test_the_plain_history_shows_what_is_usual_what_fails_and_every_creation(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "history")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "What creations usually take"
    usual = next(line for line in lines if line.startswith("professional"))
    # 6 creations, 4 succeeded (25, 30, 22 and 40 minutes), 2 failed
    assert usual.split() == ["professional", "cn-north-4", "6", "4", "2", "27m30s", "40m00s"]
    assert re.search(r"^fdi +2 ROMA.00110016 x2$", out, re.MULTILINE)
    past_rows = lines[lines.index("Past creations (newest first)") + 2 :]
    assert [row.split()[2] for row in past_rows if row[0] != " "] == [
        "roma-professional-0",
        "roma-professional-1",
        "roma-professional-2",
        "roma-basic-10",
        "roma-professional-11",
        "roma-professional-12",
        "roma-professional-3",
    ]
    assert re.search(r"failed \(fdi:\s+ROMA.00110016\)", out)  # wrapped at 80 columns
    assert "\x1b" not in out  # not a terminal: plain


def test_since_and_type_filter(recorded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "history", "--json", "--since", "4d")
    assert code == 0
    document = json.loads(out)
    assert [c["name"] for c in document["creations"]] == [
        "roma-professional-0",
        "roma-professional-1",
        "roma-professional-2",
    ]
    assert document["since"] is not None
    code, out, _ = run(capsys, "history", "--json", "--type", "BASIC")
    document = json.loads(out)
    assert [c["name"] for c in document["creations"]] == ["roma-basic-10"]
    assert document["type"] == "BASIC"
    code, _, err = run(capsys, "history", "--type", "platinum")
    assert code == 0 and "no creations of type platinum" in err


def test_the_json_document_follows_its_schema(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "history", "--json")
    assert code == 0 and err == ""
    document = json.loads(out)
    schema = load_history_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    assert document["database"] == str(recorded)
    (pro, basic) = document["typical"]
    assert (basic["type"], basic["succeeded"], basic["median_seconds"]) == ("basic", 1, 900)
    assert pro == {
        "type": "professional",
        "region": "cn-north-4",
        "creations": 6,
        "succeeded": 4,
        "failed": 2,
        "median_seconds": 1650,
        "p90_seconds": 2400,
    }
    assert document["failures"] == [
        {"sub_service": "fdi", "count": 2, "error_codes": [{"code": "ROMA.00110016", "count": 2}]}
    ]
    failed = next(c for c in document["creations"] if c["outcome"] == "failed")
    assert failed["failed_sub_service"] == "fdi" and failed["status"] == "failed"
    assert {s["name"] for s in failed["sub_services"]} == {"lvs", "fdi"}
    bad: dict[str, Any] = {**document, "schema_version": 2}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema, cls=jsonschema.Draft202012Validator)


def test_a_bad_since_is_a_usage_error(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "history", "--since", "soon")
    assert code == 3
    assert "invalid duration 'soon'" in err and "Traceback" not in err


def test_an_unreadable_database_is_one_line_and_exit_1(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = history_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 500)
    code, out, err = run(capsys, "history")
    assert code == 1 and out == ""
    assert err.startswith("error: history ") and "cannot be opened" in err
    assert len(err.strip().splitlines()) == 1


def test_the_demo_has_a_history(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "history", "--demo", "--json")
    assert code == 0
    document = json.loads(out)
    assert len(document["creations"]) > 30
    assert {t["region"] for t in document["typical"]} == {"demo"}
    assert not history_path().exists()  # the demo's is in memory


def test_config_shows_the_history_and_its_database(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "config")
    assert code == 3  # nothing to connect to; every row printed anyway
    assert re.search(r"^history +on  \(default\)$", out, re.MULTILINE)
    assert re.search(r"^history keeps +180d  \(default\)$", out, re.MULTILINE)
    assert re.search(r"^history db +~/data/roma-tui/history.sqlite3  \(default\)$", out, re.M)
    (home / "config" / "roma-tui").mkdir(parents=True)
    (home / "config" / "roma-tui" / "config.toml").write_text(
        'history = false\nhistory_retention = "30d"\n', encoding="utf-8"
    )
    code, out, _ = run(capsys, "config")
    assert re.search(r"^history +off  \(config file ~/config/roma-tui/config.toml\)$", out, re.M)
    assert re.search(r"^history keeps +30d  \(config file", out, re.MULTILINE)
    assert re.search(r"^history db +not used \(history off\)$", out, re.MULTILINE)


def test_a_retention_out_of_range_is_refused(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ROMA_TUI_HISTORY_RETENTION", "2h")
    code, _, err = run(capsys, "config")
    assert code == 3
    assert "history retention from env ROMA_TUI_HISTORY_RETENTION must be a duration" in err


def test_wait_records_unless_no_history(
    home: Path, monkeypatch: pytest.MonkeyPatch, sim_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ROMA_TUI_TOKEN", sim_server.credentials.token.get_secret_value())
    where = ["--endpoint", sim_server.base_url, "--project-id", sim_server.credentials.project_id]
    assert main(["wait", "no-such-instance", "--no-history", *where]) == 4
    assert not history_path().exists()
    assert main(["wait", "no-such-instance", *where]) == 4
    assert history_path().stat().st_mode & 0o777 == 0o600
    capsys.readouterr()
