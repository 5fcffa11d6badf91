"""Slot extraction: the hosts, metrics, windows, times and counts a question names. Pure.

The intent model decides what a question asks for; these read the arguments from the person's
words. Hosts are matched exactly against the live host list (name, instance, instance id), then
by shape, then as a near miss of a known name, so a typo ("web1") reaches the tool and is answered
"did you mean web-1?" rather than for the whole fleet. Durations and times come from the one
parser of each, ``domain/durations.py`` and ``domain/time_expressions.py``.
The remediations a question asks for are read by ``agent/remediation_slots.py``.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Sequence

from domain.durations import DURATION_PATTERN, UNIT_PATTERN, find_duration, format_duration
from domain.hosts import find_host_mentions
from domain.models import HostRef, MetricKind
from domain.time_expressions import find_moment, find_window

METRIC_WORDS: tuple[tuple[MetricKind, re.Pattern[str]], ...] = (
    (MetricKind.DISK_IO, re.compile(r"\b(disk\s*i/?o|iops|disk (reads?|writes?)|io wait)\b")),
    (
        MetricKind.NETWORK_OUT,
        re.compile(
            r"\b(network|net|traffic|bandwidth)\b[^?.]*\b(out|outbound|egress|tx|transmit\w*|sent)\b"
            r"|\b(outbound|egress)\b"
        ),
    ),
    (
        MetricKind.NETWORK_IN,
        re.compile(r"\b(network|net|traffic|bandwidth|throughput)\b|\b(inbound|ingress)\b"),
    ),
    (MetricKind.CPU, re.compile(r"\b(cpu|cpus|cpuu|processors?|compute)\b")),
    (MetricKind.MEMORY, re.compile(r"\b(memory|mem|ram|memmory|memroy)\b")),
    (MetricKind.DISK, re.compile(r"\b(disks?|storage|filesystem|disk space|diskspace|dsik)\b")),
    (MetricKind.LOAD, re.compile(r"\b(load|load average|loadavg)\b")),
)
#: Measures people ask about that no host metric here is: answered as such, never with another metric.
_UNWATCHED = re.compile(
    r"\b(swap|gpus?|temperature|iops|latency|inodes?|file\s+descriptors?|open\s+files|processes|threads"
    r"|connections|sockets|requests\s+per\s+second|rps|qps|error\s+rate|5xx|queue\s+depth|heap|pods?|containers?)\b"
)
_HOSTLIKE = re.compile(
    r"^(?:[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+|\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?|[a-z][a-z0-9.-]*:\d{2,5}|i-[0-9a-f]{8,17})$"
)
#: What a host name becomes in the text the intent model reads.
HOST_PLACEHOLDER = "hostx"
_REFERS_BACK = re.compile(
    r"\b(it|its|there|that (host|box|server|machine|one)|this (host|box|server|machine)|same (host|box))\b"
)
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}
#: One item, in the singular: "the last anomaly", "the most recent incident", "the latest alert".
_ONE = re.compile(
    r"\b(?:the|its|their)\s+(?:last|latest|most\s+recent|newest|previous)\s+(?:\w+\s+)?"
    r"(?:anomaly|incident|alert|alarm|outage|page)\b(?!s)"
)
_COUNT = re.compile(
    r"\b(?:last|latest|recent|top|first)\s+(\d{1,2})\b"
    rf"(?!\s*{UNIT_PATTERN}\b)"
    r"|\b(\d{1,2})\s+(?:most\s+recent|latest|last)\b"
)
_TOP_N = re.compile(
    r"\btop\s*(\d{1,2}|one|two|three|four|five|ten)\b"
    r"|\b(\d{1,2}|two|three|four|five|ten)\s+(?:hosts|busiest|highest|hottest|servers|boxes|machines|nodes"
    r"|quietest|lowest|least|idlest|fullest|emptiest|most)\b"
)
#: A severity: "critical" anywhere, the others only as one ("high severity", "low alerts", "severity: medium"),
#: so "high cpu" is no filter.
_SEVERITY = re.compile(
    r"\b(critical)\b"
    r"|\b(high|medium|low)(?:[\s-]+(?:severity|sev|priority|prio|alerts?|incidents?|anomal\w*|alarms?|issues?)\b)"
    r"|\b(?:severity|sev)\s*(?:of\s+|=\s*|:\s*)?(high|medium|low)\b"
    r"|\b(high|medium|low)\s+(?:or|and)\s+(?:worse|higher|above|up|more\s+severe)\b"
)
_AGO = re.compile(rf"\b{DURATION_PATTERN}\s+ago\b")
_BETWEEN = re.compile(r"(between\s+\d{1,2}:\d{2}\s+and\s+\d{1,2}:\d{2})")
_MOUNT = re.compile(r"(?:^|\s)(/[a-z0-9_][a-z0-9_./-]*|/)(?=\s|$|\?|,)")


#: Where words part: spaces and punctuation, and a colon before a letter ("cpu:web-1"; "10.0.1.5:9100" and
#: "14:00" keep theirs), so a host touching a symbol ("cpu@web-1", a Slack link ``<http://web-1|web-1>``) is a word.
_WORD_BREAK = re.compile(r"[\s,;!?()@|\"{}<>=~^$\\]+|:(?=[^\d\s])")


def unwatched_in(text: str) -> str | None:
    """A measure the question asks about that is none of the host metrics read here ("swap", "iops"), if any."""
    m = _UNWATCHED.search(text)
    return m[1] if m else None


def words_of(text: str) -> list[str]:
    """The question's words, stripped of punctuation around them (Slack's ``*bold*`` and ``_italics_`` too)."""
    return [w.strip(".,;:!?()[]{}<>'\"`*_") for w in _WORD_BREAK.split(text)]


def _distinct(words: Sequence[str]) -> list[str]:
    """``words`` without repeats or empty ones, in order (every host lookup compares a word with every host);
    a possessive is its name ("worker-1's disk")."""
    return list(dict.fromkeys(w.removesuffix("'s").removesuffix("’s") for w in words if w))


#: The words of the metrics, for a misspelt one ("netwrok", "memeory"): the closest within ``_METRIC_CUTOFF``.
_METRIC_SPELLINGS = ("network", "traffic", "bandwidth", "memory", "disk", "storage", "filesystem", "load", "processor")
_METRIC_CUTOFF = 0.8


def metric_in(text: str) -> MetricKind | None:
    """The metric a question names, if any; a word one slip from a metric's name counts as that name."""
    named = next((m for m, pattern in METRIC_WORDS if pattern.search(text)), None)
    if named is not None:
        return named
    words = words_of(text)
    fixed = [(difflib.get_close_matches(w, _METRIC_SPELLINGS, 1, _METRIC_CUTOFF) or [w])[0] for w in words]
    if fixed == words:
        return None
    corrected = " ".join(fixed)
    return next((m for m, pattern in METRIC_WORDS if pattern.search(corrected)), None)


