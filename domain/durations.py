"""Relative and absolute time expressions in questions, turned into a UTC time window. Pure.

Understands, among others: "10 minutes ago", "since 1h", "last hour", "in the last 30m",
"past 2 days", "today", "yesterday", "between 14:00 and 14:30 UTC", "from 14:05 to 14:20",
"since 09:30", "last 90s".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from domain.errors import InputError

_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
}  # fmt: skip
_UNIT = r"(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)"
_AMOUNT = rf"(\d{{1,5}}|an?|one)\s*{_UNIT}\b"
_CLOCK = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
MAX_WINDOW = timedelta(days=31)


@dataclass(frozen=True)
class TimeWindow:
    """A half-open window ``[start, end)`` in UTC."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        """Length of the window."""
        return self.end - self.start

    def describe(self) -> str:
        """The window as people read it, e.g. ``14:00–14:30 UTC``."""
        fmt = "%H:%M" if self.start.date() == self.end.date() else "%Y-%m-%d %H:%M"
        return f"{self.start.strftime(fmt)}–{self.end.strftime('%H:%M')} UTC"


def parse_duration(text: str) -> timedelta:
    """``10m``, ``1 hour``, ``an hour``, ``90s``.

    Raises:
        InputError: not a duration.
    """
    m = re.fullmatch(_AMOUNT, text.strip().lower())
    if not m:
        raise InputError(f"'{text[:40]}' is not a duration like 10m, 1h or 2 days")
    return _amount(m.group(1), m.group(2))


def _amount(count: str, unit: str) -> timedelta:
    n = 1 if count in ("a", "an", "one") else int(count)
    return timedelta(seconds=n * _UNITS[unit])


def _clock(now: datetime, hh: str, mm: str, ss: str | None) -> datetime:
    h, m, s = int(hh), int(mm), int(ss or 0)
    if h > 23 or m > 59 or s > 59:
        raise InputError(f"{hh}:{mm} is not a time of day")
    at = datetime.combine(now.date(), time(h, m, s), tzinfo=now.tzinfo)
    return at - timedelta(days=1) if at > now else at


def parse_window(text: str, now: datetime, *, default: timedelta | None = None) -> TimeWindow | None:
    """The time window a question talks about, ending no later than ``now``.

    Args:
        text: the question (any case).
        now: the current time, timezone-aware UTC.
        default: window length to use when the text names none (None: return None).

    Raises:
        InputError: a time expression that cannot be right (25:00, a window over 31 days).
    """
    t = text.lower()
    window: TimeWindow | None = None
    if m := re.search(rf"between\s+{_CLOCK}\s+and\s+{_CLOCK}", t) or re.search(
        rf"from\s+{_CLOCK}\s+(?:to|until|till)\s+{_CLOCK}", t
    ):
        start = _clock(now, m.group(1), m.group(2), m.group(3))
        end = _clock(now, m.group(4), m.group(5), m.group(6))
        if end <= start:
            end += timedelta(days=1)
        window = TimeWindow(start, min(end, now))
    elif m := re.search(rf"\b{_AMOUNT}\s+ago\b", t):
        delta = _amount(m.group(1), m.group(2))
        window = TimeWindow(now - delta, now)
    elif m := re.search(
        rf"\b(?:since|for|over|in|during|within)?\s*(?:the\s+)?(?:last|past|previous)\s+{_AMOUNT}", t
    ) or re.search(rf"\b(?:since|for|over|within)\s+(?:the\s+)?{_AMOUNT}", t):
        window = TimeWindow(now - _amount(m.group(1), m.group(2)), now)
    elif m := re.search(rf"\b(?:last|past|previous)\s+{_UNIT}", t):
        window = TimeWindow(now - _amount("1", m.group(1)), now)
    elif m := re.search(rf"\bsince\s+{_CLOCK}", t):
        window = TimeWindow(_clock(now, m.group(1), m.group(2), m.group(3)), now)
    elif re.search(r"\btoday\b", t):
        window = TimeWindow(datetime.combine(now.date(), time(0), tzinfo=now.tzinfo), now)
    elif re.search(r"\byesterday\b", t):
        midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
        window = TimeWindow(midnight - timedelta(days=1), midnight)
    elif default is not None:
        window = TimeWindow(now - default, now)
    if window is not None and window.duration > MAX_WINDOW:
        raise InputError("that time range is longer than 31 days; ask about a shorter one")
    return window
