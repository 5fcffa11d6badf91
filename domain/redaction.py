"""Removing secrets from text before it leaves the process: configured values, and token shapes. Pure.

A ``SecretRedactor`` is built once at start-up from the configured secret values (Slack tokens,
signing secret, LLM key, API token, values read from SSM) and applied at every edge: log lines,
audit lines, Slack messages and HTTP answers. It replaces each value wherever it appears, also
in its JSON-escaped form, and every string shaped like a well-known token (Slack, OpenAI, AWS,
GitHub, JWT), configured or not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: What a removed secret reads as.
REDACTED = "[redacted]"
#: Shorter values are not redacted by value: replacing a 3-letter value everywhere would garble
#: the output, and a secret that short is guessable anyway.
MIN_SECRET_CHARS = 6

_TOKEN_SHAPES = re.compile(
    r"\b(xox[abposr]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}"
    r"|ghp_[A-Za-z0-9]{20,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"
)


def redact_token_shapes(text: str) -> str:
    """Replace strings that look like tokens or keys (Slack, OpenAI, AWS, GitHub, JWT) with ``[redacted]``."""
    return _TOKEN_SHAPES.sub(REDACTED, text)


def _forms(value: str) -> set[str]:
    """The ways a value can appear in output: as is, JSON-escaped, and as Python's ``repr`` shows it."""
    return {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1], repr(value)[1:-1]}


@dataclass(frozen=True)
class SecretRedactor:
    """Replaces configured secret values and token-shaped strings with ``[redacted]``."""

    values: tuple[str, ...] = ()

    @classmethod
    def of(cls, values: Iterable[str | None]) -> SecretRedactor:
        """A redactor of ``values`` (blank, short and missing values are left out).

        Args:
            values: the secret values, in any order; the longest is replaced first, so a secret
                that contains another is removed whole.
        """
        kept = {form for v in values if v and len(v.strip()) >= MIN_SECRET_CHARS for form in _forms(v.strip())}
        return cls(tuple(sorted(kept, key=lambda v: (-len(v), v))))

    def text(self, text: str) -> str:
        """``text`` without any secret value or token-shaped string."""
        for value in self.values:
            if value in text:
                text = text.replace(value, REDACTED)
        return redact_token_shapes(text)

    def data(self, value: Any) -> Any:
        """A copy of JSON-like ``value`` (dicts, lists, strings…) with every string redacted, keys too."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.data(k): self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value
