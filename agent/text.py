"""Cleaning user text before anything reads it. Pure."""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f]")


def clean_question(text: str) -> str:
    """Normalise unicode, drop control and bidi characters, collapse spaces, bound the length."""
    normal = unicodedata.normalize("NFKC", text)
    stripped = _CONTROL.sub(" ", normal)
    collapsed = " ".join(stripped.split())
    return collapsed[:MAX_QUESTION_CHARS]
