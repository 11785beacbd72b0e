"""The creation history: every creation roma-tui watched, in an embedded SQLite database.

Where: `history.sqlite3` in the platform's data dir (`~/.local/share/roma-tui/` on Linux),
created 0600 in a 0700 directory (SQLite gives its WAL and shared-memory files the database's
mode). What, per creation: where it lives (endpoint, region, project), id, name, type and spec,
start, end, outcome and error, each sub-service's start, end, outcome and error, a downsampled
progress trace and its longest still stretch. From it: `roma-tui history`, the `h` screen, and
the typical durations (`Typical`) the ETA and "usually takes" lines use.

Safety: WAL journal; one transaction per record, so a kill -9 mid-write leaves the previous
record whole and this one either whole or absent; writers take the write lock up front
(BEGIN IMMEDIATE) and wait up to BUSY_TIMEOUT for another process, so two roma-tui (a TUI
and a `wait`) can share the database. The schema is versioned (`PRAGMA user_version`) and
upgraded by MIGRATIONS in order, in one transaction; a database written by a newer roma-tui
is left alone. Bounded: creations that started longer ago than the retention go when the
database is opened, at most MAX_CREATIONS are kept, and at most MAX_SAMPLES trace samples
per creation.

A history that cannot be opened or written never stops roma-tui: the store turns itself off
for the rest of the session and `problem` says why, in one line.
Imports roma_tui.monitor and the standard library only; never textual or httpx.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sqlite3
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

from roma_tui.monitor.domain import Status
from roma_tui.monitor.eta import SubTypical, Typical
from roma_tui.monitor.trace import Trace
from roma_tui.monitor.view import InstanceView

__all__ = [
    "BUSY_TIMEOUT",
    "DEFAULT_RETENTION",
    "MAX_CREATIONS",
    "MAX_SAMPLES",
    "MIGRATIONS",
    "MIN_TYPICAL",
    "CreationRecord",
    "Failures",
    "HistoryStore",
    "Recorder",
    "SubRecord",
    "TypeSummary",
    "failures",
    "outcome_word",
    "percentile",
    "record_of",
    "region_of",
    "type_summaries",
    "typical_of",
]

log = logging.getLogger("roma_tui.history")

DEFAULT_RETENTION = timedelta(days=180)
BUSY_TIMEOUT = 5.0  # seconds a writer waits for another process's transaction
MAX_CREATIONS = 20_000
MAX_SAMPLES = 200  # trace samples kept per creation (thinned beyond)
MIN_TYPICAL = 3  # finished creations of a type before the history says what is usual
TYPICAL_LAST = 50  # ... of which the most recent this many count
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Each entry upgrades the schema by one version; never edit one that has shipped, add one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: creations and their sub-services
        """CREATE TABLE creations (
            id INTEGER PRIMARY KEY,
            endpoint TEXT NOT NULL,
            project_id TEXT NOT NULL,
            region TEXT NOT NULL,
            instance_id TEXT NOT NULL,
            name TEXT NOT NULL,
            type TEXT,
            spec TEXT,
            started_ms INTEGER,
            finished_ms INTEGER,
            outcome TEXT NOT NULL,
            progress INTEGER,
            error_code TEXT,
            error_msg TEXT,
            failed_sub_service TEXT,
            first_seen_ms INTEGER NOT NULL,
            last_seen_ms INTEGER NOT NULL,
            UNIQUE (endpoint, project_id, instance_id)
        )""",
        """CREATE TABLE sub_services (
            creation_id INTEGER NOT NULL REFERENCES creations (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            started_ms INTEGER,
            finished_ms INTEGER,
            took_s INTEGER,
            outcome TEXT NOT NULL,
            progress INTEGER NOT NULL,
            error_code TEXT,
            error_msg TEXT,
            PRIMARY KEY (creation_id, name)
        )""",
    ),
    (  # 2: the downsampled progress trace, its longest still stretch, and lookups by type
        """CREATE TABLE samples (
            creation_id INTEGER NOT NULL REFERENCES creations (id) ON DELETE CASCADE,
            at_ms INTEGER NOT NULL,
            progress INTEGER NOT NULL,
            PRIMARY KEY (creation_id, at_ms)
        )""",
        "ALTER TABLE creations ADD COLUMN quiet_s INTEGER",
        "CREATE INDEX creations_by_type ON creations (type, region, started_ms)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


# --- records -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubRecord:
    name: str
    started: datetime | None
    finished: datetime | None
    took: timedelta | None
    outcome: str  # the view's sub-service state: done, failed, stopped, creating, waiting...
    progress: int
    error_code: str | None = None
    error_msg: str | None = None


@dataclass(frozen=True, slots=True)
class CreationRecord:
    """One creation as the history keeps it."""

    endpoint: str
    project_id: str
    region: str
    instance_id: str
    name: str
    type: str | None
    spec: str | None
    started: datetime | None
    finished: datetime | None
    outcome: str  # the view's status when the creation was first seen over (or creating)
    progress: int | None
    seen: datetime  # when it was last observed (local clock)
    error_code: str | None = None
    error_msg: str | None = None
    failed_sub_service: str | None = None
    subs: tuple[SubRecord, ...] = ()
    samples: tuple[tuple[datetime, int], ...] = ()  # (when, overall progress): the changes
    quiet: timedelta | None = None  # the longest still stretch, when watched from the start
    first_seen: datetime | None = None

    @property
    def took(self) -> timedelta | None:
        if self.started is None or self.finished is None:
            return None
        return max(timedelta(0), self.finished - self.started)


_OUTCOME_WORDS = {
    Status.RUNNING.value: "succeeded",
    Status.FAILED.value: "failed",
    Status.CREATING.value: "unfinished",
}


def outcome_word(outcome: str) -> str:
    """How a recorded outcome reads: succeeded, failed, unfinished (last seen creating), or
    the status it ended up in (error, deleted, ...)."""
    return _OUTCOME_WORDS.get(outcome, outcome)


def region_of(endpoint: str) -> str:
    """The region of a ROMA endpoint (`https://roma.cn-north-4.myhuaweicloud.com` ->
    cn-north-4), else its host (a private cloud), else the endpoint itself."""
    host = endpoint.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    parts = host.split(".")
    if len(parts) > 2 and parts[0] == "roma" and parts[2:] == ["myhuaweicloud", "com"]:
        return parts[1]
    return host or endpoint


def record_of(
    view: InstanceView, trace: Trace | None, region: str, seen: datetime
) -> CreationRecord:
    """What the history keeps of a creation, from what the view model says of it."""
    status = view.status.status
    samples: list[tuple[datetime, int]] = []
    quiet = None
    if trace is not None:
        for point in trace.points:
            if not samples or samples[-1][1] != point.progress:
                samples.append((point.at, point.progress))
        # only a creation watched from (near) its start says how long it usually stands still
        watched_from = trace.points[0].at
        took = view.elapsed
        if (
            status is Status.RUNNING
            and view.started is not None
            and took is not None
            and watched_from - view.started <= max(timedelta(minutes=5), took / 10)
        ):
            quiet = trace.longest_quiet
    reason = view.reason
    return CreationRecord(
        endpoint=view.key.place.endpoint,
        project_id=view.key.place.project_id,
        region=region,
        instance_id=view.id,
        name=view.name,
        type=view.instance.type,
        spec=view.instance.spec,
        started=view.started,
        finished=view.finished,
        outcome=status.value,
        progress=view.progress,
        seen=seen,
        error_code=reason.code if reason is not None else None,
        error_msg=reason.message if reason is not None else None,
        failed_sub_service=reason.sub_service if reason is not None else None,
        subs=tuple(
            SubRecord(
                s.name,
                s.started,
                s.finished,
                s.took,
                s.state.value,
                s.progress,
                s.error_code,
                s.error_msg,
            )
            for s in view.sub_services
        ),
        samples=tuple(samples),
        quiet=quiet,
        first_seen=trace.points[0].at if trace is not None else seen,
    )


# --- statistics (pure) -----------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with `fraction` of them at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _succeeded(record: CreationRecord) -> bool:
    return record.outcome == Status.RUNNING.value and record.took is not None


def typical_of(records: Iterable[CreationRecord]) -> dict[tuple[str, str], Typical]:
    """What creations of each (type, region) usually take: from the TYPICAL_LAST most recent
    that succeeded, when there are at least MIN_TYPICAL."""
    groups: dict[tuple[str, str], list[CreationRecord]] = {}
    for record in sorted(records, key=lambda r: r.started or _EPOCH, reverse=True):
        if record.type and _succeeded(record):
            group = groups.setdefault((record.type, record.region), [])
            if len(group) < TYPICAL_LAST:
                group.append(record)
    found: dict[tuple[str, str], Typical] = {}
    for (kind, region), group in groups.items():
        if len(group) < MIN_TYPICAL:
            continue
        took = [r.took.total_seconds() for r in group if r.took is not None]
        starts: dict[str, list[float]] = {}
        lengths: dict[str, list[float]] = {}
        for record in group:
            for sub in record.subs:
                if record.started is None or sub.started is None or sub.finished is None:
                    continue
                starts.setdefault(sub.name, []).append(
                    (sub.started - record.started).total_seconds()
                )
                lengths.setdefault(sub.name, []).append(
                    (sub.finished - sub.started).total_seconds()
                )
        quiet = [r.quiet.total_seconds() for r in group if r.quiet is not None]
        found[(kind, region)] = Typical(
            type=kind,
            region=region,
            count=len(group),
            median=timedelta(seconds=round(statistics.median(took))),
            p90=timedelta(seconds=round(percentile(took, 0.9))),
            quiet=timedelta(seconds=round(statistics.median(quiet)))
            if len(quiet) >= MIN_TYPICAL
            else None,
            subs=MappingProxyType(
                {
                    name: SubTypical(
                        timedelta(seconds=round(max(0.0, statistics.median(starts[name])))),
                        timedelta(seconds=round(statistics.median(lengths[name]))),
                    )
                    for name in lengths
                }
            ),
        )
    return found


@dataclass(frozen=True, slots=True)
class TypeSummary:
    """Creations of one type in one region: how many, how they ended, how long they took."""

    type: str
    region: str
    creations: int
    succeeded: int
    failed: int
    median: timedelta | None  # of those that succeeded
    p90: timedelta | None


@dataclass(frozen=True, slots=True)
class Failures:
    """How often one sub-service failed, and with which error codes (most frequent first)."""

    sub_service: str
    count: int
    codes: tuple[tuple[str, int], ...]


def type_summaries(records: Iterable[CreationRecord]) -> list[TypeSummary]:
    """Per (type, region), most creations first."""
    groups: dict[tuple[str, str], list[CreationRecord]] = {}
    for record in records:
        groups.setdefault((record.type or "unknown", record.region), []).append(record)
    summaries = []
    for (kind, region), group in groups.items():
        took = [r.took.total_seconds() for r in group if _succeeded(r) and r.took is not None]
        summaries.append(
            TypeSummary(
                type=kind,
                region=region,
                creations=len(group),
                succeeded=len(took),
                failed=sum(r.outcome == Status.FAILED.value for r in group),
                median=timedelta(seconds=round(statistics.median(took))) if took else None,
                p90=timedelta(seconds=round(percentile(took, 0.9))) if took else None,
            )
        )
    summaries.sort(key=lambda s: (-s.creations, s.type, s.region))
    return summaries


def failures(records: Iterable[CreationRecord]) -> list[Failures]:
    """Which sub-service fails most, and with which error codes."""
    counts: Counter[str] = Counter()
    codes: dict[str, Counter[str]] = {}
    for record in records:
        if record.outcome != Status.FAILED.value:
            continue
        name = record.failed_sub_service or "(the instance)"
        counts[name] += 1
        codes.setdefault(name, Counter())[record.error_code or "(no code)"] += 1
    return [
        Failures(name, count, tuple(codes[name].most_common()))
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


# --- the store -------------------------------------------------------------------------------


class HistoryTooNew(Exception):
    """The database was written by a newer roma-tui."""


def _ms(moment: datetime | None) -> int | None:
    return None if moment is None else round((moment - _EPOCH).total_seconds() * 1000)


def _time(ms: int | None) -> datetime | None:
    return None if ms is None else _EPOCH + timedelta(milliseconds=ms)


def _secs(span: timedelta | None) -> int | None:
    return None if span is None else max(0, round(span.total_seconds()))


def _private_file(path: Path) -> None:
    """Create `path` 0600 in a 0700 directory (or make an existing one 0600)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def migrate(conn: sqlite3.Connection, upto: int = SCHEMA_VERSION) -> int:
    """Bring the schema to version `upto` (in one transaction); the version it was at."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise HistoryTooNew(version)
        for steps in MIGRATIONS[version:upto]:
            for statement in steps:
                conn.execute(statement)
        if upto > version:
            conn.execute(f"PRAGMA user_version = {int(upto)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return version


class HistoryStore:
    """The history database at `path` (see the module docstring), or in memory without one
    (the demo's: forgotten on exit). `now` is the clock's now, for the retention."""

    def __init__(
        self,
        path: Path | None,
        *,
        retention: timedelta = DEFAULT_RETENTION,
        now: datetime | None = None,
    ) -> None:
        self.path = path
        self.retention = retention
        self.problem: str | None = None
        self._conn: sqlite3.Connection | None = None
        try:
            self._conn = self._open(now or datetime.now(UTC))
        except HistoryTooNew as too_new:
            self._off(
                f"history {self.where} was written by a newer roma-tui (schema {too_new.args[0]}, "
                f"this one knows {SCHEMA_VERSION}): not recording; upgrade roma-tui"
            )
        except (sqlite3.Error, OSError) as exc:
            self._off(f"history {self.where} cannot be opened ({_why(exc)}): not recording")

    @property
    def where(self) -> str:
        """The database file, or that it is in memory."""
        return str(self.path) if self.path is not None else "in memory (forgotten on exit)"

    def _open(self, now: datetime) -> sqlite3.Connection:
        if self.path is not None:
            _private_file(self.path)
        target = ":memory:" if self.path is None else self.path
        # opened by the TUI's start-up thread, then used by the event loop alone: handed
        # over, never shared at once (sqlite3 refuses any other thread without this)
        conn = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.debug("history %s: journal mode %s, not WAL", self.path, mode)
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
            self._prune(conn, now)
        except BaseException:
            conn.close()
            raise
        return conn

    def _prune(self, conn: sqlite3.Connection, now: datetime) -> None:
        cutoff = _ms(now - self.retention)
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "DELETE FROM creations WHERE COALESCE(started_ms, first_seen_ms) < ?", (cutoff,)
            )
            conn.execute(
                "DELETE FROM creations WHERE id NOT IN "
                "(SELECT id FROM creations ORDER BY last_seen_ms DESC LIMIT ?)",
                (MAX_CREATIONS,),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _off(self, problem: str) -> None:
        log.warning("%s", problem)
        self.problem = problem
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    @property
    def available(self) -> bool:
        return self._conn is not None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # --- writing ----------------------------------------------------------------------------

    def write(self, record: CreationRecord) -> bool:
        """Keep `record` (one transaction). Once a creation was recorded as over, only when it
        was last seen changes. False when the history is off."""
        conn = self._conn
        if conn is None:
            return False
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._write(conn, record)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            self._off(f"history {self.where} cannot be written ({_why(exc)}): not recording")
            return False
        return True

    def _write(self, conn: sqlite3.Connection, r: CreationRecord) -> None:
        key = (r.endpoint, r.project_id, r.instance_id)
        row = conn.execute(
            "SELECT id, outcome FROM creations "
            "WHERE endpoint = ? AND project_id = ? AND instance_id = ?",
            key,
        ).fetchone()
        seen = _ms(r.seen)
        if row is not None and row[1] != Status.CREATING.value:
            conn.execute(
                "UPDATE creations SET last_seen_ms = MAX(last_seen_ms, ?), "
                "quiet_s = COALESCE(quiet_s, ?) WHERE id = ?",
                (seen, _secs(r.quiet), row[0]),
            )
            return
        values = (
            r.region,
            r.name,
            r.type,
            r.spec,
            _ms(r.started),
            _ms(r.finished),
            r.outcome,
            r.progress,
            r.error_code,
            r.error_msg,
            r.failed_sub_service,
            _secs(r.quiet),
        )
        if row is None:
            cursor = conn.execute(
                "INSERT INTO creations (endpoint, project_id, instance_id, region, name, type, "
                "spec, started_ms, finished_ms, outcome, progress, error_code, error_msg, "
                "failed_sub_service, quiet_s, first_seen_ms, last_seen_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, *values, _ms(r.first_seen or r.seen), seen),
            )
            creation = cursor.lastrowid
        else:
            creation = row[0]
            conn.execute(
                "UPDATE creations SET region = ?, name = ?, type = COALESCE(?, type), "
                "spec = COALESCE(?, spec), started_ms = COALESCE(?, started_ms), "
                "finished_ms = ?, outcome = ?, progress = ?, error_code = ?, error_msg = ?, "
                "failed_sub_service = ?, quiet_s = COALESCE(?, quiet_s), "
                "first_seen_ms = MIN(first_seen_ms, ?), last_seen_ms = MAX(last_seen_ms, ?) "
                "WHERE id = ?",
                (*values, _ms(r.first_seen or r.seen), seen, creation),
            )
        conn.execute("DELETE FROM sub_services WHERE creation_id = ?", (creation,))
        conn.executemany(
            "INSERT INTO sub_services (creation_id, name, started_ms, finished_ms, took_s, "
            "outcome, progress, error_code, error_msg) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    creation,
                    s.name,
                    _ms(s.started),
                    _ms(s.finished),
                    _secs(s.took),
                    s.outcome,
                    s.progress,
                    s.error_code,
                    s.error_msg,
                )
                for s in {s.name: s for s in r.subs}.values()
            ],
        )
        latest = conn.execute(
            "SELECT MAX(at_ms) FROM samples WHERE creation_id = ?", (creation,)
        ).fetchone()[0]
        fresh = [
            (creation, _ms(at), p) for at, p in r.samples if latest is None or _ms(at) > latest
        ]
        conn.executemany(
            "INSERT OR IGNORE INTO samples (creation_id, at_ms, progress) VALUES (?, ?, ?)", fresh
        )
        count = conn.execute(
            "SELECT COUNT(*) FROM samples WHERE creation_id = ?", (creation,)
        ).fetchone()[0]
        while count > MAX_SAMPLES:  # thin the older half: every other sample goes
            older = conn.execute(
                "SELECT at_ms FROM samples WHERE creation_id = ? ORDER BY at_ms LIMIT ?",
                (creation, count // 2),
            ).fetchall()
            gone = [(creation, at) for (at,) in older[1::2]]
            conn.executemany("DELETE FROM samples WHERE creation_id = ? AND at_ms = ?", gone)
            count -= len(gone)

    # --- reading ----------------------------------------------------------------------------

    def creations(
        self,
        *,
        since: datetime | None = None,
        kind: str | None = None,
        region: str | None = None,
    ) -> list[CreationRecord]:
        """Recorded creations, newest first: those that started (or were first seen) after
        `since`, of the type `kind` (any case), in `region`."""
        conn = self._conn
        if conn is None:
            return []
        where: list[str] = ["1 = 1"]
        args: list[object] = []
        if region is not None:
            where.append("region = ?")
            args.append(region)
        if since is not None:
            where.append("COALESCE(started_ms, first_seen_ms) >= ?")
            args.append(_ms(since))
        if kind is not None:
            where.append("LOWER(type) = LOWER(?)")
            args.append(kind)
        try:
            rows = conn.execute(
                "SELECT id, endpoint, project_id, region, instance_id, name, type, spec, "
                "started_ms, finished_ms, outcome, progress, error_code, error_msg, "
                "failed_sub_service, quiet_s, first_seen_ms, last_seen_ms FROM creations "
                f"WHERE {' AND '.join(where)} "
                "ORDER BY COALESCE(started_ms, first_seen_ms) DESC, id DESC",
                args,
            ).fetchall()
            subs: dict[int, list[SubRecord]] = {}
            for row in conn.execute(
                "SELECT creation_id, name, started_ms, finished_ms, took_s, outcome, progress, "
                "error_code, error_msg FROM sub_services ORDER BY creation_id, rowid"
            ):
                subs.setdefault(row[0], []).append(
                    SubRecord(
                        row[1],
                        _time(row[2]),
                        _time(row[3]),
                        None if row[4] is None else timedelta(seconds=row[4]),
                        row[5],
                        row[6],
                        row[7],
                        row[8],
                    )
                )
        except sqlite3.Error as exc:
            self._off(f"history {self.where} cannot be read ({_why(exc)}): not recording")
            return []
        return [
            CreationRecord(
                endpoint=row[1],
                project_id=row[2],
                region=row[3],
                instance_id=row[4],
                name=row[5],
                type=row[6],
                spec=row[7],
                started=_time(row[8]),
                finished=_time(row[9]),
                outcome=row[10],
                progress=row[11],
                error_code=row[12],
                error_msg=row[13],
                failed_sub_service=row[14],
                quiet=None if row[15] is None else timedelta(seconds=row[15]),
                first_seen=_time(row[16]),
                seen=_time(row[17]) or _EPOCH,
                subs=tuple(subs.get(row[0], ())),
            )
            for row in rows
        ]

    def samples(self, record: CreationRecord) -> list[tuple[datetime, int]]:
        """The progress trace kept for one creation, oldest first."""
        conn = self._conn
        if conn is None:
            return []
        try:
            rows = conn.execute(
                "SELECT s.at_ms, s.progress FROM samples s JOIN creations c "
                "ON c.id = s.creation_id WHERE c.endpoint = ? AND c.project_id = ? "
                "AND c.instance_id = ? ORDER BY s.at_ms",
                (record.endpoint, record.project_id, record.instance_id),
            ).fetchall()
        except sqlite3.Error as exc:
            self._off(f"history {self.where} cannot be read ({_why(exc)}): not recording")
            return []
        return [(_EPOCH + timedelta(milliseconds=at), progress) for at, progress in rows]

    def typical(self, region: str) -> dict[str, Typical]:
        """What creations usually take in `region`, by instance type."""
        found = typical_of(self.creations(region=region))
        return {kind: t for (kind, _), t in found.items()}


def _why(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:120]


@dataclass
class Recorder:
    """Records the creations one place (endpoint, project) shows into a store, under its
    region's name; what the monitor and `wait` use."""

    store: HistoryStore
    region: str
    _typical: Mapping[str, Typical] | None = field(default=None, init=False)

    def record(self, view: InstanceView, trace: Trace | None, seen: datetime) -> bool:
        """Keep what the view says of a creation (those with a creation progress and a start
        only); True when the typical durations may have changed (a creation ended)."""
        if not view.has_progress or view.started is None:
            return False
        written = self.store.write(record_of(view, trace, self.region, seen))
        if written and view.over:
            self._typical = None
            return True
        return False

    def typical(self) -> Mapping[str, Typical]:
        """What creations here usually take, by instance type (read once, until one ends)."""
        if self._typical is None:
            self._typical = MappingProxyType(self.store.typical(self.region))
        return self._typical
