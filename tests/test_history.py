"""The creation history (roma_tui.monitor.history): private files, WAL, migrations, a database
from a newer roma-tui or a corrupt one, retention, a real kill -9 mid-write, two writer
processes at once, the statistics, and recording from the monitor and from `wait`."""

from __future__ import annotations

import io
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import creation as make_creation
from history_writer import SAMPLES, SUBS, record

from roma_tui.clock import FakeClock
from roma_tui.demo import simulator_client
from roma_tui.monitor import history
from roma_tui.monitor.domain import Status
from roma_tui.monitor.history import (
    MIGRATIONS,
    CreationRecord,
    HistoryStore,
    Recorder,
    SubRecord,
    failures,
    migrate,
    percentile,
    region_of,
    type_summaries,
    typical_of,
)
from roma_tui.monitor.live import Monitor
from roma_tui.scripting.wait import run_wait
from roma_tui.simulator import SimulatorApp

WRITER = Path(__file__).with_name("history_writer.py")
NOW = datetime(2025, 3, 6, 12, 0, tzinfo=UTC)
SEED_ID = "b037d389-62a4-464a-8461-c88797ad4f23"  # roma-2222: done 30 simulated minutes in


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def creation(number: int, *, started: datetime = NOW, **kwargs: Any) -> CreationRecord:
    return make_creation(number, started, **kwargs)


# --- files, WAL, round trip ------------------------------------------------------------------


def test_files_are_private_and_the_journal_is_wal(tmp_path: Path) -> None:
    path = tmp_path / "data" / "roma-tui" / "history.sqlite3"
    store = HistoryStore(path, now=NOW)
    assert store.problem is None and store.available
    assert store.write(record(1, 0))
    assert mode(path.parent) == 0o700
    for name in ("history.sqlite3", "history.sqlite3-wal", "history.sqlite3-shm"):
        assert mode(path.parent / name) == 0o600, name
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    store.close()


def test_a_store_opened_by_the_start_up_thread_records_on_the_event_loop(tmp_path: Path) -> None:
    """The TUI's start-up opens the store in a thread and hands it to the event loop's."""
    opened: list[HistoryStore] = []
    opener = threading.Thread(target=lambda: opened.append(HistoryStore(tmp_path / "h", now=NOW)))
    opener.start()
    opener.join()
    (store,) = opened
    assert store.write(record(1, 0)), store.problem
    assert len(store.creations()) == 1
    store.close()


def test_an_existing_readable_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    HistoryStore(path, now=NOW).close()
    assert mode(path) == 0o600


def test_a_creation_is_one_row_that_ends_once(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3", now=NOW)
    subs = (SubRecord("lvs", NOW, None, timedelta(minutes=3), "creating", 40),)
    assert store.write(creation(1, outcome="creating", subs=subs))
    done = (SubRecord("lvs", NOW, NOW + timedelta(minutes=7), timedelta(minutes=7), "done", 100),)
    assert store.write(creation(1, subs=done))
    # later the list says it runs abnormally: the creation itself succeeded, and stays so
    assert store.write(creation(1, outcome="error", took=4000))
    (kept,) = store.creations()
    assert kept.outcome == "running"
    assert kept.took == timedelta(seconds=1500)
    assert kept.subs == done
    assert kept.seen == NOW + timedelta(seconds=4000)  # but it was seen later


# --- migrations and databases it must not touch ------------------------------------------------


def test_a_version_1_database_is_upgraded_and_keeps_its_creations(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, upto=1) == 0
    conn.execute(
        "INSERT INTO creations (endpoint, project_id, region, instance_id, name, type, "
        "started_ms, finished_ms, outcome, first_seen_ms, last_seen_ms) VALUES "
        "('https://roma.cn-north-4.myhuaweicloud.com', 'p', 'cn-north-4', 'old-1', 'roma-old', "
        "'basic', 1741262400000, 1741263600000, 'running', 1741262400000, 1741263600000)"
    )
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    store = HistoryStore(path, now=datetime(2025, 3, 7, tzinfo=UTC))
    assert store.problem is None
    (old,) = store.creations()
    assert (old.instance_id, old.took, old.quiet) == ("old-1", timedelta(minutes=20), None)
    assert store.write(creation(2))  # the version 2 tables work
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 2
        assert check.execute("SELECT COUNT(*) FROM creations").fetchone()[0] == 2


def test_a_database_from_a_newer_roma_tui_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    store = HistoryStore(path, now=NOW)
    assert not store.available
    assert store.problem is not None and "newer roma-tui" in store.problem
    assert "schema 99" in store.problem and "\n" not in store.problem
    assert store.write(creation(1)) is False
    assert store.creations() == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 99


def test_a_corrupt_file_is_a_one_line_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not a database\n" * 100)
    store = HistoryStore(path, now=NOW)
    assert store.problem is not None and "cannot be opened" in store.problem
    assert store.write(creation(1)) is False
    recorder = Recorder(store, "cn-north-4")
    assert dict(recorder.typical()) == {}


# --- bounds --------------------------------------------------------------------------------------


def test_retention_forgets_old_creations_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path, now=NOW)
    for number, days in enumerate((400, 100, 20, 1)):
        assert store.write(creation(number, started=NOW - timedelta(days=days)))
    store.close()
    kept = HistoryStore(path, retention=timedelta(days=30), now=NOW)
    assert sorted(r.instance_id for r in kept.creations()) == ["i-2", "i-3"]
    with sqlite3.connect(path) as conn:  # their sub-services and samples went with them
        orphans = conn.execute(
            "SELECT COUNT(*) FROM sub_services WHERE creation_id NOT IN (SELECT id FROM creations)"
        ).fetchone()[0]
        assert orphans == 0


