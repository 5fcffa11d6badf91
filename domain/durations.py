"""Durations, as people and Prometheus write them: the one place that reads and writes them. Pure.

"90s", "5m", "10 minutes", "2 h", "an hour", "two hours" (a count up to twelve spelled out),
"half an hour", "1 day", "2 weeks", "1h30m". ``format_duration`` writes the compact form back
("1h30m"). Windows and points in time named in questions are ``domain.time_expressions``.
"""

from __future__ import annotations

import re
from datetime import timedelta

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

#: A duration followed by "ago" (group 1: the duration).
AGO = re.compile(rf"\b({DURATION_PATTERN})\s+ago\b")
_ANY = re.compile(rf"\b({DURATION_PATTERN})")
_LAST_UNIT = re.compile(rf"\b(?:last|past|previous)\s+({UNIT_PATTERN})\b")
_LONGEST_SECONDS = timedelta.max.days * 86400


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
    return mentioned_duration(text.lower(), AGO, _ANY)


def mentioned_duration(text: str, *amounts: re.Pattern[str]) -> timedelta | None:
    """The duration the first matching pattern captures, else one unit after last/past/previous."""
    if m := next((found for pattern in amounts if (found := pattern.search(text))), None):
        return parse_duration(m[1])
    if m := _LAST_UNIT.search(text):
        return parse_duration(f"1 {m[1]}")
    return None
