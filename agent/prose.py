"""What a model's prose may say: Slack control sequences neutralised, claims of actions left to code. Pure.

A model's text is shown as text: it cannot mention people or channels (``<!channel>``, ``<@U…>``),
hide a link behind a label, or say it approved or executed anything; the facts about requests
come from the tool results and are appended by code.
"""

from __future__ import annotations

import re

MAX_PROSE_CHARS = 1500

_LINK = re.compile(r"<((?:https?|mailto|slack)://?[^|<>\s]*)\|([^<>]*)>", re.I)
_ANGLED = re.compile(r"<([^<>]*)>")
_BROADCAST = re.compile(r"(?<![\w@])@(channel|here|everyone)\b", re.I)
# A word of a sentence claiming an approval or an execution happened (or will happen without a person).
_ACTION_CLAIM = re.compile(r"\b(approved|i approve|executed|executing|restarted|rebooted|scaled|carried out)\b", re.I)
# Sentences end after . ! ? or a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?\n])")
# Only this much of a model's text is read: a few times what is shown, so cleaning stays bounded.
_READ_CHARS = 4 * MAX_PROSE_CHARS


def neutralise(text: str) -> str:
    """Slack markup in ``text`` made inert: a labelled link shows its address, other ``<…>`` loses its brackets."""
    shown = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    shown = _ANGLED.sub(lambda m: f"‹{m.group(1)}›", shown)
    shown = shown.replace("<", "‹").replace(">", "›")
    return _BROADCAST.sub(lambda m: f"@\u2060{m.group(1)}", shown)


def without_action_claims(text: str) -> str:
    """``text`` without the sentences that claim an approval or an execution (a line break stays)."""
    kept = (
        ("\n" if sentence.endswith("\n") else "") if _ACTION_CLAIM.search(sentence) else sentence
        for sentence in _SENTENCE_END.split(text)
    )
    return re.sub(r"[ \t]{2,}", " ", "".join(kept)).strip()


def safe_prose(text: str, *, limit: int = MAX_PROSE_CHARS) -> str:
    """A model's final text as the product may show it: inert markup, no action claims, at most ``limit`` characters."""
    cleaned = without_action_claims(neutralise(text[: max(limit, _READ_CHARS)]))
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned
