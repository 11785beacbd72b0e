"""Tests of the benchmarks (bench/): the verdicts and the report, what the probe records and
what the analysis makes of it, the counting relay, the pty runner, and a smoke run of every
benchmark (tiny and side by side: its figures mean nothing, it proves the scripts still run
and measure). No assertion on how fast anything is.
"""

from __future__ import annotations

import io
import json
import math
import subprocess
import textwrap
import threading
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.harness import Figure, interleaved, markdown, percentile, slope
from bench.processes import PROBE, PYTHON, environment
from bench.proxy import CountingProxy
from bench.run import main
from bench.terminal import BenchError, Terminal
from bench.trace import Trace, figures, list_refreshes

# --- verdicts and report ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figure", "verdict"),
    [
        (Figure("1", "x", 1.2, "s", 1.0, "base", max_ratio=1.2), "PASS"),
        (Figure("1", "x", 1.3, "s", 1.0, "base", max_ratio=1.2), "FAIL"),
        (Figure("2", "x", 20, "B/s", max_value=20), "PASS"),
        (Figure("4", "x", 5, "ms", max_value=5, strict=True), "FAIL"),
        (Figure("4", "x", 4.9, "ms", max_value=5, strict=True), "PASS"),
        (Figure("6", "x", 8, "requests", min_value=8, max_value=8), "PASS"),
        (Figure("6", "x", 7, "requests", min_value=8, max_value=8), "FAIL"),
        (Figure("2", "x", 0.0, "%", 0.0, "base", max_ratio=2.5), "PASS"),
        (Figure("2", "x", 0.1, "%", 0.0, "base", max_ratio=2.5), "FAIL"),
        (Figure("2", "x", 30, "B/s", 0.0, "base", max_value=20), "FAIL"),
        (Figure("4", "x", math.nan, "ms", max_value=30), "FAIL (no data)"),
        (Figure("4", "x", 3.0, "s", 1.0, "base"), "—"),
    ],
)
def test_a_figure_passes_only_within_every_bound_it_has(figure: Figure, verdict: str) -> None:
    assert figure.verdict == verdict


def test_the_report_has_one_row_per_figure_with_ratio_target_and_verdict() -> None:
    rows = markdown(
        [
            Figure("1", "first frame", 0.6, "s", 0.25, "bare app", max_ratio=1.2),
            Figure("6", "requests", 8, "requests", min_value=8, max_value=8, note="1 list"),
        ]
    ).splitlines()
    assert rows[0] == "| # | figure | roma-tui | baseline (same run) | ratio | target | result |"
    assert rows[2] == "| 1 | first frame | 0.6 s | bare app 0.25 s | 2.40× | ≤ 1.2× | FAIL |"
    assert rows[3] == "| 6 | requests (1 list) | 8 requests | — | — | = 8 requests | PASS |"


def test_percentile_slope_and_interleaving() -> None:
    assert percentile([5, 1, 4, 2, 3], 95) == 5
    assert percentile([5, 1, 4, 2, 3], 50) == 3
    assert math.isnan(percentile([], 50))
    assert slope([(0, 10), (1, 12), (2, 14)]) == pytest.approx(2.0)
    order: list[str] = []
    runs = interleaved({n: (lambda n=n: order.append(n) or n) for n in "abc"}, 3)
    assert order == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]  # each goes first once
    assert runs["b"] == ["b", "b", "b"]


# --- the probe and the analysis of its events ------------------------------------------------


