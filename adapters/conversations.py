"""Conversation context stores: Redis (shared, with a TTL), a local state file (CLI), and memory."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import redis

from adapters.redis_store import location, translated

DEFAULT_TTL_SECONDS = 24 * 3600


class InMemoryConversationStore:
    """Context in a dict, expiring after ``ttl_seconds``."""

    def __init__(self, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
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


class FileConversationStore:
    """One JSON file per thread under ``directory`` (for ``ask --thread`` without Redis)."""

    def __init__(self, directory: Path, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        self.directory = directory
        self._ttl = ttl_seconds

    def _path(self, thread_id: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in thread_id)[:100] or "_"
        return self.directory / f"thread-{safe}.json"

    def load(self, thread_id: str) -> dict[str, Any] | None:
        """The context, unless missing, unreadable or expired."""
        path = self._path(thread_id)
        try:
            if time.time() - path.stat().st_mtime > self._ttl:
                return None
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def save(self, thread_id: str, context: dict[str, Any]) -> None:
        """Write the context atomically (temp file, then rename)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(thread_id)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(context), encoding="utf-8")
        tmp.replace(path)


class RedisConversationStore:
    """Context as JSON strings in Redis with a TTL (``sco:{conv}:<thread>``)."""

    def __init__(self, client: redis.Redis, ttl_seconds: int = DEFAULT_TTL_SECONDS, prefix: str = "sco") -> None:
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
