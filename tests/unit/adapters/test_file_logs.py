"""The product's own JSON logs read back as log lines: window, filters, newest first, bounded."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from adapters.files.logs import JsonlLogSource
from domain.ports import LogQuery

START = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
END = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def write(path: Path, records: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + "not json\n")


def test_lines_in_the_window_newest_first_with_the_rest_counted(tmp_path: Path) -> None:
    write(
        tmp_path / "events.jsonl",
        [{"timestamp": f"2026-03-10T14:{m:02d}:00Z", "level": "info", "event": f"tick {m}"} for m in range(0, 60, 5)]
        + [{"timestamp": "2026-03-10T13:00:00Z", "event": "too early"}],
    )
    page = JsonlLogSource("events", tmp_path, "events*.jsonl").read(
        LogQuery(start=START, end=END, host=None, contains=None, limit=3)
    )
    assert ["tick 55", "tick 50", "tick 45"] == [line.message for line in page.lines]
    assert 9 == page.omitted


def test_host_and_text_filters(tmp_path: Path) -> None:
    write(
        tmp_path / "events.jsonl",
        [
            {"timestamp": "2026-03-10T14:10:00Z", "event": "tool_called", "host": "web-1", "status": "error"},
            {"timestamp": "2026-03-10T14:11:00Z", "event": "tool_called", "host": "db-1", "status": "error"},
            {"timestamp": "2026-03-10T14:12:00Z", "event": "tool_called", "host": "web-1", "status": "success"},
        ],
    )
    source = JsonlLogSource("events", tmp_path, "events*.jsonl")
    page = source.read(LogQuery(start=START, end=END, host="web-1", contains="ERROR", limit=10))
    assert 1 == len(page.lines)
    assert "web-1" == page.lines[0].host


def test_missing_directory_gives_no_lines(tmp_path: Path) -> None:
    page = JsonlLogSource("audit", tmp_path / "nope", "audit-*.jsonl").read(
        LogQuery(start=START, end=END, host=None, contains=None, limit=5)
    )
    assert () == page.lines


def test_an_empty_error_field_is_not_an_error_and_is_not_shown(tmp_path: Path) -> None:
    write(
        tmp_path / "audit-2026-03-10.jsonl",
        [
            {"timestamp": "2026-03-10T14:10:00Z", "event": "requested", "action": "scale_up", "error": None},
            {"timestamp": "2026-03-10T14:20:00Z", "event": "executed", "action": "restart", "error": "AccessDenied"},
        ],
    )
    source = JsonlLogSource("audit", tmp_path, "audit-*.jsonl")

    errors = source.read(LogQuery(start=START, end=END, host=None, contains="error", limit=10))
    by_level = source.read(LogQuery(start=START, end=END, host=None, contains=None, limit=10, level="error"))
    every = source.read(LogQuery(start=START, end=END, host=None, contains=None, limit=10))

    assert ["executed action=restart error=AccessDenied"] == [line.message for line in errors.lines]
    assert [line.message for line in by_level.lines] == [line.message for line in errors.lines]
    assert "requested action=scale_up" == every.lines[1].message
    assert ["error", "info"] == [line.level for line in every.lines]


def test_a_level_keeps_that_level_and_the_more_severe(tmp_path: Path) -> None:
    write(
        tmp_path / "events.jsonl",
        [
            {"timestamp": f"2026-03-10T14:1{n}:00Z", "level": level, "event": f"e{n}"}
            for n, level in enumerate(("debug", "info", "warning", "error", "critical"))
        ],
    )
    source = JsonlLogSource("events", tmp_path, "events*.jsonl")

    page = source.read(LogQuery(start=START, end=END, host=None, contains=None, limit=10, level="warning"))

    assert ["e4", "e3", "e2"] == [line.message for line in page.lines]
