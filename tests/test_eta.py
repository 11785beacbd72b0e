"""RateEta: the ETA shown while an instance is creating (rate of progress so far)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from roma_tui.monitor.eta import EtaEstimator, RateEta

NOW = datetime(2025, 3, 6, 12, 30, 0, tzinfo=UTC)


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("progress", "started", "expected"),
    [
        # half done after 10 minutes: 10 more minutes
        (50, ago(600), timedelta(minutes=10)),
        # a quarter done after 5 minutes: 15 more
        (25, ago(300), timedelta(minutes=15)),
        # 90 % after 27 minutes: 3 more
        (90, ago(27 * 60), timedelta(minutes=3)),
        # 99 % after 99 minutes: 1 more
        (99, ago(99 * 60), timedelta(minutes=1)),
        # exactly the thresholds: 2 % after 60 s -> 49 min
        (2, ago(60), timedelta(minutes=49)),
        # rounded to whole seconds: 3 % after 100 s -> 3233.33 s
        (3, ago(100), timedelta(seconds=3233)),
        # unknown: nothing has happened yet, or it is over
        (0, ago(600), None),
        (100, ago(600), None),
        (-5, ago(600), None),
        (140, ago(600), None),
        # unknown: no start time
        (50, None, None),
        # too early to say: under 2 % or under a minute
        (1, ago(3600), None),
        (50, ago(59), None),
        # a start in the future (clock skew) is too early too
        (50, NOW + timedelta(seconds=30), None),
    ],
)
def test_rate_eta(progress: int, started: datetime | None, expected: timedelta | None) -> None:
    assert RateEta().estimate(progress, started, NOW) == expected


def test_thresholds_are_configurable() -> None:
    eager = RateEta(min_progress=1, min_elapsed=timedelta(seconds=10))
    assert eager.estimate(1, ago(10), NOW) == timedelta(seconds=990)
    assert RateEta().estimate(1, ago(10), NOW) is None


def test_rate_eta_is_an_estimator() -> None:
    estimator: EtaEstimator = RateEta()
    assert estimator.estimate(50, ago(120), NOW) == timedelta(seconds=120)
