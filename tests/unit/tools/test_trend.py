"""Trend lines, time-to-full and data coverage, one case per line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.models import MetricKind
from tools.trend import down_stretches, filling_pace, fit_trend, longest_gap, reaches_back, time_to_full

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def line(start: float, per_hour: float, hours: int = 2) -> list[tuple[float, float]]:
    return [(T0.timestamp() + 60 * i, start + per_hour * i / 60) for i in range(hours * 60 + 1)]


@pytest.mark.parametrize(
    ("metric", "points", "direction", "change"),
    [
        (MetricKind.DISK, line(50, 5), "rising", 10.0),
        (MetricKind.MEMORY, line(80, -3), "falling", -6.0),
        (MetricKind.CPU, line(30, 0.5), "steady", 1.0),
        (MetricKind.NETWORK_IN, line(10, 0.1), "steady", 0.2),
        (MetricKind.NETWORK_IN, line(10, 2), "rising", 4.0),
    ],
)
def test_direction_and_change(
    metric: MetricKind, points: list[tuple[float, float]], direction: str, change: float
) -> None:
    trend = fit_trend(metric, points)

    assert trend is not None
    assert (direction, pytest.approx(change)) == (trend.direction, trend.change)


def test_too_few_points_have_no_trend() -> None:
    assert None is fit_trend(MetricKind.CPU, line(1, 1)[:2])


def test_a_rising_disk_is_full_at_its_pace() -> None:
    trend = fit_trend(MetricKind.DISK, line(50, 5))
    assert trend is not None

    assert T0 + timedelta(hours=8) == time_to_full(trend, now=T0)  # from 60% at 5 points an hour


def test_a_falling_disk_is_never_full() -> None:
    trend = fit_trend(MetricKind.DISK, line(50, -5))
    assert trend is not None

    assert None is time_to_full(trend, now=T0)


def test_data_starting_late_says_when_it_starts() -> None:
    points = line(1, 0)[60:]

    assert T0 + timedelta(hours=1) == reaches_back(points, T0, 15.0)
    assert None is reaches_back(line(1, 0), T0, 15.0)


def _disk(per_hour_by_hour: list[float]) -> list[tuple[float, float]]:
    """A disk at 50% growing by each hour's pace, one point a minute."""
    points, value = [], 50.0
    for h, pace in enumerate(per_hour_by_hour):
        for m in range(60):
            points.append((h * 3600.0 + m * 60.0, value))
            value += pace / 60
    return points


def test_a_disk_that_began_filling_last_hour_is_full_at_that_hours_pace() -> None:
    points = _disk([0, 0, 0, 0, 12])
    whole = fit_trend(MetricKind.DISK, points)
    assert whole is not None

    pace = filling_pace(points, whole)

    assert pace.per_hour == pytest.approx(12, rel=0.05)
    assert whole.per_hour < 4


def test_a_disk_that_stopped_filling_has_no_time_to_full() -> None:
    points = _disk([10, 10, 10, 0])
    whole = fit_trend(MetricKind.DISK, points)
    assert whole is not None
    assert "rising" == whole.direction

    pace = filling_pace(points, whole)

    assert time_to_full(pace, now=datetime(2026, 3, 10, tzinfo=UTC)) is None


def test_a_slow_steady_fill_keeps_the_whole_windows_pace() -> None:
    points = _disk([1.0] * 6)
    whole = fit_trend(MetricKind.DISK, points)
    assert whole is not None

    assert whole == filling_pace(points, whole)


def test_a_series_that_rose_and_came_back_down_has_not_risen() -> None:
    up_and_down = [(T0.timestamp() + 60 * i, 97.0 if 120 <= i < 420 else 15.0 + (i % 3)) for i in range(541)]

    trend = fit_trend(MetricKind.CPU, up_and_down)

    assert trend is not None
    assert trend.direction == "steady"
    assert abs(trend.change) < 3


def test_a_series_ending_below_its_start_is_falling_by_no_more_than_its_range() -> None:
    points = [(T0.timestamp() + 60 * i, 40.0 if i < 300 else 97.0 if i < 480 else 14.0) for i in range(541)]

    trend = fit_trend(MetricKind.CPU, points)

    assert trend is not None
    assert trend.direction == "falling"
    assert -40.0 < trend.change < -20.0
    assert trend.per_hour < 0


def test_the_longest_stretch_without_data_is_named_when_long() -> None:
    points = [p for p in line(10, 1, hours=3) if not (3600 <= p[0] - T0.timestamp() < 7200)]

    gap = longest_gap(points, 60.0)

    assert gap == (T0 + timedelta(minutes=59), T0 + timedelta(minutes=120))
    assert longest_gap(line(10, 1), 60.0) is None


def test_down_stretches_run_from_the_first_zero_to_the_first_one_after_it() -> None:
    up = [(T0.timestamp() + 60 * i, 0.0 if 10 <= i < 20 or i >= 50 else 1.0) for i in range(60)]

    assert down_stretches(up) == [
        (T0 + timedelta(minutes=10), T0 + timedelta(minutes=20)),
        (T0 + timedelta(minutes=50), None),
    ]
