"""JsonlAuditSink: the audit log as JSON lines, one file per UTC day, fsynced on every write."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from domain.errors import AuditWriteFailed
from remediation.ports import AuditEvent


class JsonlAuditSink:
    """Appends audit events to ``<directory>/audit-YYYY-MM-DD.jsonl`` (UTC date of the event).

    The audit log is data, not logging: no log level filters it, and a write that cannot
    be made durable raises ``AuditWriteFailed`` so the caller does not act.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()

    def path_for(self, event: AuditEvent) -> Path:
        """The file an event goes to."""
        return self.directory / f"audit-{event.timestamp.strftime('%Y-%m-%d')}.jsonl"

    def record(self, event: AuditEvent) -> None:
        """Append one event and fsync it.

        Raises:
            AuditWriteFailed: the directory or file cannot be written.
        """
        line = json.dumps(event.model_dump(mode="json"), sort_keys=True, ensure_ascii=False) + "\n"
        path = self.path_for(event)
        with self._lock:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                created = not path.exists()
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
                try:
                    data = line.encode()
                    written = os.write(fd, data)
                    if written != len(data):
                        raise OSError(f"short write ({written} of {len(data)} bytes)")
                    os.fsync(fd)
                finally:
                    os.close(fd)
                if created:
                    # A new day's file: make its directory entry durable too.
                    dir_fd = os.open(self.directory, os.O_RDONLY)
                    try:
                        os.fsync(dir_fd)
                    finally:
                        os.close(dir_fd)
            except OSError as exc:
                raise AuditWriteFailed(f"cannot write audit log {path}: {exc.strerror or exc}") from exc
