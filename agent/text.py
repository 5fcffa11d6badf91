"""Cleaning user text before anything reads it. Pure."""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f]")


def clean_question(text: str) -> str:
    """Normalise unicode, drop control and bidi characters, collapse spaces, bound the length, redact secrets."""
    normal = redact_secrets(unicodedata.normalize("NFKC", text))
    stripped = _CONTROL.sub(" ", normal)
    collapsed = " ".join(stripped.split())
    return collapsed[:MAX_QUESTION_CHARS]


_SECRET = re.compile(
    r"\b(xox[abposr]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}"
    r"|ghp_[A-Za-z0-9]{20,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"
)


def redact_secrets(text: str) -> str:
    """Replace strings that look like tokens or keys (Slack, OpenAI, AWS, GitHub, JWT) with ``[redacted]``."""
    return _SECRET.sub("[redacted]", text)
