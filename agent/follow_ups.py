"""Whether a question goes on from its thread: it opens like a follow-up, is short, or names only slots. Pure.

"and memory?", "what about web-2", "over the last 6 hours": such a question keeps what its thread
asked about (its intent, host, metric or window) for whatever it does not name itself.
"""

from __future__ import annotations

import re

from agent.slots import METRIC_WORDS, words_of
from domain.durations import DURATION_PATTERN, UNIT_PATTERN

_FOLLOW_UP = re.compile(r"^(and|what about|how about|same for|also|now)\b")
_TIME_WORDS = re.compile(
    rf"{DURATION_PATTERN}|\b{UNIT_PATTERN}\b|\b(today|yesterday|ago|overnight|night|morning|utc)\b"
    r"|(?<![\w.:-])\d{1,2}(:\d{2})?\s*(am|pm)?(?![\w.:-])"
)
_FILLER = frozenset(
    {
        *("and", "what", "about", "how", "same", "for", "also", "now", "then", "ok", "okay", "the", "on", "of"),
        *("in", "over", "during", "within", "since", "please", "pls", "instead", "last", "past", "previous"),
        *("across", "this", "that"),
        *("from", "at", "with", "to", "by"),
    }
)


def reads_as_follow_up(text: str) -> bool:
    """True for a question that opens like a follow-up ("and …", "what about …") or has three words or fewer."""
    return bool(_FOLLOW_UP.match(text)) or len(text.split()) <= 3


def slots_only(text: str, hosts: set[str]) -> bool:
    """True when every word of ``text`` is a host (one of ``hosts``), a metric, a time or filler."""
    rest = _TIME_WORDS.sub(" ", text)
    for _, pattern in METRIC_WORDS:
        rest = pattern.sub(" ", rest)
    return all(w in _FILLER or w in hosts for w in words_of(rest) if w)
