"""An audit sink that keeps the events in a list (the AuditSink port)."""

from __future__ import annotations

from remediation.ports import AuditEvent


class RecordingAudit:
    """Keeps every recorded event, in order."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def record(self, event: AuditEvent) -> None:
        """Keep ``event``."""
        self.events.append(event)
