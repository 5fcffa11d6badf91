"""How tools write times and windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tools.formatting import at, look_back, minute

END = datetime(2026, 3, 10, 14, 5, 30, tzinfo=UTC)


def test_times() -> None:
    assert ("2026-03-10 14:05:30 UTC", "2026-03-10 14:05 UTC") == (at(END), minute(END))


@pytest.mark.parametrize(
    ("length", "text"),
    [
        (timedelta(hours=1), "2026-03-10 13:05 UTC – 2026-03-10 14:05 UTC (last 1h)"),
        (timedelta(minutes=90), "2026-03-10 12:35 UTC – 2026-03-10 14:05 UTC (last 1h30m)"),
        (timedelta(days=31), "2026-02-07 14:05 UTC – 2026-03-10 14:05 UTC (last 31d)"),
    ],
)
def test_look_back_names_the_window_and_its_length(length: timedelta, text: str) -> None:
    assert text == look_back(END - length, END)
