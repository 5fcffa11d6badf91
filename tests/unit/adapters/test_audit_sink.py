"""JsonlAuditSink: the UTC day names the file whatever the event's timezone; secrets never written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from adapters.files.audit import JsonlAuditSink, read_records
from domain.redaction import SecretRedactor
from remediation.ports import AuditEvent
from tests.unit.adapters.test_audit_records import event as requested

SECRET = "sk-proxy-9f8e7d6c5b4a3210"


def event(at: datetime, error: str | None = None) -> AuditEvent:
    return requested(1, "r1").model_copy(update={"timestamp": at, "event": "failed", "error": error})


def test_the_file_is_the_utc_day_of_an_event_stamped_in_another_timezone(tmp_path: Path) -> None:
    late_in_new_york = datetime(2026, 3, 1, 21, 30, tzinfo=timezone(timedelta(hours=-5)))
    early_in_tokyo = datetime(2026, 3, 2, 3, 0, tzinfo=timezone(timedelta(hours=9)))
    sink = JsonlAuditSink(tmp_path)

    assert tmp_path / "audit-2026-03-02.jsonl" == sink.path_for(event(late_in_new_york))
    assert tmp_path / "audit-2026-03-01.jsonl" == sink.path_for(event(early_in_tokyo))


def test_configured_secrets_are_removed_from_every_field(tmp_path: Path) -> None:
    sink = JsonlAuditSink(tmp_path, redactor=SecretRedactor.of([SECRET]))

    sink.record(event(datetime(2026, 3, 1, tzinfo=UTC), error=f"AWS said: bad key {SECRET}"))

    text = (tmp_path / "audit-2026-03-01.jsonl").read_text()
    assert SECRET not in text
    assert ["AWS said: bad key [redacted]"] == [r["error"] for r in read_records(tmp_path)]
