"""The audit log as JSON lines, one file per UTC day: JsonlAuditSink writes it, ``read_records`` reads it."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

from domain.errors import AuditWriteFailed
from domain.redaction import SecretRedactor
from remediation.ports import AuditEvent

#: The audit log's daily files in its directory.
AUDIT_FILES = "audit-*.jsonl"


def audit_files(directory: Path) -> list[Path]:
    """The audit log's daily files in ``directory``, oldest first."""
    return sorted(directory.glob(AUDIT_FILES))


def read_records(
    directory: Path, pattern: str = AUDIT_FILES, *, max_bytes: int | None = None
) -> Iterator[dict[str, Any]]:
    """The JSON objects of the JSON-lines files matching ``pattern`` in ``directory``, oldest file first.

    Lines that are not JSON objects and files that cannot be read are skipped: a torn last line
    or a rotated file must not hide the rest of the log.

    Args:
        directory: where the files are (a missing directory has no records).
        pattern: glob of the files; the audit log's by default, ``events*.jsonl`` for the event log.
        max_bytes: stop after reading this many bytes (no limit when None).
    """
    scanned = 0
    for path in sorted(directory.glob(pattern)):
        try:
            with path.open(encoding="utf-8", errors="replace") as fh:
                for raw in fh:
                    scanned += len(raw)
                    if max_bytes is not None and scanned > max_bytes:
                        return
                    try:
                        record = json.loads(raw)
                    except json.JSONDecodeError:
                        continue
                    if isinstance(record, dict):
                        yield record
        except OSError:
            continue


class JsonlAuditSink:
    """Appends audit events to ``<directory>/audit-YYYY-MM-DD.jsonl`` (UTC date of the event).

    The audit log is data, not logging: no log level filters it, and a write that cannot
    be made durable raises ``AuditWriteFailed`` so the caller does not act. Each line has the
    configured secrets removed (a parameter or an error text could carry one).
    """

    def __init__(self, directory: Path, *, redactor: SecretRedactor | None = None) -> None:
        self.directory = directory
        self.redactor = redactor or SecretRedactor()
        self._lock = threading.Lock()

    def path_for(self, event: AuditEvent) -> Path:
        """The file an event goes to: its UTC day, whatever timezone its timestamp carries
        (a naive timestamp is taken as UTC)."""
        at = event.timestamp
        day = at.astimezone(UTC) if at.tzinfo is not None else at
        return self.directory / f"audit-{day.strftime('%Y-%m-%d')}.jsonl"

    def record(self, event: AuditEvent) -> None:
        """Append one event and fsync it.

        Raises:
            AuditWriteFailed: the directory or file cannot be written.
        """
        record = self.redactor.data(event.model_dump(mode="json"))
        line = json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n"
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
