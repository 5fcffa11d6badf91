"""Audit sinks for tests (the AuditSink port): one keeps the events in a list, one also refuses some."""

from __future__ import annotations

from domain.errors import AuditWriteFailed
from remediation.ports import AuditEvent


class RecordingAudit:
    """Keeps every recorded event, in order."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def record(self, event: AuditEvent) -> None:
        """Keep ``event``."""
        self.events.append(event)


class FailingAudit(RecordingAudit):
    """Keeps events, but cannot write those named ``fail_on``, as a full disk cannot."""

    def __init__(self, fail_on: str) -> None:
        super().__init__()
        self.fail_on = fail_on

    def record(self, event: AuditEvent) -> None:
        """Keep ``event``, or raise ``AuditWriteFailed`` when it is the refused kind."""
        if event.event == self.fail_on:
            raise AuditWriteFailed("disk full")
        super().record(event)
