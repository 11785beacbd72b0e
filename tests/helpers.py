"""Test data shared by several test modules (`from helpers import ...`: tests/ is on the path).

The secrets are distinctive strings, so a test can assert that none of them leaks into output,
logs, a repr or an error message.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from rich.cells import cell_len

from roma_tui.monitor.domain import CreationProgress, Instance, Place
from roma_tui.monitor.eta import SubTypical, Typical
from roma_tui.monitor.history import CreationRecord, SubRecord
from roma_tui.monitor.snapshot import one_shot
from roma_tui.monitor.trace import Trace
from roma_tui.monitor.view import InstanceView, instance_view

TOKEN = "tok-QUOKKA-7f3e9a1c5b"
SK = "sk-PANGOLIN-0d8c2b4e6a"
SECURITY_TOKEN = "st-AXOLOTL-91ab3cd4ef"
PASSWORD = "pw-NARWHAL-55aa66bb77"
AK = "HPUAEXAMPLEAK0000001"
PROJECT = "0123456789abcdef0123456789abcdef"
SECRETS = (TOKEN, SK, SECURITY_TOKEN, PASSWORD)


SEED_PAGE = Path(__file__).parent / "data" / "seed_process_page.txt"  # verbatim copy of shared/seed


def seed_example() -> dict[str, Any]:
    """The seed page's response example, verbatim: the JSON between its header and status table."""
    page = SEED_PAGE.read_text(encoding="utf-8")
    after_header = page[page.index("响应示例") :]  # "response example"
    value, end = json.JSONDecoder().raw_decode(after_header, after_header.index("{"))
    assert after_header[end:].lstrip().startswith("状态码")  # "status codes": nothing after it
    assert isinstance(value, dict)
    return value


PLACE = Place("https://roma.example.test", PROJECT)
NOW = datetime(2025, 3, 6, 12, 1, 43, tzinfo=UTC)


def view_of(
    listed: Instance | None,
    progress: CreationProgress | None = None,
    now: datetime = NOW,
    fetched: datetime | None = None,
) -> InstanceView:
    """The view model's view of one instance from one list entry and/or one progress document
    fetched at `fetched` (default `now`)."""
    instance_id = listed.id if listed is not None else (progress.instance_id if progress else "")
    snapshot = one_shot(
        PLACE,
        [listed] if listed is not None else [],
        {instance_id: progress} if progress is not None else {},
        fetched or now,
    )
    view = instance_view(snapshot, instance_id, now)
    assert view is not None
    return view


async def press_batch(pilot: Any, *keys: str) -> None:
    """Deliver `keys` as a terminal does when they arrive in one read (a paste, or SSH
    batching keystrokes): all queued at once, nothing processed in between. (Textual's
    `pilot.press` waits for the app to be idle after each key, which hides ordering bugs.)"""
    import unicodedata

    from textual import events
    from textual.keys import _character_to_key

    app = pilot.app
    for key in keys:
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        char = key if len(key) == 1 else None
        if char is None:
            try:
                char = unicodedata.lookup(name.upper().replace("_", " "))
            except KeyError:
                char = None
        event = events.Key(name, char)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()


# What professional creations in cn-north-4 usually take, as a history would say.
USUAL = Typical(
    type="professional",
    region="cn-north-4",
    count=12,
    median=timedelta(minutes=24),
    p90=timedelta(minutes=31),
    quiet=timedelta(minutes=2),
    subs={
        "lvs": SubTypical(timedelta(0), timedelta(minutes=7)),
        "mqs": SubTypical(timedelta(minutes=4), timedelta(minutes=18)),
        "fdi": SubTypical(timedelta(minutes=15), timedelta(minutes=10)),
    },
)


def creation(
    number: int,
    started: datetime,
    *,
    kind: str = "professional",
    region: str = "cn-north-4",
    took: float = 1500,
    outcome: str = "running",
    subs: tuple[SubRecord, ...] = (),
    failed: tuple[str, str] | None = None,
) -> CreationRecord:
    """A past creation as the history keeps it; `failed` is (sub-service, error code)."""
    if failed is not None:
        end = started + timedelta(seconds=took)
        subs += (SubRecord(failed[0], started, end, None, "failed", 40, failed[1], "quota"),)
    return CreationRecord(
        endpoint=f"https://roma.{region}.myhuaweicloud.com",
        project_id=PROJECT,
        region=region,
        instance_id=f"i-{number}",
        name=f"roma-{kind}-{number}",
        type=kind,
        spec=None,
        started=started,
        finished=started + timedelta(seconds=took) if outcome != "creating" else None,
        outcome=outcome,
        progress=100 if outcome == "running" else 40,
        seen=started + timedelta(seconds=took),
        subs=subs,
        error_code=failed[1] if failed else None,
        error_msg="quota" if failed else None,
        failed_sub_service=failed[0] if failed else None,
    )


def watched(readings: Sequence[tuple[float, CreationProgress]], start: datetime) -> Trace:
    """The trace a monitor keeps after these readings: (seconds after `start`, progress)."""
    trace: Trace | None = None
    for seconds, reading in readings:
        moment = start + timedelta(seconds=seconds)
        trace = Trace.first(reading, moment) if trace is None else trace.observe(reading, moment)
    assert trace is not None
    return trace


class _Screenshots(Protocol):
    def export_screenshot(self, *, title: str | None = None) -> str: ...


_SVG_TEXT = re.compile(
    r'<text class="[^"]*" x="([0-9.]+)" y="[0-9.]+" textLength="([0-9.]+)" '
    r'clip-path="url\(#[\w-]+-line-(\d+)\)">([^<]*)</text>'
)


def screen_lines(app: _Screenshots) -> list[str]:
    """What the terminal shows, line by line, as a person reads it (from the app's own SVG
    screenshot: every character of every layer that made it to the screen; blank cells, which
    the SVG leaves out, are spaces)."""
    rows: dict[int, dict[int, str]] = defaultdict(dict)
    for x, length, line, raw in _SVG_TEXT.findall(app.export_screenshot()):
        text = html.unescape(raw).replace("\xa0", " ")
        cell = float(length) / max(1, cell_len(text))
        column = round(float(x) / cell)
        for char in text:
            rows[int(line)][column] = char
            column += cell_len(char)
    lines = []
    for n in range(max(rows, default=-1) + 1):
        cells = rows[n]
        chars, column = [], 0
        while column <= max(cells, default=-1):
            char = cells.get(column, " ")
            chars.append(char)
            column += max(1, cell_len(char))
        lines.append("".join(chars).rstrip())
    return lines
