"""`roma-tui status` against the simulator (in process and over a real socket), on a fake clock."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest
from helpers import view_of
from pydantic import SecretStr

from roma_tui.api.auth import TokenAuth
from roma_tui.api.client import RetryPolicy, RomaClient
from roma_tui.clock import FakeClock
from roma_tui.demo import simulator_client
from roma_tui.monitor.domain import CreationProgress, Instance, Status, SubService
from roma_tui.monitor.present import ascii_bar
from roma_tui.scripting import SCHEMA_VERSION, load_schema, run_status
from roma_tui.scripting.render import (
    detail_renderable,
    fmt_duration,
    fmt_timeout,
    make_console,
)
from roma_tui.scripting.status import parse_status_filter
from roma_tui.simulator import Faults, SimulatorApp, create_app, scenario_from_spec

SEED_ID = "b037d389-62a4-464a-8461-c88797ad4f23"
FAILING_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
FAILING_CODE = "ROMA.00110020"
CREATING = [
    "roma-2222",
    "roma-analytics",
    "roma-Mixed-Case",
    "roma-billing",
    "roma-staging",
    "roma-iot-edge",
]
RUNNING = ["roma-partner-gw", "roma-dev-sandbox", "roma-prod-beijing", "roma-prod-shanghai"]
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


@dataclass
class Result:
    code: int
    out: str
    err: str


async def status(client: Any, clock: FakeClock, *ids: str, **kwargs: Any) -> Result:
    out, err = io.StringIO(), io.StringIO()
    kwargs.setdefault("as_json", False)
    kwargs.setdefault("status", None)
    code = await run_status(client, clock, list(ids), out=out, err=err, **kwargs)
    return Result(code, out.getvalue(), err.getvalue())


def validate(document: object) -> None:
    jsonschema.validate(document, load_schema(), cls=jsonschema.Draft202012Validator)


# -- the table ---------------------------------------------------------------------------------


async def test_the_list_is_one_plain_line_per_instance_for_grep_and_awk(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    result = await status(sim_client, fake_clock)
    assert result.code == 0
    assert result.err == ""
    assert "\x1b" not in result.out
    lines = result.out.splitlines()
    assert lines[0].split() == ["NAME", "ID", "TYPE", "STATUS", "PROG", "ELAPSED", "ETA", "REASON"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert set(rows) == {*CREATING, *RUNNING, "roma-legacy-migration"}  # one line each
    assert rows["roma-2222"][1:5] == [SEED_ID, "basic", "creating", "0%"]  # the full id, 2nd
    failed = rows["roma-legacy-migration"]
    assert failed[1] == FAILING_ID and failed[3:5] == ["failed", "71%"]
    assert " ".join(failed[7:]).startswith(f"link: {FAILING_CODE}: Failed to bind an EIP")


async def test_on_a_narrow_terminal_ids_shrink_to_the_prefix_ids_accept(
    sim_client: RomaClient, fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    result = await status(sim_client, fake_clock, is_tty=True)
    lines = result.out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    seed = next(line.split() for line in lines if line.startswith("roma-2222 "))
    assert seed[1] == SEED_ID[:8]
    monkeypatch.setenv("COLUMNS", "160")
    wide = await status(sim_client, fake_clock, is_tty=True)
    assert SEED_ID in wide.out and "Failed to bind an EIP" in wide.out


async def test_table_has_colour_on_a_terminal_and_none_with_no_color(
    sim_client: RomaClient, fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    coloured = await status(sim_client, fake_clock, is_tty=True)
    assert "\x1b[" in coloured.out  # the check below means something
    monkeypatch.setenv("NO_COLOR", "1")
    plain = await status(sim_client, fake_clock, is_tty=True)
    assert plain.code == 0
    assert "\x1b" not in plain.out
    assert "roma-2222" in plain.out


@pytest.mark.parametrize("spelling", ["failed", "CREATE_FAILED", "CreateFail", " Failed "])
async def test_status_filter_accepts_any_spelling(
    sim_client: RomaClient, fake_clock: FakeClock, spelling: str
) -> None:
    result = await status(sim_client, fake_clock, status=spelling)
    assert result.code == 0
    assert "roma-legacy-migration" in result.out
    for name in [*CREATING, *RUNNING]:
        assert name not in result.out


async def test_status_filter_creating_and_running(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    creating = await status(sim_client, fake_clock, status="Creating")
    assert all(name in creating.out for name in CREATING)
    assert not any(name in creating.out for name in [*RUNNING, "roma-legacy-migration"])
    running = await status(sim_client, fake_clock, status="running", as_json=True)
    names = {i["name"] for i in json.loads(running.out)["instances"]}
    assert names == set(RUNNING)


async def test_status_filter_unknown_word_is_a_usage_error(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    result = await status(sim_client, fake_clock, status="bogus")
    assert result.code == 3
    assert result.out == ""
    assert "unknown status 'bogus'" in result.err and "creating" in result.err


async def test_filter_matching_nothing_says_so_on_stderr(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    result = await status(sim_client, fake_clock, status="deleting")
    assert result.code == 0
    assert result.out == ""
    assert "no instances with status deleting" in result.err


# -- instances by id ---------------------------------------------------------------------------


async def test_ids_show_sub_services_with_bars_and_the_failure(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    fake_clock.advance(5 * 60)
    result = await status(sim_client, fake_clock, SEED_ID, FAILING_ID)
    assert result.code == 0, result.err
    out = result.out
    assert "\x1b" not in out and "━" not in out
    assert "roma-2222" in out and SEED_ID in out
    assert "roma-legacy-migration" in out and FAILING_ID in out
    lines = out.splitlines()
    lvs = next(line for line in lines if line.strip().startswith("lvs ") and "[" in line)
    assert "[##########----------]  50% creating" in lvs  # 300 s of 600 at step 10
    link = next(line for line in lines if line.strip().startswith("link "))
    assert "failed" in link and "55%" in link
    error_at = lines.index(link) + 1
    assert lines[error_at].strip().startswith(f"error {FAILING_CODE}: Failed to bind an EIP")
    assert "quota" in out
    assert all(len(line) <= 80 for line in lines)


async def test_unknown_id_exits_4_and_still_shows_the_others(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    result = await status(sim_client, fake_clock, UNKNOWN_ID, SEED_ID)
    assert result.code == 4
    assert "roma-2222" in result.out
    assert UNKNOWN_ID not in result.out
    assert f"instance {UNKNOWN_ID} not found" in result.err


async def test_unknown_id_in_json_is_listed_under_errors(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    result = await status(sim_client, fake_clock, SEED_ID, UNKNOWN_ID, as_json=True)
    assert result.code == 4
    document = json.loads(result.out)
    validate(document)
    assert [i["id"] for i in document["instances"]] == [SEED_ID]
    assert document["errors"][0]["instance_id"] == UNKNOWN_ID
    assert document["errors"][0]["kind"] == "not_found"


# -- JSON ----------------------------------------------------------------------------------------


async def test_json_list_is_one_valid_document_and_nothing_else(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    fake_clock.advance(10 * 60)
    result = await status(sim_client, fake_clock, as_json=True)
    assert result.code == 0
    assert result.err == ""
    document = json.loads(result.out)  # the whole of stdout is the document
    validate(document)
    assert document["schema_version"] == SCHEMA_VERSION == 2
    assert document["generated_at"] == "2025-03-06T12:11:43Z"
    by_name = {i["name"]: i for i in document["instances"]}
    seed = by_name["roma-2222"]
    assert seed["id"] == SEED_ID
    assert seed["status"] == "creating"
    assert seed["status_raw"] == "creating"  # the seed's own spelling, kept
    assert seed["type"] == "basic"
    assert seed["started"] == "2025-03-06T12:01:12Z"
    assert seed["elapsed_seconds"] == 630  # started 12:01:12.891
    assert isinstance(seed["eta_seconds"], int) and seed["eta_seconds"] > 0
    assert {s["name"] for s in seed["sub_services"]} == {"mqs", "lvs"}
    assert by_name["roma-Mixed-Case"]["status"] == "creating"
    assert by_name["roma-Mixed-Case"]["status_raw"] != "creating"
    running = by_name["roma-prod-beijing"]
    assert running["status"] == "running" and running["eta_seconds"] is None
    failed = by_name["roma-legacy-migration"]
    assert failed["status"] == "failed"
    assert failed["eta_seconds"] is None
    link = next(s for s in failed["sub_services"] if s["name"] == "link")
    assert link["error_code"] == FAILING_CODE
    assert "EIP quota" in link["error_msg"]


async def test_json_by_id_includes_the_failing_sub_service(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    result = await status(sim_client, fake_clock, FAILING_ID, as_json=True)
    assert result.code == 0
    document = json.loads(result.out)
    validate(document)
    (instance,) = document["instances"]
    assert instance["status"] == "failed" and instance["progress"] == 71
    assert instance["finished"] is not None
    failing = [s for s in instance["sub_services"] if s["error_code"]]
    assert [s["name"] for s in failing] == ["link"]
    assert failing[0]["status"] == "failed"


def test_schema_rejects_what_it_should() -> None:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    good = {
        "schema_version": 2,
        "generated_at": "2025-03-06T12:01:43Z",
        "instances": [],
        "errors": [],
    }
    validate(good)
    with pytest.raises(jsonschema.ValidationError):
        validate({**good, "schema_version": 1})
    with pytest.raises(jsonschema.ValidationError):
        validate({**good, "generated_at": "2025-03-06 12:01:43"})


# -- errors ----------------------------------------------------------------------------------


async def test_bad_credentials_exit_3(sim_app: SimulatorApp, fake_clock: FakeClock) -> None:
    creds = sim_app.sim.credentials
    import httpx

    client = RomaClient(
        "http://127.0.0.1",
        creds.project_id,
        TokenAuth(SecretStr("not-the-token")),
        transport=httpx.ASGITransport(app=sim_app),
        clock=fake_clock,
    )
    async with client:
        listed = await status(client, fake_clock)
        by_id = await status(client, fake_clock, SEED_ID, as_json=True)
    assert listed.code == 3 and listed.out == ""
    assert "cannot list instances" in listed.err
    assert "not-the-token" not in listed.err
    assert by_id.code == 3
    document = json.loads(by_id.out)  # a jq pipe sees what went wrong, not nothing
    validate(document)
    assert document["instances"] == []
    assert [e["kind"] for e in document["errors"]] == ["auth_error"]
    assert "not-the-token" not in by_id.out


async def test_list_failure_exits_1_and_says_so_in_the_document(
    sim_app: SimulatorApp, sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    sim_app.faults = Faults(error_rate=1.0)
    result = await status(sim_client, fake_clock, as_json=True)
    assert result.code == 1
    document = json.loads(result.out)
    validate(document)
    assert document["instances"] == []
    (error,) = document["errors"]
    assert error["kind"] == "api_error" and error["instance_id"] is None
    assert "HTTP 5" in error["message"]
    assert "cannot list instances" in result.err


# -- over a real socket ------------------------------------------------------------------------


async def test_status_over_a_real_socket(sim_server: Any) -> None:
    clock = sim_server.clock
    client = RomaClient(
        sim_server.base_url,
        sim_server.credentials.project_id,
        TokenAuth(sim_server.credentials.token),
        clock=clock,
        retry=RetryPolicy(jitter=False),
    )
    async with client:
        table = await status(client, clock)
        document = await status(client, clock, FAILING_ID, UNKNOWN_ID, as_json=True)
    assert table.code == 0 and "\x1b" not in table.out
    assert all(name in table.out for name in CREATING)
    assert document.code == 4
    parsed = json.loads(document.out)
    validate(parsed)
    assert parsed["instances"][0]["sub_services"][-2]["error_code"] == FAILING_CODE


async def test_in_process_fixture_helper_matches(
    sim_app: SimulatorApp, fake_clock: FakeClock
) -> None:
    """The CLI's --demo path (simulator_client) gives the same table."""
    async with simulator_client(sim_app, clock=fake_clock) as client:
        result = await status(client, fake_clock, status="failed")
    assert "roma-legacy-migration" in result.out