def write_events(path: Path, events: list[list[object]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


LIST = "/v2/p/instances"


def test_a_list_refresh_ends_at_its_last_page_and_reaches_the_screen_at_its_last_frame(
    tmp_path: Path,
) -> None:
    trace = Trace.load(
        write_events(
            tmp_path / "e.jsonl",
            [
                ["ask", 1.000, "list", LIST],
                ["busy", 1.000, 1.001, 0.001],
                ["answer", 1.010, "list", LIST],  # page 1: the next is asked before idle
                ["ask", 1.011, "list", LIST],
                ["busy", 1.010, 1.012, 0.002],
                ["answer", 1.020, "list", LIST],  # page 2, the last
                ["busy", 1.020, 1.100, 0.080],  # validate, map, render
                ["busy", 1.114, 1.116, 0.002],  # Textual's screen update, 14 ms later
                ["write", 1.115, 9000],
                ["busy", 1.500, 1.501, 0.001],  # a timer, long after: not the refresh's
                ["write", 1.5005, 10],
                ["lag", 1.05, 0.04],
                ["lag", 1.60, 0.001],
            ],
        )
    )
    assert list_refreshes(trace) == [1.020]
    seen = figures(trace, 0.0, 2.0)
    assert seen.list_to_screen_ms == [pytest.approx(95.0)]
    assert seen.progress_work_ms == []
    assert max(seen.lag_ms) == pytest.approx(40.0)


def test_the_ui_work_of_progress_answers_is_the_cpu_time_of_their_busy_spells_shared_out(
    tmp_path: Path,
) -> None:
    process = "/v2/p/instances/i/process"
    trace = Trace.load(
        write_events(
            tmp_path / "e.jsonl",
            [
                ["answer", 2.000, "progress", process],
                ["answer", 2.001, "progress", process],  # a second one in the same spell
                ["busy", 1.999, 2.006, 0.007],  # 6 ms of it after the first answer
                ["busy", 2.020, 2.022, 0.001],  # the frame: another program had the CPU
                ["write", 2.021, 300],
                ["answer", 3.000, "progress", process],
                ["busy", 2.998, 3.003, 0.005],
                ["answer", 9.000, "progress", process],  # outside the window
                ["busy", 9.0, 9.5, 0.5],
            ],
        )
    )
    seen = figures(trace, 0.0, 5.0)
    assert seen.progress_work_ms == [pytest.approx(3.5), pytest.approx(3.0)]  # (6+1)/2, 3
    assert seen.progress_answers == 3


PROBED = """
    import asyncio, time
    import httpx

    async def main():
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as http:
            await http.get("/v2/p/instances")
            await http.get("/v2/p/instances/i/process")
        await asyncio.sleep(0.2)
        spin = time.thread_time() + 0.15
        while time.thread_time() < spin:  # 150 ms of CPU without a break: lag
            pass
        await asyncio.sleep(0.2)

    asyncio.run(main())
"""


def test_the_probe_records_requests_busy_spells_and_lag_of_an_unchanged_program(
    tmp_path: Path,
) -> None:
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent(PROBED), encoding="utf-8")
    events = tmp_path / "events.jsonl"
    done = subprocess.run(
        [PYTHON, PROBE, str(events), "--", str(script)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    trace = Trace.load(events)
    assert [(kind, path) for _, kind, path in trace.asks] == [
        ("list", "/v2/p/instances"),
        ("progress", "/v2/p/instances/i/process"),
    ]
    assert [kind for _, kind, _ in trace.answers] == ["list", "progress"]
    assert max(cpu for _, _, cpu in trace.busy) >= 0.15
    assert max(end - start for start, end, _ in trace.busy) >= 0.15
    assert max(lag for _, lag in trace.lags) >= 0.1


# --- the counting relay ----------------------------------------------------------------------


class TogetherHandler(BaseHTTPRequestHandler):
    """Answers a progress request only once three are in: they are in flight together."""

    protocol_version = "HTTP/1.1"
    together = threading.Barrier(3, timeout=10)

    def do_GET(self) -> None:
        if self.path.endswith("/process"):
            self.together.wait()
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[str]:
    TogetherHandler.together.reset()
    server = ThreadingHTTPServer(("127.0.0.1", 0), TogetherHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_relay_counts_requests_by_kind_and_the_most_in_flight(upstream: str) -> None:
    with CountingProxy(upstream) as proxy:

        def get(path: str) -> bytes:
            with urllib.request.urlopen(proxy.url + path, timeout=10) as response:
                return bytes(response.read())

        assert get("/v2/p/instances?offset=0&limit=100") == b"{}"
        with ThreadPoolExecutor(3) as pool:
            bodies = list(pool.map(get, [f"/v2/p/instances/{i}/process" for i in range(3)]))
    assert bodies == [b"{}"] * 3
    assert dict(proxy.counts) == {"list": 1, "progress": 3}
    assert proxy.max_in_flight == 3


# --- the pty runner --------------------------------------------------------------------------

DRAWS = r"""
import sys, time
sys.stdout.write("\x1b[?1049h")
sys.stdout.flush()
time.sleep(0.2)
sys.stdout.write("".join(f"\x1b[{row};1Hrow {row}" for row in range(1, 6)) + " READY")
sys.stdout.flush()
time.sleep(60)
"""


def test_the_terminal_times_the_first_full_frame_and_counts_bytes(tmp_path: Path) -> None:
    env = environment(tmp_path / "home")
    with Terminal.spawn([PYTHON, "-c", DRAWS], env, size=(20, 5)) as term:
        shown = term.wait_for_text("READY", 30)
        frame = term.first_full_frame()
        assert frame is not None
        assert 0.2 <= frame - term.started <= shown - term.started + 1e-9
        assert term.bytes_between(term.started, shown) == len(term.output)
        assert term.usage().rss_mb > 1
        with pytest.raises(BenchError, match="READY"):  # what it showed last, in the message
            term.wait_for_text("never shown", 0.3)
        assert term.stop(keys=b"") == 143  # SIGTERM


# --- every benchmark, tiny -------------------------------------------------------------------


def test_a_smoke_run_measures_every_target_and_prints_the_report() -> None:
    out = io.StringIO()
    code = main(["--smoke"], out=out)
    report = out.getvalue()
    assert code == 0, report  # 1: a benchmark could not measure (the report says which)
    assert report.startswith("## roma-tui performance")
    assert "CPUs (" in report and "Python 3." in report and "smoke mode" in report
    rows = [line.split(" | ") for line in report.splitlines() if line.startswith("| ")][2:]
    assert sorted({row[0] for row in rows}) == [
        "| 1",
        "| 2",
        "| 3",
        "| 4",
        "| 5",
        "| 6",
        "| 7",
        "| —",
    ]
    for row in rows:
        assert row[-1].rstrip(" |") in ("PASS", "FAIL", "FAIL (no data)", "—"), row
