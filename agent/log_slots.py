"""What a logs question filters on: which log, how severe, and which text. Pure.

"Errors" (exceptions, failures) are the lines that say ``error``: every line logged at error
level says it, and so does an audit line whose step failed. Warnings and critical lines are
asked for by level.
"""

from __future__ import annotations

import re
from typing import Any

from agent.slots import SEARCH_VERB, logs_since

_CRITICAL = re.compile(r"\b(critical|fatal|panics?)\b")
_ERRORS = re.compile(r"\b(errors?|exceptions?|failed|failures?|tracebacks?|crash(es|ed)?)\b")
_WARNINGS = re.compile(r"\b(warn(ings?|s)?)\b")
_SOURCES = (
    ("audit", re.compile(r"\baudit\b")),
    ("cloudwatch", re.compile(r"\bcloud\s?watch\b")),
    ("events", re.compile(r"\b(event\s+logs?|bot'?s?\s+(own\s+)?logs?|product\s+logs?)\b")),
)
_TEXT = re.compile(
    r"\b(?:containing|contains|matching|mentioning|with\s+the\s+(?:word|text)"
    rf"|{SEARCH_VERB}(?:\s+(?:through\s+|in\s+)?(?:the\s+)?(?:logs?|log\s+lines))?(?:\s+for)?)\s+"
    r"(?:\"([^\"]{1,200})\"|'([^']{1,200})'|`([^`]{1,200})`|([\w.:/-]{2,200}))"
)


#: "logs with timeout": a word after "with" is text to find, unless it names a level or is a filler.
_WITH_TEXT = re.compile(
    r"\bwith\s+(?!(?:the|a|an|level|levels|severity|errors?|warn(?:ings?|s)?|critical|fatal|exceptions?|failures?"
    r"|no|any|all|some|more|less|it|them|its|their|time|times|timestamps?)\b)"
    r"(?:\"([^\"]{1,200})\"|'([^']{1,200})'|([a-z][\w.:/-]{2,200}))"
)
#: "the last 50 log lines", "100 entries".
_LINES = re.compile(r"\b(\d{1,3})\s+(?:more\s+)?(?:log\s+)?(?:lines|entries|messages|events|records)\b")
MAX_LINES = 200


def log_filters(text: str) -> dict[str, Any]:
    """The ``get_logs`` filters a question names: ``source``, ``level``, ``contains`` and ``limit`` (each when
    named; at most ``MAX_LINES`` lines)."""
    out: dict[str, Any] = {}
    for source, words in _SOURCES:
        if words.search(text):
            out["source"] = source
            break
    if _CRITICAL.search(text):
        out["level"] = "critical"
    elif _ERRORS.search(text):
        out["contains"] = "error"
    elif _WARNINGS.search(text):
        out["level"] = "warning"
    if m := _TEXT.search(text) or _WITH_TEXT.search(text):
        out["contains"] = next(g for g in m.groups() if g)
    if m := _LINES.search(text):
        out["limit"] = max(1, min(int(m[1]), MAX_LINES))
    return out


#: The filters a logs thread keeps for its follow-ups ("only errors", then "since 9am").
_KEPT_FILTERS = ("source", "level", "contains")


def thread_filters(args: dict[str, Any]) -> dict[str, str]:
    """The filters of a ``get_logs`` call that its thread keeps for the follow-ups."""
    return {key: str(args[key]) for key in _KEPT_FILTERS if key in args}


def logs_args(
    text: str, host: str | None, kept_since: str | None, kept_filters: dict[str, str] | None = None
) -> dict[str, Any]:
    """The ``get_logs`` arguments of a logs question: its window (else the thread's, else the last 15 minutes),
    20 lines unless it asks for more, its host, and its filters (else the thread's)."""
    since = logs_since(text) or kept_since or "15m"
    filters = log_filters(text)
    if kept_filters and not any(key in filters for key in _KEPT_FILTERS):
        filters = {**kept_filters, **filters}
    return {"since": since, "limit": 20, **({"host": host} if host else {}), **filters}
