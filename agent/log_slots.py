"""What a logs question filters on: which log, how severe, and which text. Pure.

"Errors" (exceptions, failures) are the lines that say ``error``: every line logged at error
level says it, and so does an audit line whose step failed. Warnings and critical lines are
asked for by level.
"""

from __future__ import annotations

import re

_CRITICAL = re.compile(r"\b(critical|fatal|panics?)\b")
_ERRORS = re.compile(r"\b(errors?|exceptions?|failed|failures?|tracebacks?|crash(es|ed)?)\b")
_WARNINGS = re.compile(r"\b(warn(ings?|s)?)\b")
_SOURCES = (
    ("audit", re.compile(r"\baudit\b")),
    ("cloudwatch", re.compile(r"\bcloud\s?watch\b")),
    ("events", re.compile(r"\b(event\s+logs?|bot'?s?\s+(own\s+)?logs?|product\s+logs?)\b")),
)
_TEXT = re.compile(
    r"\b(?:containing|contains|matching|mentioning|with\s+the\s+(?:word|text)|grep(?:\s+for)?)\s+"
    r"(?:\"([^\"]{1,200})\"|'([^']{1,200})'|`([^`]{1,200})`|([\w.:/-]{2,200}))"
)


def log_filters(text: str) -> dict[str, str]:
    """The ``get_logs`` filters a question names: ``source``, ``level`` and ``contains`` (each when named)."""
    out: dict[str, str] = {}
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
    if m := _TEXT.search(text):
        out["contains"] = next(g for g in m.groups() if g)
    return out
