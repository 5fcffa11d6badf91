"""SqliteConversationStore: conversation context per thread in the local state database, with a TTL."""

from __future__ import annotations

import json
from typing import Any

from adapters.clock import SystemClock
from adapters.sqlite.database import StateDatabase
from domain.ports import CONVERSATION_TTL_SECONDS, Clock


class SqliteConversationStore:
    """Context as JSON, one row per thread, forgotten ``ttl_seconds`` after it was saved.

    Args:
        db: the state database.
        ttl_seconds: how long a saved context is kept.
        clock: where expiry times are read from.
    """

    def __init__(
        self, db: StateDatabase, ttl_seconds: int = CONVERSATION_TTL_SECONDS, clock: Clock | None = None
    ) -> None:
        self._db = db
        self._ttl = ttl_seconds
        self._clock = clock or SystemClock()

    def load(self, thread_id: str) -> dict[str, Any] | None:
        """The context, unless expired."""
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT json FROM conversations WHERE thread_id = ? AND expires_at > ?",
                (thread_id, self._clock.now().timestamp()),
            ).fetchone()
        if row is None:
            return None
        data = json.loads(row[0])
        return data if isinstance(data, dict) else None

    def save(self, thread_id: str, context: dict[str, Any]) -> None:
        """Store the context (dropping contexts that have expired)."""
        now = self._clock.now().timestamp()
        with self._db.writing() as conn:
            conn.execute("DELETE FROM conversations WHERE expires_at <= ?", (now,))
            conn.execute(
                "INSERT OR REPLACE INTO conversations (thread_id, expires_at, json) VALUES (?, ?, ?)",
                (thread_id, now + self._ttl, json.dumps(context)),
            )
