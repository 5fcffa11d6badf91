"""Slack mrkdwn, pure: text from outside shown as text, and the bot's own mentions and links.

Slack reads ``<...>`` as a link, a mention or a broadcast (``<!channel>``) and ``&`` as the start
of an entity, so every text that did not come from the bot itself (label values, questions, log
lines, model prose) goes through ``escape``; what the bot means as markup is built by ``mention``
and ``link`` from escaped parts.
"""

from __future__ import annotations

import re

#: Slack's limit on one section's text is 3,000 characters; a little room is left for the marker.
SECTION_LIMIT = 2900

_USER_ID = re.compile(r"[UW][A-Z0-9_]{2,}")


def escape(text: str) -> str:
    """``text`` with ``&``, ``<`` and ``>`` replaced by their entities, so Slack shows it as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(actor: str) -> str:
    """A Slack user id as a mention (``<@U123>``); any other actor (``rule:cpu``, an API token's name) as text."""
    return f"<@{actor}>" if _USER_ID.fullmatch(actor) else f"`{escape(actor)}`"


def link(url: str, label: str) -> str:
    """A link the bot builds: ``url`` opens, ``label`` is shown (both escaped; ``|`` cannot end the label)."""
    return f"<{escape(url)}|{escape(label).replace('|', '¦')}>"


def cut_lines(text: str, limit: int = SECTION_LIMIT) -> str:
    """``text`` cut at a line boundary to at most ``limit`` characters, ending ``… N more lines`` when cut.

    A single line longer than ``limit`` is cut inside the line and counted as left out.
    """
    if len(text) <= limit:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    size = 0
    for line in lines:
        room = len(f"\n… {len(lines) - len(kept)} more lines")
        if size + len(line) + 1 + room > limit:
            break
        kept.append(line)
        size += len(line) + 1
    left = len(lines) - len(kept)
    marker = f"\n… {left} more line{'s' if left != 1 else ''}"
    if not kept:  # the first line alone is too long: keep what fits of it
        return text[: max(limit - len(marker), 0)] + marker
    return "\n".join(kept) + marker
