"""InMemoryConversationStore: conversation context in a dict, expiring after a TTL."""

from __future__ import annotations

import threading
import time
from typing import Any

from domain.ports import CONVERSATION_TTL_SECONDS


class InMemoryConversationStore:
    """Context in a dict, expiring after ``ttl_seconds``."""

    def __init__(self, ttl_seconds: int = CONVERSATION_TTL_SECONDS) -> None:
        self._ttl = ttl_seconds
        self._items: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def load(self, thread_id: str) -> dict[str, Any] | None:
        """The context, unless expired."""
        with self._lock:
            item = self._items.get(thread_id)
        if item is None or item[0] < time.monotonic():
            return None
        return dict(item[1])

    def save(self, thread_id: str, context: dict[str, Any]) -> None:
        """Store the context."""
        with self._lock:
            self._items[thread_id] = (time.monotonic() + self._ttl, dict(context))
