"""Durations and time expressions: the one place that reads and writes them. Pure.

Durations, as people and Prometheus write them: "90s", "5m", "10 minutes", "2 h", "an hour",
"two hours" (a count up to twelve spelled out), "half an hour", "1 day", "2 weeks", "1h30m".
``format_duration`` writes the compact form back ("1h30m").

Time expressions in questions, turned into a UTC window: "10 minutes ago", "since 1h",
"last hour", "in the last 30m", "past 2 days", "today", "yesterday", "since yesterday",
"overnight", "between 14:00 and 14:30 UTC", "from 14:05 to 14:20", "from 9 to 10", "since 09:30",
"since 9am", "last 90s".

Points in time: "30 minutes ago", "at 14:00", "around 9am", "yesterday at 9", "yesterday",
an ISO 8601 time ("2026-03-10T14:00:00Z").
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
_COMPACT_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))

#: The unit words of a duration, as regular-expression source (no groups), for callers that
#: must tell a count ("last 5") from a duration ("last 5 minutes").
UNIT_PATTERN = r"(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)"
#: The counts a duration may spell out ("two hours", "an hour"); larger ones are written in digits.
_COUNT_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_COUNT_WORD = "(?:" + "|".join(sorted(_COUNT_WORDS, key=len, reverse=True)) + ")"
#: One duration as written in a sentence, as regular-expression source (no groups):
#: "10m", "10 minutes", "an hour", "two hours", "half an hour", "1h30m".
DURATION_PATTERN = rf"(?:(?:\d+[smhdw]){{2,}}|(?:\d+\s*|{_COUNT_WORD}\s+|half\s+an?\s+){UNIT_PATTERN})\b"
#: The compact form only ("90s", "3m", "1h30m"), as Prometheus writes a ``for:`` clause.
COMPACT_DURATION = re.compile(r"(?:\d+[smhdw])+")
_COMPACT_PART = re.compile(r"(\d+)([smhdw])")
_SPOKEN = re.compile(rf"(?:(\d+)\s*|({_COUNT_WORD})\s+|(half)\s+an?\s+)({UNIT_PATTERN})")

_CLOCK = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
_AGO = re.compile(rf"\b({DURATION_PATTERN})\s+ago\b")
_ANY = re.compile(rf"\b({DURATION_PATTERN})")
_LAST = re.compile(
    rf"\b(?:since|for|over|in|during|within)?\s*(?:the\s+)?(?:last|past|previous)\s+({DURATION_PATTERN})"
)
_SINCE = re.compile(rf"\b(?:since|for|over|within)\s+(?:the\s+)?({DURATION_PATTERN})")
_LAST_UNIT = re.compile(rf"\b(?:last|past|previous)\s+({UNIT_PATTERN})\b")
#: A time of day in a window: "14:00", "9am", "9:30 pm", or a bare hour ("since 9", "from 9 to 10").
_DAYTIME = r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(am|pm)?"
_NOT_A_NUMBER = rf"(?!\s*%|\.\d|\d|\s*{UNIT_PATTERN}\b)"
_BETWEEN = re.compile(rf"\bbetween\s+{_DAYTIME}\s+and\s+{_DAYTIME}{_NOT_A_NUMBER}")
_FROM_TO = re.compile(rf"\bfrom\s+{_DAYTIME}\s+(?:to|until|till)\s+{_DAYTIME}{_NOT_A_NUMBER}")
_SINCE_CLOCK = re.compile(rf"\bsince\s+{_DAYTIME}{_NOT_A_NUMBER}")
_SINCE_YESTERDAY = re.compile(r"\bsince\s+yesterday\b")
#: Last night: 20:00 UTC the day before to 08:00 UTC (or now, if that is earlier).
_OVERNIGHT = re.compile(r"\b(overnight|last\s+night)\b")
_LONGEST_SECONDS = timedelta.max.days * 86400
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


def parse_duration(text: str, *, at_most: timedelta | None = None) -> timedelta:
    """A duration written on its own: ``90s``, ``10m``, ``1h30m``, ``2 h``, ``10 minutes``, ``an hour``,
    ``two hours`` (counts up to twelve may be spelled out), ``half an hour``.

    Args:
        text: the duration (any case, surrounding spaces ignored).
        at_most: when given, the duration must be longer than zero and no longer than this.

    Raises:
        InputError: not a duration, or outside ``(0, at_most]``.
    """
    t = text.strip().lower()
    if COMPACT_DURATION.fullmatch(t):
        seconds = sum(int(n) * _UNITS[u] for n, u in _COMPACT_PART.findall(t))
    elif m := _SPOKEN.fullmatch(t):
        unit = _UNITS[m[4]]
        seconds = int(m[1]) * unit if m[1] else _COUNT_WORDS[m[2]] * unit if m[2] else unit // 2
        if seconds == 0 and m[3]:
            raise InputError(f"'{text[:40]}' is shorter than a second; use e.g. 1s or 30s.")
    else:
        raise InputError(f"'{text[:40]}' is not a duration; use e.g. 90s, 10m, 2h or 1 day.")
    if seconds > _LONGEST_SECONDS:
        raise InputError(f"'{text[:40]}' is too long a duration.")
    duration = timedelta(seconds=seconds)
    if at_most is not None and not timedelta(0) < duration <= at_most:
        raise InputError(f"'{text[:40]}' is out of range; use between 1s and {format_duration(at_most)}.")
    return duration


def format_duration(duration: timedelta | int) -> str:
    """A duration (or whole seconds) in the compact form ``parse_duration`` reads: ``5400`` → ``1h30m``.

    Days are the largest unit, as Prometheus writes a ``for:`` clause; below one second is ``0s``.
    """
    seconds = int(duration.total_seconds()) if isinstance(duration, timedelta) else duration
    out = ""
    for unit, size in _COMPACT_UNITS:
        if seconds >= size:
            out += f"{seconds // size}{unit}"
            seconds %= size
    return out or "0s"


def find_duration(text: str) -> timedelta | None:
    """The duration a sentence mentions first, or None.

    A duration before "ago" wins ("cpu 5m after 10 minutes ago" → 10 minutes), then any other
    ("peak cpu in the last 6h" → 6 hours), then a bare unit after last/past/previous
    ("last hour" → 1 hour).
    """
    return _mentioned(text.lower(), _AGO, _ANY)


def _mentioned(text: str, *amounts: re.Pattern[str]) -> timedelta | None:
    """The duration the first matching pattern captures, else one unit after last/past/previous."""
    if m := next((found for pattern in amounts if (found := pattern.search(text))), None):
        return parse_duration(m[1])
    if m := _LAST_UNIT.search(text):
        return parse_duration(f"1 {m[1]}")
    return None


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
    midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    if m := _BETWEEN.search(t) or _FROM_TO.search(t):
        start = _daytime(now, *m.groups()[:4])
        end = _daytime(now, *m.groups()[4:])
        if end <= start:
            end += timedelta(days=1)
        window = TimeWindow(start, min(end, now))
    elif (length := _mentioned(t, _AGO, _LAST, _SINCE)) is not None:
        window = _ending_at(now, length)
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
    "since yesterday", "overnight", "last night". ``parse_window`` reads it back.
    """
    t = text.lower()
    for pattern in (_BETWEEN, _FROM_TO, _SINCE_CLOCK, _SINCE_YESTERDAY, _OVERNIGHT):
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
    t = text.lower()
    if m := _ISO_MOMENT.search(t):
        at = datetime.fromisoformat(m.group(0).upper().replace(" ", "T").replace("Z", "+00:00"))
        at = at if at.tzinfo else at.replace(tzinfo=now.tzinfo)
        if at > now:
            raise InputError(f"{m.group(0)} is in the future")
        return at
    if m := _AGO.search(t):
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
    t = text.lower()
    if m := _ISO_MOMENT.search(t):
        return m.group(0)
    if m := _AGO.search(t):
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
