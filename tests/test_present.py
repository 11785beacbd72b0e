"""roma_tui.monitor.present: the plain-text formatting shared by the TUI and scripting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from roma_tui.monitor.present import (
    EIGHTHS,
    ago,
    ascii_bar,
    bar_fill,
    clamp_percent,
    clock_time,
    duration,
    iso_utc,
    percent,
    set_display_zone,
    wall_time,
)

NOW = datetime(2025, 3, 6, 12, 1, 43, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "exact", "coarse"),
    [
        (0, "0s", "<1m"),
        (45, "45s", "<1m"),
        (59.9, "59s", "<1m"),
        (60, "1m00s", "1m"),
        (725, "12m05s", "12m"),
        (3599, "59m59s", "59m"),
        (3600, "1h00m", "1h00m"),
        (11_220, "3h07m", "3h07m"),
        (86_399, "23h59m", "23h59m"),
        (86_400, "1d00h", "1d00h"),
        (187_200, "2d04h", "2d04h"),
        (-5, "0s", "<1m"),
    ],
)
def test_duration_exact_and_coarse(seconds: float, exact: str, coarse: str) -> None:
    span = timedelta(seconds=seconds)
    assert duration(span) == exact
    assert duration(span, coarse=True) == coarse
    assert len(exact) <= 6


def test_duration_unknown() -> None:
    assert duration(None) == "—"
    assert duration(None, unknown="-") == "-"


def test_ago_counts_seconds_for_a_minute_then_minutes() -> None:
    assert ago(NOW - timedelta(seconds=3), NOW) == "3s ago"
    assert ago(NOW - timedelta(seconds=59), NOW) == "59s ago"
    assert ago(NOW - timedelta(seconds=60), NOW) == "1m ago"
    assert ago(NOW - timedelta(seconds=119), NOW) == "1m ago"  # the same label for a minute
    assert ago(NOW - timedelta(hours=2, minutes=5, seconds=30), NOW) == "2h05m ago"
    assert ago(NOW + timedelta(seconds=4), NOW) == "0s ago"  # a clock running ahead
    assert ago(None, NOW) == "never"


def test_percent_clamps_and_says_when_unknown() -> None:
    assert percent(42) == "42%"
    assert percent(130) == "100%"
    assert percent(-1) == "0%"
    assert percent(None) == "—"
    assert percent(None, unknown="-") == "-"
    assert clamp_percent(101) == 100


def test_times_are_utc_whatever_the_zone_of_the_datetime() -> None:
    beijing = NOW.astimezone(timezone(timedelta(hours=8)))
    assert iso_utc(beijing) == "2025-03-06T12:01:43Z"
    assert iso_utc(None) is None
    assert wall_time(beijing) == "2025-03-06 12:01:43"  # the tests show UTC (conftest)
    assert wall_time(beijing, date=False, zone=True) == "12:01:43 UTC"
    assert wall_time(None) == "—"
    assert clock_time(NOW - timedelta(hours=1), NOW) == "11:01:43"
    assert clock_time(NOW - timedelta(days=1), NOW) == "03-05 12:01"
    assert clock_time(None, NOW, unknown="-") == "-"


@pytest.mark.parametrize(
    ("progress", "width", "expected"),
    [
        (0, 8, ""),
        (100, 8, "█" * 8),
        (50, 8, "████"),
        (3, 8, "▎"),  # 0.24 of a bar of 8: 1.92 eighths, rounds to 2
        (18, 10, "█▊"),
        (150, 4, "████"),
        (99, 4, "████"),  # rounds up to full, never longer than the bar
    ],
)
def test_bar_fill(progress: int, width: int, expected: str) -> None:
    fill = bar_fill(progress, width)
    assert fill == expected
    assert len(fill) <= width


def test_bar_fill_uses_eighths_and_stays_in_the_bar() -> None:
    for width in (1, 6, 16):
        for progress in range(0, 101):
            fill = bar_fill(progress, width)
            assert len(fill) <= width
            assert all(ch == "█" or ch in EIGHTHS[1:] for ch in fill)
    assert bar_fill(50, 0) == ""


def test_ascii_bar() -> None:
    assert ascii_bar(40, 10) == "[####------]"
    assert ascii_bar(100, 4) == "[####]"
    assert ascii_bar(-3, 4) == "[----]"
    assert ascii_bar(0).count("-") == 20


def test_times_of_day_follow_the_display_zone() -> None:
    shanghai = timezone(timedelta(hours=8), "CST")
    set_display_zone(shanghai)
    assert wall_time(NOW, zone=True) == "2025-03-06 20:01:43 CST"
    assert clock_time(NOW - timedelta(hours=1), NOW) == "19:01:43"
    assert clock_time(NOW - timedelta(hours=21), NOW) == "03-05 23:01"  # yesterday, in CST
    set_display_zone(None)  # the machine's own zone, whatever it is
    assert wall_time(NOW, zone=True).endswith(NOW.astimezone().tzname() or "")
