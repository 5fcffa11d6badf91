"""Relative and absolute times in questions, one case per line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.durations import parse_duration, parse_window
from domain.errors import InputError

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
M = timedelta(minutes=1)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("show logs from 10 minutes ago", NOW - 10 * M, NOW),
        ("errors since 1h", NOW - H, NOW),
        ("errors in the last hour", NOW - H, NOW),
        ("cpu over the past 30m", NOW - 30 * M, NOW),
        ("memory for the last 2 days", NOW - timedelta(days=2), NOW),
        ("logs between 14:00 and 14:30 UTC", NOW.replace(hour=14), NOW.replace(hour=14, minute=30)),
        ("logs from 14:05 to 14:20", NOW.replace(hour=14, minute=5), NOW.replace(hour=14, minute=20)),
        ("since 09:30", NOW.replace(hour=9, minute=30), NOW),
        ("since 16:00", NOW.replace(hour=16) - timedelta(days=1), NOW),
        ("anomalies today", NOW.replace(hour=0), NOW),
        ("anomalies yesterday", NOW.replace(hour=0) - timedelta(days=1), NOW.replace(hour=0)),
        ("last 90s", NOW - timedelta(seconds=90), NOW),
        ("an hour ago", NOW - H, NOW),
        ("past week", NOW - timedelta(days=7), NOW),
        ("between 14:00 and 15:30", NOW.replace(hour=14), NOW),
    ],
)
def test_windows(text: str, start: datetime, end: datetime) -> None:
    window = parse_window(text, NOW)
    assert window is not None
    assert (start, end) == (window.start, window.end)


def test_no_time_expression_gives_the_default_or_none() -> None:
    assert parse_window("show logs", NOW) is None
    window = parse_window("show logs", NOW, default=15 * M)
    assert window is not None
    assert NOW - 15 * M == window.start


@pytest.mark.parametrize("text", ["between 25:00 and 26:00", "since 12:75", "last 400 days"])
def test_impossible_times_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_window(text, NOW)


@pytest.mark.parametrize(
    ("text", "expected"), [("10m", 10 * M), ("1 hour", H), ("an hour", H), ("90s", timedelta(seconds=90))]
)
def test_durations(text: str, expected: timedelta) -> None:
    assert expected == parse_duration(text)


@pytest.mark.parametrize("text", ["", "ten minutes", "10 parsecs", "-5m", "5m; drop"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(InputError):
        parse_duration(text)


def test_window_describe() -> None:
    window = parse_window("between 14:00 and 14:30", NOW)
    assert window is not None
    assert "14:00–14:30 UTC" == window.describe()
