"""A process that writes creations into a history database as fast as it can, for the crash and
two-writer tests in test_history.py (run as a script: `python tests/history_writer.py DB FIRST
COUNT [ROUNDS]`).

Every record has SUBS sub-services and SAMPLES trace samples, so a half-written record would
show: a creation with fewer sub-services or samples than that. Prints "ready" once the store is
open, then one line per record written; exits 1 if the store turned itself off.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from roma_tui.monitor.history import CreationRecord, HistoryStore, SubRecord

SUBS = 6
SAMPLES = 150
START = datetime(2025, 3, 6, 12, 0, tzinfo=UTC)


def record(number: int, revision: int) -> CreationRecord:
    started = START + timedelta(minutes=number)
    done = revision > 0
    return CreationRecord(
        endpoint="https://roma.cn-north-4.myhuaweicloud.com",
        project_id="0123456789abcdef0123456789abcdef",
        region="cn-north-4",
        instance_id=f"instance-{number:05d}",
        name=f"roma-{number}",
        type="professional",
        spec="roma.professional.001",
        started=started,
        finished=started + timedelta(minutes=25) if done else None,
        outcome="running" if done else "creating",
        progress=100 if done else 50,
        seen=started + timedelta(minutes=25, seconds=revision),
        subs=tuple(
            SubRecord(f"sub{k}", started, None, timedelta(minutes=k), "creating", 50)
            for k in range(SUBS)
        ),
        samples=tuple(
            (started + timedelta(seconds=10 * i + revision * SAMPLES * 10), i % 100)
            for i in range(SAMPLES)
        ),
    )


def main(argv: list[str]) -> int:
    path, first, count = Path(argv[0]), int(argv[1]), int(argv[2])
    rounds = int(argv[3]) if len(argv) > 3 else 1
    store = HistoryStore(path, retention=timedelta(days=3650), now=START)
    print("ready", flush=True)
    for revision in range(rounds):
        for number in range(first, first + count):
            if not store.write(record(number, revision)):
                print(store.problem, file=sys.stderr, flush=True)
                return 1
            print(number, flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