def test_at_most_max_creations_and_max_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "MAX_CREATIONS", 5)
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path, retention=timedelta(days=3650), now=NOW)
    for number in range(8):
        assert store.write(record(number, 0))
    assert store.write(record(0, 1))  # 150 more samples of creation 0: thinned to the bound
    store.close()
    with sqlite3.connect(path) as conn:
        (count,) = conn.execute(
            "SELECT COUNT(*) FROM samples s JOIN creations c ON c.id = s.creation_id "
            "WHERE c.instance_id = 'instance-00000'"
        ).fetchone()
    assert SAMPLES < count <= history.MAX_SAMPLES
    reopened = HistoryStore(path, retention=timedelta(days=3650), now=NOW)
    assert len(reopened.creations()) == 5


# --- crash safety and two processes --------------------------------------------------------------


def _check_whole(path: Path) -> int:
    """The database is sound and every creation in it is whole; how many there are."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        partial = conn.execute(
            "SELECT c.instance_id, "
            "(SELECT COUNT(*) FROM sub_services s WHERE s.creation_id = c.id), "
            "(SELECT COUNT(*) FROM samples t WHERE t.creation_id = c.id) "
            "FROM creations c"
        ).fetchall()
    finally:
        conn.close()
    for instance_id, subs, samples in partial:
        assert (subs, samples) == (SUBS, SAMPLES), instance_id
    return len(partial)


def test_kill_9_mid_write_leaves_every_record_whole(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    dice = random.Random(9)
    written = 0
    for round_ in range(4):
        child = subprocess.Popen(
            [sys.executable, str(WRITER), str(path), str(round_ * 100_000), "100000"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        # let it write a while (several records), then kill it wherever it is
        for _ in range(5 + dice.randrange(30)):
            assert child.stdout.readline()
        time.sleep(dice.uniform(0, 0.02))
        assert child.poll() is None, "the writer stopped by itself"
        child.kill()  # SIGKILL: no clean-up, no rollback, no close
        child.wait(10)
        assert child.returncode == -9
        child.stdout.close()
        child.stderr.close()  # type: ignore[union-attr]
        count = _check_whole(path)
        assert count > written  # this round added whole records
        written = count
    store = HistoryStore(path, retention=timedelta(days=3650), now=NOW)
    assert store.problem is None and len(store.creations()) == written


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    # 0-199 and 100-299, twice each: the same 100 creations written by both, at once
    children = [
        subprocess.Popen(
            [sys.executable, str(WRITER), str(path), str(first), "200", "2"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for first in (0, 100)
    ]
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    store = HistoryStore(path, retention=timedelta(days=3650), now=NOW)
    records = store.creations()
    assert len(records) == 300  # one row per creation, whoever wrote it
    assert {r.outcome for r in records} == {Status.RUNNING.value}
    assert all(len(r.subs) == SUBS for r in records)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- statistics ---------------------------------------------------------------------------------


def test_percentile_is_nearest_rank() -> None:
    assert percentile([5, 1, 4, 2, 3], 0.5) == 3
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile([7], 0.9) == 7


def test_what_is_usual_needs_three_successes_per_type_and_region() -> None:
    subs = (
        SubRecord("lvs", NOW, NOW + timedelta(minutes=7), None, "done", 100),
        SubRecord(
            "mqs", NOW + timedelta(minutes=4), NOW + timedelta(minutes=22), None, "done", 100
        ),
    )
    records = [creation(n, took=60 * m, subs=subs) for n, m in enumerate((20, 30, 25, 40, 22))]
    records.append(creation(9, took=60 * 5, outcome="failed"))  # does not count
    records.append(creation(10, kind="basic"))  # only one basic
    records.append(creation(11, region="cn-east-3"))
    found = typical_of(records)
    assert set(found) == {("professional", "cn-north-4")}
    usual = found[("professional", "cn-north-4")]
    assert usual.count == 5
    assert usual.median == timedelta(minutes=25)
    assert usual.p90 == timedelta(minutes=40)
    assert usual.subs["mqs"].start == timedelta(minutes=4)
    assert usual.subs["mqs"].took == timedelta(minutes=18)


def test_summaries_and_what_fails() -> None:
    records = [
        creation(1),
        creation(2, took=1800),
        creation(3, outcome="failed", failed=("fdi", "ROMA.00110016")),
        creation(4, outcome="failed", failed=("fdi", "ROMA.00110016")),
        creation(5, outcome="failed", failed=("fdi", "ROMA.00110500")),
        creation(6, outcome="failed", failed=("link", "ROMA.00110020")),
        creation(7, kind="basic", outcome="creating"),
    ]
    (pro, basic) = type_summaries(records)
    assert (pro.type, pro.creations, pro.succeeded, pro.failed) == ("professional", 6, 2, 4)
    assert pro.median == timedelta(seconds=1650) and pro.p90 == timedelta(seconds=1800)
    assert (basic.creations, basic.succeeded, basic.median) == (1, 0, None)
    fdi, link = failures(records)
    assert (fdi.sub_service, fdi.count) == ("fdi", 3)
    assert fdi.codes == (("ROMA.00110016", 2), ("ROMA.00110500", 1))
    assert (link.sub_service, link.codes) == ("link", (("ROMA.00110020", 1),))


@pytest.mark.parametrize(
    ("endpoint", "region"),
    [
        ("https://roma.cn-north-4.myhuaweicloud.com", "cn-north-4"),
        ("https://roma.ap-southeast-1.myhuaweicloud.com:443/", "ap-southeast-1"),
        ("https://roma.lab.example.internal", "roma.lab.example.internal"),
        ("http://127.0.0.1:8080", "127.0.0.1"),
    ],
)
def test_region_of_an_endpoint(endpoint: str, region: str) -> None:
    assert region_of(endpoint) == region


# --- recording: the monitor and wait ----------------------------------------------------------


async def test_the_monitor_records_what_it_watches_and_learns_what_is_usual(
    sim_app: SimulatorApp, fake_clock: FakeClock, tmp_path: Path
) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3", now=fake_clock.now())
    recorder = Recorder(store, "demo")
    client = simulator_client(sim_app, clock=fake_clock)
    monitor = Monitor(client, fake_clock, interval=10, recorder=recorder)
    await monitor.refresh_instances()
    monitor.select(SEED_ID)
    assert monitor.snapshot.typical == {}
    for _ in range(200):  # 33 simulated minutes
        await monitor.poll_due()
        fake_clock.advance(10)
    records = {r.instance_id: r for r in store.creations()}
    seed = records[SEED_ID]
    assert seed.outcome == "running" and seed.type == "basic"
    assert seed.took == timedelta(minutes=30)
    assert [s.name for s in seed.subs] == ["mqs", "lvs"]
    assert all(s.outcome == "done" for s in seed.subs)
    assert len(store.samples(seed)) > 10  # its progress, as the monitor saw it change
    # first seen 30 s after its start: watched from the start, so its longest still stretch
    # says what is usual
    assert seed.quiet is not None and timedelta(0) < seed.quiet < timedelta(minutes=5)
    # every creation it polled is kept, not only the selected one
    assert len(records) >= 5
    await client.aclose()


async def test_the_monitor_publishes_what_is_usual_once_it_is_known(
    sim_app: SimulatorApp, fake_clock: FakeClock, tmp_path: Path
) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3", now=fake_clock.now())
    for number in range(3):
        store.write(creation(number, kind="basic", region="demo", took=1800))
    client = simulator_client(sim_app, clock=fake_clock)
    monitor = Monitor(client, fake_clock, interval=10, recorder=Recorder(store, "demo"))
    usual = monitor.snapshot.typical["basic"]
    assert (usual.count, usual.median) == (3, timedelta(minutes=30))
    await client.aclose()


async def test_wait_records_the_creation_it_waits_for(
    sim_app: SimulatorApp, fake_clock: FakeClock, tmp_path: Path
) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3", now=fake_clock.now())
    client = simulator_client(sim_app, clock=fake_clock)
    out, err = io.StringIO(), io.StringIO()
    code = await run_wait(
        client,
        fake_clock,
        SEED_ID,
        timeout=3600,
        interval=10,
        out=out,
        err=err,
        is_tty=False,
        recorder=Recorder(store, "demo"),
    )
    assert code == 0, err.getvalue()
    (seed,) = store.creations()
    assert (seed.instance_id, seed.outcome, seed.region) == (SEED_ID, "running", "demo")
    assert seed.finished is not None and seed.took is not None
    assert timedelta(minutes=29) < seed.took <= timedelta(minutes=31)
    await client.aclose()
