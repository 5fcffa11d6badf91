"""The audit log read back: every JSON object of its daily files, oldest file first, damage skipped."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from adapters.files.audit import JsonlAuditSink, audit_files, read_records
from remediation.ports import AuditEvent


def event(day: int, request_id: str) -> AuditEvent:
    return AuditEvent(
        timestamp=datetime(2026, 1, day, 12, 0, tzinfo=UTC),
        event="requested",
        request_id=request_id,
        action="scale_up",
        params={"group": "web-asg", "by": 1},
        requester="U_REQ",
        actor="U_REQ",
    )


def test_records_come_back_as_written_oldest_day_first(tmp_path: Path) -> None:
    sink = JsonlAuditSink(tmp_path)
    for day, request_id in [(2, "r2"), (1, "r1"), (2, "r3")]:
        sink.record(event(day, request_id))

    assert ["r1", "r2", "r3"] == [r["request_id"] for r in read_records(tmp_path)]
    assert ["audit-2026-01-01.jsonl", "audit-2026-01-02.jsonl"] == [p.name for p in audit_files(tmp_path)]


def test_a_torn_or_foreign_line_is_skipped_and_the_rest_is_read(tmp_path: Path) -> None:
    JsonlAuditSink(tmp_path).record(event(1, "r1"))
    with (tmp_path / "audit-2026-01-01.jsonl").open("a") as fh:
        fh.write('[1, 2]\n{"request_id": "r2"}\n{"request_id": "r3", "tor')

    assert ["r1", "r2"] == [r["request_id"] for r in read_records(tmp_path)]


def test_only_the_audit_files_are_read_unless_another_pattern_is_asked(tmp_path: Path) -> None:
    JsonlAuditSink(tmp_path).record(event(1, "r1"))
    (tmp_path / "events.jsonl").write_text(json.dumps({"event": "tick"}) + "\n")

    assert ["r1"] == [r["request_id"] for r in read_records(tmp_path)]
    assert [{"event": "tick"}] == list(read_records(tmp_path, "events*.jsonl"))


def test_reading_stops_after_max_bytes(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"n": n}) + "\n" for n in range(10))
    (tmp_path / "audit-2026-01-01.jsonl").write_text(lines)

    assert [0, 1] == [r["n"] for r in read_records(tmp_path, max_bytes=len(lines) // 5)]


def test_a_missing_directory_has_no_records(tmp_path: Path) -> None:
    assert [] == list(read_records(tmp_path / "nope"))