# -- rendering units (domain objects built by hand) ------------------------------------------


NOW = datetime(2025, 3, 6, 12, 30, tzinfo=UTC)


def _progress(**overrides: Any) -> CreationProgress:
    subs = (
        SubService(
            "lvs",
            Status.RUNNING,
            "RUNNING",
            100,
            NOW - timedelta(minutes=20),
            NOW - timedelta(minutes=10),
            None,
            None,
        ),
        SubService(
            "mqs", Status.CREATING, "CREATING", 40, NOW - timedelta(minutes=10), None, None, None
        ),
    )
    values: dict[str, Any] = {
        "instance_id": "i-1",
        "name": "[bold]x\x1b[31m",
        "status": Status.CREATING,
        "status_raw": "CREATING",
        "progress": 50,
        "started": NOW - timedelta(minutes=20),
        "finished": None,
        "server_time": None,
        "sub_services": subs,
        "instance": None,
    }
    values.update(overrides)
    return CreationProgress(**values)


def test_view_merges_progress_and_estimates_eta() -> None:
    view = view_of(None, _progress(), NOW)
    assert view.elapsed == timedelta(minutes=20)
    # lvs is done; mqs did 40 % in 10 minutes: 15 more, and the last sub-service decides
    assert view.eta == timedelta(minutes=15)
    assert view.sub_services[1].eta == timedelta(minutes=15)
    assert view.sub_services[0].eta is None  # done
    done = view_of(None, _progress(status=Status.RUNNING, progress=100, finished=NOW), NOW)
    assert done.eta is None and done.elapsed == timedelta(minutes=20)
    listed = view_of(Instance("i-2", "n", Status.RUNNING, "Running", type="basic"), None, NOW)
    assert listed.progress == 100 and listed.elapsed is None and listed.instance.type == "basic"
    unknown = view_of(Instance("i-3", "n", Status.CREATING, "CREATING"), None, NOW)
    assert unknown.progress is None and unknown.eta is None


