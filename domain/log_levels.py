"""How severe a log line is: its own level when it has one, else what its text says. Pure.

Levels, lowest first: debug, info, warning, error, critical. A line without a level field is an
error when its text says so in words (``error``, ``exception``, ``failed``, a traceback), not
when it only names an empty field (``error=None``); a warning when it says ``warn``/``warning``.
"""

from __future__ import annotations

import re

LEVELS = ("debug", "info", "warning", "error", "critical")
_ALIASES = {
    "trace": "debug",
    "notice": "info",
    "information": "info",
    "warn": "warning",
    "err": "error",
    "exception": "error",
    "crit": "critical",
    "fatal": "critical",
    "alert": "critical",
    "emerg": "critical",
    "emergency": "critical",
    "panic": "critical",
}
# A field name followed by an empty value names no error.
_EMPTY = r"(?![\"']?\s*[=:]\s*(?:none|null|nil|false|0|\"\"|''|-)?(?:[\s,;}]|$))"
_WORDS = (
    ("critical", re.compile(r"\b(?:critical|fatal|panic|emerg(?:ency)?)\b" + _EMPTY, re.IGNORECASE)),
    ("error", re.compile(r"\b(?:errors?|err|exceptions?|traceback|failed|failures?)\b" + _EMPTY, re.IGNORECASE)),
    ("warning", re.compile(r"\bwarn(?:ings?|s)?\b" + _EMPTY, re.IGNORECASE)),
)


def level_name(raw: object) -> str | None:
    """``raw`` as one of ``LEVELS`` (``WARN`` → ``warning``), or None when it is not a level."""
    if not isinstance(raw, str):
        return None
    word = raw.strip().lower()
    word = _ALIASES.get(word, word)
    return word if word in LEVELS else None


def level_of_text(text: str) -> str:
    """The level a line's text says it has, ``info`` when it says none."""
    for level, words in _WORDS:
        if words.search(text):
            return level
    return "info"


def at_least(level: str, minimum: str | None) -> bool:
    """Whether ``level`` is ``minimum`` or more severe (always, without a minimum)."""
    if minimum is None:
        return True
    return LEVELS.index(level_name(level) or "info") >= LEVELS.index(level_name(minimum) or "debug")