#: Words tried as near misses of a known name, at most: a question names few hosts, and each try
#: compares the word with every name.
_NEAR_MISS_TRIES = 8


def _near_misses(words: Sequence[str], known: Sequence[HostRef]) -> list[str]:
    """The words that are near misses of a known host name ("web1", "db-l"), in order."""
    names = [ref.name.lower() for ref in known]
    tried = [w for w in _distinct(words) if len(w) >= 3 and any(c.isdigit() for c in w)][:_NEAR_MISS_TRIES]
    return [w for w in tried if difflib.get_close_matches(w, names, 1, 0.75)]


def host_words(text: str, known: Sequence[HostRef]) -> set[str]:
    """The words of the question that name a host: known names, host-shaped words and near misses."""
    words = _distinct(words_of(text.lower()))
    mentioned = find_host_mentions(words, known)
    exact = {w for w in words if _HOSTLIKE.match(w) or find_host_mentions([w], mentioned)}
    return exact | set(_near_misses([w for w in words if w not in exact], known))


def host_in(text: str, known: Sequence[HostRef]) -> str | None:
    """A host named in the question: a known one first, else any token shaped like a host name."""
    words = _distinct(words_of(text))
    found = find_host_mentions(words, known)
    if found:
        return found[0].name
    if shaped := next((w for w in words if _HOSTLIKE.match(w)), None):
        return shaped
    # A near miss of a known name is kept, so the tool asks "did you mean web-1?" instead of the
    # question being answered for the whole fleet; "web 2" is tried as "web2".
    split = [f"{a}{b}" for a, b in itertools.pairwise(words) if a.isalpha() and b.isdigit() and len(b) <= 3]
    if near := next(iter(_near_misses([*words, *split], known)), None):
        return near
    # "cpu on nosuchhost": the last word after "on" or "for" names a host, known or not, so the tool
    # says it is unknown instead of the question being answered for the whole fleet.
    lowered = text.lower()
    if (m := _NAMED_LAST.search(lowered)) and not _not_a_host(m["name"]) and not _SEARCHED_FOR.search(lowered):
        return m["name"]
    return None


#: The word a question ends with after "on" or "for" ("memory on nosuchhost?").
_NAMED_LAST = re.compile(
    r"\b(?:on|for)\s+(?:host\s+|server\s+|box\s+|the\s+host\s+)?(?P<name>[a-z0-9.][\w.:-]*)\s*[?.!]*\s*$"
)
#: "grep the logs for oom": the word after "for" is text to find, not a host.
#: The verbs of a search through text ("grep", "search", "look for").
SEARCH_VERB = r"(?:grep|search|searching|look|looking|hunt)"
_SEARCHED_FOR = re.compile(rf"\b{SEARCH_VERB}\b.*\bfor\s+\S+\s*[?.!]*\s*$")
#: Words that end such a question without naming a host.
_NOT_HOSTS = frozenset(
    {
        *("it", "there", "this", "that", "them", "now", "today", "yesterday", "average", "avg", "all", "everything"),
        *("fleet", "hosts", "servers", "boxes", "machines", "nodes", "instances", "everyone", "each", "every", "me"),
        *("overall", "prod", "production", "staging", "real", "sure", "once", "good", "while", "ever", "us", "you"),
        # Filesystems people name by a word ("disk usage on root").
        *("root", "boot", "home", "var", "tmp", "data", "logs", "volume", "volumes", "partition", "partitions"),
        *("mount", "mounts", "filesystems", "pool", "cluster", "anything", "again"),
        # Idioms ("anything on fire?", "who is on call").
        *("fire", "call", "duty", "track", "hold", "time", "schedule", "board", "alert", "alerts", "purpose"),
    }
)


