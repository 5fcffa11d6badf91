"""Durations and time expressions, one case per line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.durations import find_duration, format_duration, parse_duration
from domain.errors import InputError
from domain.time_expressions import TimeWindow, find_moment, find_window, parse_moment, parse_window, window_of

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
        ("cpu since midnight", NOW.replace(hour=0), NOW),
        ("logs since noon", NOW.replace(hour=12), NOW),
        ("between midnight and 6am", NOW.replace(hour=0), NOW.replace(hour=6)),
        ("anomalies today", NOW.replace(hour=0), NOW),
        ("anomalies yesterday", NOW.replace(hour=0) - timedelta(days=1), NOW.replace(hour=0)),
        ("last 90s", NOW - timedelta(seconds=90), NOW),
        ("cpu since 9am", NOW.replace(hour=9), NOW),
        ("cpu since 9", NOW.replace(hour=9), NOW),
        ("since 2pm", NOW.replace(hour=14), NOW),
        ("cpu from 9 to 10", NOW.replace(hour=9), NOW.replace(hour=10)),
        ("between 9am and 11:30am", NOW.replace(hour=9), NOW.replace(hour=11, minute=30)),
        ("logs since yesterday", NOW.replace(hour=0) - timedelta(days=1), NOW),
        ("what broke overnight", NOW.replace(hour=20) - timedelta(days=1), NOW.replace(hour=8)),
        ("anything last night", NOW.replace(hour=20) - timedelta(days=1), NOW.replace(hour=8)),
        ("an hour ago", NOW - H, NOW),
        ("past week", NOW - timedelta(days=7), NOW),
        ("2 weeks ago", NOW - timedelta(days=14), NOW),
        ("over the last 1h30m", NOW - timedelta(minutes=90), NOW),
        ("between 14:00 and 15:30", NOW.replace(hour=14), NOW),
        ("what was going on on db-2 two hours ago", NOW - 2 * H, NOW),
        ("errors in the last three hours", NOW - 3 * H, NOW),
        ("logs from half an hour ago", NOW - 30 * M, NOW),
        ("anomalies over the past seven days", NOW - timedelta(days=7), NOW),
        ("how many anomalies this week", datetime(2026, 3, 9, tzinfo=UTC), NOW),
        ("cpu on web-1 this month", datetime(2026, 3, 1, tzinfo=UTC), NOW),
        ("what broke over the weekend", datetime(2026, 3, 7, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)),
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


@pytest.mark.parametrize(
    "text",
    ["between 25:00 and 26:00", "since 12:75", "last 400 days", "last 99999999999 weeks", "5 weeks ago", "since 13pm"],
)
def test_impossible_times_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_window(text, NOW)


S = timedelta(seconds=1)
D = timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", 90 * S),
        ("45 secs", 45 * S),
        ("1 second", S),
        ("10m", 10 * M),
        ("3 mins", 3 * M),
        ("10 minutes", 10 * M),
        ("2h", 2 * H),
        ("2 h", 2 * H),
        ("1 hour", H),
        ("an hour", H),
        ("3 hrs", 3 * H),
        ("1d", D),
        ("1 day", D),
        ("a day", D),
        ("one week", 7 * D),
        ("2 weeks", 14 * D),
        ("1w", 7 * D),
        ("1h30m", H + 30 * M),
        ("1d2h3m4s", D + 2 * H + 3 * M + 4 * S),
        ("  10M ", 10 * M),
        ("0s", timedelta(0)),
        ("two hours", 2 * H),
        ("Three Minutes", 3 * M),
        ("ten minutes", 10 * M),
        ("twelve days", 12 * D),
        ("eleven weeks", 77 * D),
        ("five mins", 5 * M),
        ("six h", 6 * H),
        ("half an hour", 30 * M),
        ("half a day", 12 * H),
        ("half a minute", 30 * S),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert expected == parse_duration(text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "not a duration"),
        ("m", "not a duration"),
        ("10", "not a duration"),
        ("thirteen minutes", "not a duration"),
        ("a few minutes", "not a duration"),
        ("several hours", "not a duration"),
        ("half hour", "not a duration"),
        ("half two hours", "not a duration"),
        ("twominutes", "not a duration"),
        ("half a second", "shorter than a second"),
        ("10 parsecs", "not a duration"),
        ("-5m", "not a duration"),
        ("5m; drop", "not a duration"),
        ("1.5h", "not a duration"),
        ("anhour", "not a duration"),
        ("1h 30m", "not a duration"),
        ("9" * 20 + "d", "too long"),
    ],
)
def test_bad_durations(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_duration(text)
    assert fragment in str(err.value)


@pytest.mark.parametrize(("text", "expected"), [("1s", S), ("7d", 7 * D), ("1 week", 7 * D), ("2h", 2 * H)])
def test_durations_within_a_bound(text: str, expected: timedelta) -> None:
    assert expected == parse_duration(text, at_most=7 * D)


@pytest.mark.parametrize("text", ["0m", "8d", "7d1s", "2 weeks"])
def test_durations_outside_a_bound_are_out_of_range(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_duration(text, at_most=7 * D)
    assert "out of range; use between 1s and 7d" in str(err.value)


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (0, "0s"),
        (1, "1s"),
        (90, "1m30s"),
        (180, "3m"),
        (3600, "1h"),
        (5400, "1h30m"),
        (86400, "1d"),
        (604800, "7d"),
        (90061, "1d1h1m1s"),
        (timedelta(minutes=90), "1h30m"),
        (timedelta(seconds=59.9), "59s"),
    ],
)
def test_format_duration(duration: timedelta | int, text: str) -> None:
    assert text == format_duration(duration)


@pytest.mark.parametrize("seconds", [1, 59, 60, 61, 3599, 3600, 5400, 86399, 86400, 90061, 604800, 10**9])
def test_format_then_parse_gives_the_duration_back(seconds: int) -> None:
    assert timedelta(seconds=seconds) == parse_duration(format_duration(seconds))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("peak cpu on web-1 in the last 6h", 6 * H),
        ("average memory over the past 2 days", 2 * D),
        ("show logs from 10 minutes ago", 10 * M),
        ("cpu over 5m from 2 hours ago", 2 * H),
        ("errors in the last hour", H),
        ("incidents in the past week", 7 * D),
        ("cpu for an hour", H),
        ("disk over the last 1h30m", H + 30 * M),
        ("what was going on on db-2 two hours ago", 2 * H),
        ("peak cpu in the last twelve hours", 12 * H),
        ("cpu for half an hour", 30 * M),
        ("often hours of load", None),
        ("a few minutes ago", None),
        ("top five hosts by cpu", None),
        ("what is the cpu on web-1 as of now", None),
        ("top 3 hosts by cpu", None),
        ("cpu on web-1", None),
    ],
)
def test_find_duration(text: str, expected: timedelta | None) -> None:
    assert expected == find_duration(text)


def test_window_describe() -> None:
    window = parse_window("between 14:00 and 14:30", NOW)
    assert window is not None
    assert "14:00–14:30 UTC" == window.describe()


def test_a_window_over_two_days_shows_both_dates() -> None:
    window = TimeWindow(datetime(2026, 12, 6, 16, 40, tzinfo=UTC), datetime(2026, 12, 7, 16, 40, tzinfo=UTC))

    assert "2026-12-06 16:40 – 2026-12-07 16:40 UTC" == window.describe()


D = timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cpu on web-1 30 minutes ago", NOW - 30 * M),
        ("memory an hour ago", NOW - H),
        ("what was going on on db-2 two hours ago", NOW - 2 * H),
        ("cpu half an hour ago", NOW - 30 * M),
        ("load nine minutes ago", NOW - 9 * M),
        ("cpu at 14:00", NOW.replace(hour=14)),
        ("cpu at 16:30", NOW.replace(hour=16, minute=30) - D),
        ("load around 2pm", NOW.replace(hour=14)),
        ("cpu at 9am", NOW.replace(hour=9)),
        ("cpu at 12am", NOW.replace(hour=0)),
        ("cpu at midnight", NOW.replace(hour=0)),
        ("load at noon", NOW.replace(hour=12)),
        ("memory yesterday at midday", NOW.replace(hour=12) - D),
        ("cpu yesterday at 9", NOW.replace(hour=9) - D),
        ("cpu at 17:15 yesterday", NOW.replace(hour=17, minute=15) - D),
        ("cpu on api-1 yesterday", NOW - D),
        ("cpu at 2026-03-10T12:30:00Z", NOW.replace(hour=12, minute=30)),
        ("cpu on web-1", None),
        ("cpu above 80", None),
        ("hosts at 80% cpu", None),
        ("cpu at 9", None),
        ("memory on 10.0.1.13:9100", None),
    ],
)
def test_points_in_time(text: str, expected: datetime | None) -> None:
    assert expected == parse_moment(text, NOW)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("load yesterday at 9am", "yesterday at 09:00"),
        ("memory 90 minutes ago", "1h30m ago"),
        ("what was going on on db-2 two hours ago", "2h ago"),
        ("cpu half an hour ago", "30m ago"),
        ("cpu around 2:05pm", "at 14:05"),
        ("cpu at midnight", "at 00:00"),
        ("yesterday", "yesterday"),
        ("now", None),
    ],
)
def test_a_moment_is_written_back_in_a_form_it_reads(text: str, expected: str | None) -> None:
    found = find_moment(text)

    assert expected == found
    if found is not None:
        assert parse_moment(found, NOW) == parse_moment(text, NOW)


@pytest.mark.parametrize("text", ["cpu at 25:00", "cpu at 13pm", "cpu at 2027-01-01T00:00:00Z"])
def test_impossible_or_future_moments_are_input_errors(text: str) -> None:
    with pytest.raises(InputError):
        parse_moment(text, NOW)


def test_overnight_before_eight_ends_now() -> None:
    early = NOW.replace(hour=3)
    window = parse_window("anything overnight?", early)

    assert window is not None
    assert (early.replace(hour=20) - timedelta(days=1), early) == (window.start, window.end)


@pytest.mark.parametrize(
    ("since", "start", "end"),
    [("2h", NOW - 2 * H, NOW), ("40d", NOW - timedelta(days=31), NOW), ("since 14:00", NOW.replace(hour=14), NOW)],
)
def test_a_tool_window_is_a_look_back_or_a_window_in_words(since: str, start: datetime, end: datetime) -> None:
    assert (start, end) == (window_of(since, NOW).start, window_of(since, NOW).end)


def test_a_tool_window_in_no_words_is_refused() -> None:
    with pytest.raises(InputError, match="is not a time like"):
        window_of("whenever", NOW)


def test_a_number_is_not_a_time_of_day() -> None:
    assert parse_window("cpu between 10 and 20%", NOW) is None
    assert find_window("since 5 minutes") is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("cpu since 30 min ago", datetime(2026, 3, 10, 14, 30, tzinfo=UTC), NOW),
        ("disk since this morning", datetime(2026, 3, 10, 6, 0, tzinfo=UTC), NOW),
        ("anomalies this morning", datetime(2026, 3, 10, 6, 0, tzinfo=UTC), datetime(2026, 3, 10, 12, 0, tzinfo=UTC)),
        ("errors this afternoon", datetime(2026, 3, 10, 12, 0, tzinfo=UTC), NOW),
        ("cpu on web-1 since midnight", datetime(2026, 3, 10, 0, 0, tzinfo=UTC), NOW),
        ("logs since noon", datetime(2026, 3, 10, 12, 0, tzinfo=UTC), NOW),
    ],
)
def test_windows_named_by_their_start_or_part_of_the_day(text: str, start: datetime, end: datetime) -> None:
    found = find_window(text)

    assert found is not None
    assert parse_window(found, NOW) == TimeWindow(start, end)


def test_a_part_of_the_day_still_to_come_is_an_error_in_words() -> None:
    with pytest.raises(InputError, match="has not begun yet"):
        parse_window("this evening", NOW)


def test_the_weekend_while_it_lasts_ends_now() -> None:
    sunday = datetime(2026, 3, 8, 10, 0, tzinfo=UTC)
    window = parse_window("anything this weekend?", sunday)
    assert window is not None
    assert (datetime(2026, 3, 7, tzinfo=UTC), sunday) == (window.start, window.end)
    assert "this weekend" == find_window("anything this weekend?")
