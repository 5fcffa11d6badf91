"""FileConversationStore: conversation context as one JSON file per thread (for ``ask --thread`` without Redis)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from domain.ports import CONVERSATION_TTL_SECONDS


class FileConversationStore:
    """One JSON file per thread under ``directory`` (for ``ask --thread`` without Redis)."""

    def __init__(self, directory: Path, ttl_seconds: int = CONVERSATION_TTL_SECONDS) -> None:
        self.directory = directory
        self._ttl = ttl_seconds

    def _path(self, thread_id: str) -> Path:
        """The thread's file: its id made safe for a file name, and a digest of the id itself, so ids that
        read the same once made safe ("a/b" and "a_b", or two emoji) never share a file."""
        safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in thread_id)[:80]
        digest = hashlib.sha256(thread_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        return self.directory / f"thread-{safe}-{digest}.json"

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
