"""JsonlLogSource: the product's own JSON logs (event log, audit log) as a LogSource."""

from __future__ import annotations

import heapq
from datetime import UTC, datetime
from pathlib import Path

from adapters.files.audit import read_records
from domain.log_levels import at_least, level_name, level_of_text
from domain.ports import LogLine, LogPage, LogQuery

_MAX_SCAN_BYTES = 64 * 1024 * 1024


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _message(record: dict[str, object]) -> str:
    skip = {"timestamp", "level", "event"}
    # Empty fields say nothing (an audit line's ``error`` is null until something fails).
    rest = " ".join(f"{k}={v}" for k, v in record.items() if k not in skip and v not in (None, "", [], {}))
    return f"{record.get('event', '')} {rest}".strip()


def _level(record: dict[str, object], message: str) -> str:
    """The record's own level; without one, an error when it holds an error, else what its text says."""
    own = level_name(record.get("level"))
    if own is not None:
        return own
    return "error" if record.get("error") not in (None, "", "None") else level_of_text(message)


class JsonlLogSource:
    """Lines from JSON-lines files matching ``pattern`` in ``directory``.

    Args:
        name: what users call this source.
        directory: where the files are.
        pattern: glob of the files (``events*.jsonl``, ``audit-*.jsonl``).
    """

    def __init__(self, name: str, directory: Path, pattern: str) -> None:
        self._name = name
        self.directory = directory
        self.pattern = pattern

    @property
    def name(self) -> str:
        """The source's name."""
        return self._name

    def read(self, query: LogQuery) -> LogPage:
        """Matching lines, newest first."""
        wanted_host = query.host.lower() if query.host else None
        needle = query.contains.lower() if query.contains else None
        matched: list[tuple[datetime, int, LogLine]] = []
        count = 0
        for n, record in enumerate(read_records(self.directory, self.pattern, max_bytes=_MAX_SCAN_BYTES)):
            at = _parse_time(record.get("timestamp"))
            if at is None or not (query.start <= at < query.end):
                continue
            message = _message(record)
            text = f"{record.get('level', '')} {message}".lower()
            if wanted_host and wanted_host not in text:
                continue
            if needle and needle not in text:
                continue
            severity = _level(record, message)
            if not at_least(severity, query.level):
                continue
            count += 1
            line = LogLine(
                timestamp=at,
                source=self._name,
                message=message,
                host=str(record["host"]) if "host" in record else None,
                level=severity,
            )
            matched.append((at, n, line))
        newest = heapq.nlargest(max(query.limit, 0), matched, key=lambda item: (item[0], item[1]))
        return LogPage(lines=tuple(item[2] for item in newest), omitted=count - len(newest))
