"""What the router does with one question: the tool call it makes, or what it says instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Plan:
    """What the router will do: one tool call (or none, with what to say instead), and the entities to remember."""

    intent: str
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    host: str | None = None
    metric: str | None = None
    since: str | None = None
    reply: str | None = None
    #: Said before the tool's answer.
    note: str | None = None
    #: What the thread keeps for its follow-ups (a logs call's filters, a ranking's order and count); None: as it was.
    keeps: dict[str, str] | None = None