def _not_a_host(word: str) -> bool:
    """True for a word that ends a question without naming a host: a metric, a time, a count, a filler word."""
    if word in _NOT_HOSTS or word.isdigit() or metric_in(word) is not None:
        return True
    return find_duration(word) is not None or re.fullmatch(rf"\d*{UNIT_PATTERN}|\d+(?:\.\d+)?%?", word) is not None


def named_hosts(text: str, known: Sequence[HostRef]) -> list[HostRef]:
    """Every known host the question names, in order."""
    return find_host_mentions(_distinct(words_of(text)), known)


def for_model(text: str, known: Sequence[HostRef], hosts: set[str] | None = None) -> str:
    """The question as the intent model reads it: the words naming a host (``hosts``, found when not given)
    replaced by one placeholder."""
    named = host_words(text, known) if hosts is None else hosts
    return " ".join(HOST_PLACEHOLDER if w in named else w for w in words_of(text.lower()) if w)


def refers_back(text: str) -> bool:
    """True when a question points at the host of an earlier one ("it", "there", "that box")."""
    return _REFERS_BACK.search(text) is not None


def since_in(text: str) -> str | None:
    """The window a question reads: a look-back like ``30m`` or ``2h`` (``last hour`` → ``1h``), one
    named by its times as written (``since 9am``, ``between 10:00 and 12:00``, ``overnight``); ``today`` is
    the last ``24h``."""
    if (length := find_duration(text)) is not None:
        return format_duration(length)
    if (window := find_window(text)) is not None:
        return window
    if re.search(r"\btoday\b", text):
        return "24h"
    return None


def moment_in(text: str) -> str | None:
    """A point in time the question names (``yesterday at 09:00``, ``30m ago``), if any; the times of a
    window ("since 9am", "from 9 to 10") are not one.

    Raises:
        InputError: a time that cannot be right (25:00, 13pm).
    """
    if find_window(text) is not None:
        return None
    # "at 25:00" raises: the asker is told the time cannot be right, not answered for now instead.
    return find_moment(text)


def logs_since(text: str) -> str | None:
    """The window of a logs question: a clock range, a duration ago, a look-back, a day, or the quarter hours
    either side of a time of day ("logs around 14:05" → ``between 13:50 and 14:20``)."""
    if m := _BETWEEN.search(text):
        return m.group(1)
    if m := _AGO.search(text):
        return m.group(0)
    return since_in(text) or day_in(text) or around_clock(text)


def around_clock(text: str, minutes: int = 15) -> str | None:
    """``between`` ``minutes`` before and after a time of day the text names ("around 14:05", "at 2pm"), if any;
    ``yesterday`` for a time of yesterday (the day it is in).

    Raises:
        InputError: a time that cannot be right (25:00, 13pm).
    """
    m = re.fullmatch(r"(yesterday )?at (\d{2}):(\d{2})", find_moment(text) or "")
    if m is None:
        return None
    if m[1]:
        return "yesterday"
    at = int(m[2]) * 60 + int(m[3])
    start, end = (at - minutes) % 1440, (at + minutes) % 1440
    return f"between {start // 60:02d}:{start % 60:02d} and {end // 60:02d}:{end % 60:02d}"


def day_in(text: str) -> str | None:
    """``yesterday`` when the question names that day as a whole (not "yesterday at 9")."""
    return "yesterday" if re.search(r"\byesterday\b", text) and moment_in(text) in (None, "yesterday") else None


def count_in(text: str) -> int | None:
    """How many items a question asks for ("last 3", "5 most recent", "the last anomaly": 1), bounded to 1..50."""
    if m := _COUNT.search(text):
        return max(1, min(int(m.group(1) or m.group(2)), 50))
    if _ONE.search(text):
        return 1
    return None


def top_n(text: str) -> int:
    """How many hosts a ranking asks for ("top 3", "the 4 busiest"), 5 when it does not say."""
    return top_n_named(text) or 5


def top_n_named(text: str) -> int | None:
    """How many hosts a ranking asks for, when it says (1 to 50)."""
    if m := _TOP_N.search(text):
        raw = m.group(1) or m.group(2)
        return max(1, min(NUMBER_WORDS.get(raw) or int(raw), 50))
    return None


def severity_in(text: str) -> str | None:
    """A severity the question names."""
    m = _SEVERITY.search(text)
    return next(g for g in m.groups() if g) if m else None


def mountpoint_in(text: str) -> str | None:
    """A mountpoint the question names (``/data``), if any."""
    m = _MOUNT.search(text)
    return m.group(1).rstrip("?,.") if m else None
