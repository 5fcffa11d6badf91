"""Cleaning user text before anything reads it. Pure."""

from __future__ import annotations

import re
import unicodedata

from domain.redaction import redact_token_shapes

MAX_QUESTION_CHARS = 2000
_PASTED_SQL = re.compile(
    r"['\"`]*\s*;\s*(?:drop|delete|insert|update|select|truncate|alter|create|exec|union|grant)\b.*$"
    r"|['\"`]*\s+(?:or|and)\s+['\"`]?1['\"`]?\s*=\s*['\"`]?1.*$|\s+union\s+(?:all\s+)?select\b.*$"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f]")


def clean_question(text: str) -> str:
    """Normalise unicode, drop control and bidi characters, collapse spaces, bound the length, redact secrets."""
    normal = redact_secrets(unicodedata.normalize("NFKC", text))
    stripped = _CONTROL.sub(" ", normal)
    collapsed = " ".join(stripped.split())
    return collapsed[:MAX_QUESTION_CHARS]


def redact_secrets(text: str) -> str:
    """Replace strings that look like tokens or keys (Slack, OpenAI, AWS, GitHub, JWT) with ``[redacted]``."""
    return redact_token_shapes(text)


def without_pasted_sql(text: str) -> str:
    """The question without a statement pasted after it ("…'; drop table approvals;--", "' or '1'='1"):
    no question about a fleet goes on with SQL."""
    return _PASTED_SQL.sub("", text).strip()
