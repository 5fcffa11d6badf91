"""What a conversation remembers between questions: recent turns and the entities in play."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

MAX_TURNS = 6
MAX_TURN_CHARS = 600


class Turn(BaseModel):
    """One question and its answer."""

    question: str
    answer: str


class Conversation(BaseModel):
    """Entities in play (host, metric, time window, last intent, a logs question's filters) and the last few turns."""

    host: str | None = None
    metric: str | None = None
    since: str | None = None
    intent: str | None = None
    #: What the last question's follow-ups keep: a logs call's filters (source, level, contains), a ranking's
    #: order, count, host group and which end its words named.
    filters: dict[str, str] = {}
    turns: list[Turn] = []

    @classmethod
    def from_stored(cls, data: dict[str, Any] | None) -> Conversation:
        """Rebuild from what a ConversationStore returned; anything unreadable starts afresh."""
        if not data:
            return cls()
        try:
            return cls.model_validate(data)
        except ValidationError:
            return cls()

    def remember(
        self, question: str, answer: str, *, filters: dict[str, str] | None = None, **entities: str | None
    ) -> Conversation:
        """A copy with this turn added and the given entities updated (None leaves one unchanged)."""
        turns = [*self.turns, Turn(question=question[:MAX_TURN_CHARS], answer=answer[:MAX_TURN_CHARS])]
        updates: dict[str, Any] = {k: v for k, v in entities.items() if v is not None}
        if filters is not None:
            updates["filters"] = dict(filters)
        return self.model_copy(update={**updates, "turns": turns[-MAX_TURNS:]})