def test_markup_and_escapes_in_names_are_shown_literally() -> None:
    out = io.StringIO()
    console = make_console(out, plain=True)
    console.print(detail_renderable(view_of(None, _progress(), NOW), NOW, plain=True))
    assert "[bold]x" in out.getvalue()
    assert "[########------------]  40% creating" in out.getvalue()


def test_small_formatters() -> None:
    assert ascii_bar(0) == "[--------------------]"
    assert ascii_bar(100) == "[####################]"
    assert ascii_bar(55, 10) == "[#####-----]"
    assert fmt_duration(None) == "-"
    assert fmt_duration(timedelta(seconds=45)) == "45s"
    assert fmt_duration(timedelta(minutes=12, seconds=5)) == "12m05s"
    assert fmt_duration(timedelta(hours=1, minutes=5)) == "1h05m"
    assert fmt_duration(timedelta(days=2, hours=3)) == "2d03h"
    assert fmt_timeout(3600) == "60m" and fmt_timeout(5400) == "90m" and fmt_timeout(30) == "30s"
    assert parse_status_filter("CREATE_FAILED") is Status.FAILED
    assert parse_status_filter("error") is Status.ERROR
    assert parse_status_filter("Frozen") is Status.FROZEN
    assert parse_status_filter("SOFT_DELETED") is Status.DELETED
    assert parse_status_filter("nonsense") is None


# -- ids by prefix -------------------------------------------------------------------------------


async def test_an_id_prefix_of_8_characters_names_the_instance(
    sim_client: RomaClient, fake_clock: FakeClock
) -> None:
    result = await status(sim_client, fake_clock, SEED_ID[:8], as_json=True)
    assert result.code == 0, result.err
    assert [i["id"] for i in json.loads(result.out)["instances"]] == [SEED_ID]


async def test_a_short_or_ambiguous_prefix_is_a_usage_error(fake_clock: FakeClock) -> None:
    sim = create_app(scenario_from_spec("vocabulary"), clock=fake_clock, sleep=fake_clock.skip)
    async with simulator_client(sim, clock=fake_clock) as client:
        short = await status(client, fake_clock, "e000")
        ambiguous = await status(client, fake_clock, "e0000000")
    assert short.code == 3 and short.out == ""
    assert "'e000' is too short to name an instance" in short.err
    assert ambiguous.code == 3 and ambiguous.out == ""
    assert "'e0000000' is the start of several instance ids" in ambiguous.err
    assert "e0000000-0000-4000-8000-000000000001 (v-error)" in ambiguous.err
