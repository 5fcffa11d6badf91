"""Conversation context stores: Redis (shared, with a TTL), a local state file (CLI), and memory."""

from __future__ import annotations

import json
from typing import Any

import redis

from adapters.redis.connection import location, translated
from domain.ports import CONVERSATION_TTL_SECONDS


class RedisConversationStore:
    """Context as JSON strings in Redis with a TTL (``sco:{conv}:<thread>``)."""

    def __init__(self, client: redis.Redis, ttl_seconds: int = CONVERSATION_TTL_SECONDS, prefix: str = "sco") -> None:
        self._r = client
        self._ttl = ttl_seconds
        self._p = f"{prefix}:{{conv}}"
        self._where = location(client)

    def load(self, thread_id: str) -> dict[str, Any] | None:
        """The context, if any."""
        with translated(self._where):
            raw = self._r.get(f"{self._p}:{thread_id}")
        if raw is None:
            return None
        data = json.loads(str(raw))
        return data if isinstance(data, dict) else None

    def save(self, thread_id: str, context: dict[str, Any]) -> None:
        """Store the context with the TTL."""
        with translated(self._where):
            self._r.set(f"{self._p}:{thread_id}", json.dumps(context), ex=self._ttl)
