"""Time expressions in questions: windows and points in time, in UTC. Pure.

Windows: "10 minutes ago", "since 1h", "last hour", "in the last 30m", "past 2 days", "today",
"yesterday", "since yesterday", "overnight", "this week" (from Monday), "this month", "over the weekend",
"between 14:00 and 14:30 UTC", "from 14:05 to 14:20",
"from 9 to 10", "since 09:30", "since 9am", "last 90s", "since 30 minutes ago", "this morning"
(06:00–12:00 UTC; afternoon 12:00–18:00, evening 18:00–24:00), "since this morning".

Points in time: "30 minutes ago", "at 14:00", "around 9am", "yesterday at 9", "yesterday",
an ISO 8601 time ("2026-03-10T14:00:00Z").

Durations themselves are read and written by ``domain.durations``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from domain.durations import (
    AGO,
    DURATION_PATTERN,
    UNIT_PATTERN,
    format_duration,
    mentioned_duration,
    parse_duration,
)
from domain.errors import InputError

_CLOCK = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
_LAST = re.compile(
    rf"\b(?:since|for|over|in|during|within)?\s*(?:the\s+)?(?:last|past|previous)\s+({DURATION_PATTERN})"
)
_SINCE = re.compile(rf"\b(?:since|for|over|within)\s+(?:the\s+)?({DURATION_PATTERN})")
#: A time of day in a window: "14:00", "9am", "9:30 pm", or a bare hour ("since 9", "from 9 to 10").
_DAYTIME = r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(am|pm)?"
_NOT_A_NUMBER = rf"(?!\s*%|\.\d|\d|\s*{UNIT_PATTERN}\b)"
_BETWEEN = re.compile(rf"\bbetween\s+{_DAYTIME}\s+and\s+{_DAYTIME}{_NOT_A_NUMBER}")
_FROM_TO = re.compile(rf"\bfrom\s+{_DAYTIME}\s+(?:to|until|till)\s+{_DAYTIME}{_NOT_A_NUMBER}")
_SINCE_CLOCK = re.compile(rf"\bsince\s+{_DAYTIME}{_NOT_A_NUMBER}")
_SINCE_YESTERDAY = re.compile(r"\bsince\s+yesterday\b")
#: "since 30 minutes ago": a look-back written as its start.
_SINCE_AGO = re.compile(rf"\bsince\s+(?:about\s+|around\s+)?({DURATION_PATTERN})\s+ago\b")
#: Parts of today, in UTC: from their first hour to the next part's (or now).
_MIDNIGHT = re.compile(r"\bmidnight\b")
_NOON = re.compile(r"\b(?:noon|midday)\b")
_PART_OF_DAY = re.compile(r"\b(since\s+)?this\s+(morning|afternoon|evening)\b")
_PARTS = {"morning": (6, 12), "afternoon": (12, 18), "evening": (18, 24)}
#: The calendar week (from Monday 00:00 UTC) or month so far.
_THIS_PERIOD = re.compile(r"\bthis\s+(week|month)\b")
#: The last Saturday and Sunday (UTC), to now while it lasts.
_WEEKEND = re.compile(r"\b(?:the|this|last)\s+weekend\b")
#: Last night: 20:00 UTC the day before to 08:00 UTC (or now, if that is earlier).
_OVERNIGHT = re.compile(r"\b(overnight|last\s+night)\b")
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

    def sample_step(self, points: int = 360) -> float:
        """The step (seconds, at least 15) that reads about ``points`` samples of the window.

        Raises:
            InputError: the window is empty.
        """
        span = self.duration.total_seconds()
        if span <= 0:
            raise InputError(f"{self.describe()} is an empty window")
        return max(15.0, span / points)

    def describe(self) -> str:
        """The window as people read it: ``14:00–14:30 UTC``, with dates when it spans days."""
        if self.start.date() == self.end.date():
            return f"{self.start.strftime('%H:%M')}–{self.end.strftime('%H:%M')} UTC"
        return f"{self.start.strftime('%Y-%m-%d %H:%M')} – {self.end.strftime('%Y-%m-%d %H:%M')} UTC"


def _ending_at(now: datetime, length: timedelta) -> TimeWindow:
    if length > MAX_WINDOW:
        raise InputError("that time range is longer than 31 days; ask about a shorter one")
    return TimeWindow(now - length, now)


def _clock(now: datetime, hh: str, mm: str, ss: str | None) -> datetime:
    h, m, s = int(hh), int(mm), int(ss or 0)
    if h > 23 or m > 59 or s > 59:
        raise InputError(f"{hh}:{mm} is not a time of day")
    at = datetime.combine(now.date(), time(h, m, s), tzinfo=now.tzinfo)
    return at - timedelta(days=1) if at > now else at


def _daytime(now: datetime, hh: str, mm: str | None, ss: str | None, ampm: str | None) -> datetime:
    """The last ``hh[:mm[:ss]] [am|pm]`` no later than ``now``."""
    return _clock(now, str(_hour(hh, ampm)), mm or "00", ss)


def _spoken(text: str) -> str:
    """``text`` lower-cased, with the times of day said as words written as clock times (midnight 00:00, noon 12:00)."""
    return _NOON.sub("12:00", _MIDNIGHT.sub("00:00", text.lower()))


def parse_window(text: str, now: datetime, *, default: timedelta | None = None) -> TimeWindow | None:
    """The time window a question talks about, ending no later than ``now``.

    Args:
        text: the question (any case).
        now: the current time, timezone-aware UTC.
        default: window length to use when the text names none (None: return None).

    Raises:
        InputError: a time expression that cannot be right (25:00, a window over 31 days).
    """
    t = _spoken(text)
    window: TimeWindow | None = None
    midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    if m := _BETWEEN.search(t) or _FROM_TO.search(t):
        start = _daytime(now, *m.groups()[:4])
        end = _daytime(now, *m.groups()[4:])
        if end <= start:
            end += timedelta(days=1)
        window = TimeWindow(start, min(end, now))
    elif (length := mentioned_duration(t, AGO, _LAST, _SINCE)) is not None:
        window = _ending_at(now, length)
    elif m := _PART_OF_DAY.search(t):
        first, last = _PARTS[m[2]]
        start = midnight + timedelta(hours=first)
        if start > now:
            raise InputError(f"this {m[2]} has not begun yet (it starts at {first:02d}:00 UTC)")
        window = TimeWindow(start, now if m[1] else min(now, midnight + timedelta(hours=last)))
    elif m := _THIS_PERIOD.search(t):
        begins = midnight - timedelta(days=now.weekday()) if m[1] == "week" else midnight.replace(day=1)
        window = TimeWindow(begins, now)
    elif _WEEKEND.search(t):
        saturday = midnight - timedelta(days=(now.weekday() - 5) % 7)
        window = TimeWindow(saturday, min(now, saturday + timedelta(days=2)))
    elif m := _SINCE_CLOCK.search(t):
        window = TimeWindow(_daytime(now, *m.groups()), now)
    elif _SINCE_YESTERDAY.search(t):
        window = TimeWindow(midnight - timedelta(days=1), now)
    elif _OVERNIGHT.search(t):
        end = midnight + timedelta(hours=8)
        end = end if end <= now else now
        start = datetime.combine(end.date() - timedelta(days=1), time(20), tzinfo=now.tzinfo)
        window = TimeWindow(start, end)
    elif re.search(r"\btoday\b", t):
        window = TimeWindow(midnight, now)
    elif re.search(r"\byesterday\b", t):
        window = TimeWindow(midnight - timedelta(days=1), midnight)
    elif default is not None:
        window = _ending_at(now, default)
    return window


def find_window(text: str) -> str | None:
    """A window a sentence names by its times rather than its length, as written, or None.

    "cpu on web-1 since 9am" → ``since 9am``; also "between 10:00 and 12:00", "from 9 to 10",
    "since 30 minutes ago", "since yesterday", "this morning", "this week", "the weekend", "overnight",
    "last night". ``parse_window`` reads it back.
    """
    t = _spoken(text)
    patterns = (_BETWEEN, _FROM_TO, _SINCE_AGO, _SINCE_CLOCK, _SINCE_YESTERDAY, _PART_OF_DAY, _THIS_PERIOD, _WEEKEND)
    for pattern in (*patterns, _OVERNIGHT):
        if m := pattern.search(t):
            return m.group(0).strip()
    return None


def window_of(since: str, now: datetime, *, at_most: timedelta = MAX_WINDOW) -> TimeWindow:
    """The window a tool argument names: a look-back ("1h", "30m", capped at ``at_most``) or a window
    as a question writes it ("10 minutes ago", "since 09:00", "between 10:00 and 12:00", "today").

    Raises:
        InputError: neither.
    """
    try:
        return TimeWindow(now - min(parse_duration(since), at_most), now)
    except InputError:
        pass
    window = parse_window(since, now)
    if window is None:
        raise InputError(f"'{since[:40]}' is not a time like '1h', '10 minutes ago' or 'since 09:00'")
    return window


# "at 14:00", "around 9", "9am", "14:30"; a bare "at 9" counts only beside a day word (see find_moment).
_MOMENT_CLOCK = re.compile(
    r"\b(?:at|around|about|near|@)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?(?!\s*%|\.\d|\d)(?:\s*utc)?\b"
    r"|\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b"
    r"|\b(\d{1,2}):(\d{2})\b"
)
_YESTERDAY = re.compile(r"\byesterday\b")
_ISO_MOMENT = re.compile(r"\b\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?\b")


def _hour(hh: str, ampm: str | None) -> int:
    h = int(hh)
    if ampm and not 1 <= h <= 12:
        raise InputError(f"{hh}{ampm} is not a time of day")
    if ampm == "pm" and h != 12:
        h += 12
    if ampm == "am" and h == 12:
        h = 0
    return h


def parse_moment(text: str, now: datetime) -> datetime | None:
    """The point in time a question asks about, no later than ``now``; None when it names none.

    "30 minutes ago" → ``now - 30m``; "at 14:00" → the last 14:00 UTC; "yesterday at 9" → 09:00
    UTC yesterday; "yesterday" alone → this time yesterday; an ISO time as written.

    Raises:
        InputError: a time that cannot be right (25:00, 13pm), or one in the future.
    """
    t = _spoken(text)
    if m := _ISO_MOMENT.search(t):
        at = datetime.fromisoformat(m.group(0).upper().replace(" ", "T").replace("Z", "+00:00"))
        at = at if at.tzinfo else at.replace(tzinfo=now.tzinfo)
        if at > now:
            raise InputError(f"{m.group(0)} is in the future")
        return at
    if m := AGO.search(t):
        return now - parse_duration(m[1])
    found = find_moment(t)
    if found is None:
        return None
    if found == "yesterday":
        return now - timedelta(days=1)
    hh, mm = found.rsplit(" ", 1)[1].split(":")
    at = _clock(now, hh, mm, None)
    if found.startswith("yesterday"):
        at = datetime.combine(now.date() - timedelta(days=1), at.time(), tzinfo=now.tzinfo)
    return at


def find_moment(text: str) -> str | None:
    """The point in time a sentence names, in a form ``parse_moment`` reads back, or None.

    "cpu on api-1 yesterday at 9am" → ``yesterday at 09:00``; "memory 30 minutes ago" → ``30m ago``.

    Raises:
        InputError: a time that cannot be right (25:00, 13pm).
    """
    t = _spoken(text)
    if m := _ISO_MOMENT.search(t):
        return m.group(0)
    if m := AGO.search(t):
        return f"{format_duration(parse_duration(m[1]))} ago"
    yesterday = "yesterday " if _YESTERDAY.search(t) else ""
    if m := _MOMENT_CLOCK.search(t):
        hh, mm, ampm = (m[1], m[2], m[3]) if m[1] else (m[4], m[5], m[6]) if m[4] else (m[7], m[8], None)
        if m[1] and not (mm or ampm or yesterday):
            return None
        hour, minute = _hour(hh, ampm), int(mm or 0)
        if hour > 23 or minute > 59:
            raise InputError(f"{hh}:{mm or '00'} is not a time of day")
        return f"{yesterday}at {hour:02d}:{minute:02d}"
    return "yesterday" if yesterday else None
