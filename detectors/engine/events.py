"""What the engine reports: incidents and the events of their lives.

An incident opens, may escalate, and ends resolved, accepted as a baseline change, or gone (its
filesystem stopped reporting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from domain.models import HostRef, MetricKind, Severity


class IncidentKind(StrEnum):
    """What an incident is about."""

    ANOMALY = "anomaly"
    MEMORY_LEAK = "memory_leak"
    DISK_FILL = "disk_fill"
    HOST_DOWN = "host_down"


#: The signals whose slow trend is an incident of its own, and its kind.
TREND_KINDS = {MetricKind.MEMORY: IncidentKind.MEMORY_LEAK, MetricKind.DISK: IncidentKind.DISK_FILL}


class EventKind(StrEnum):
    """A step in an incident's life."""

    OPENED = "opened"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    BASELINE_CHANGED = "baseline_changed"
    GONE = "gone"


@dataclass(frozen=True)
class Incident:
    """One incident on one host and signal (and filesystem, for disk) as it stands; ``resolved_at`` None while open."""

    host: HostRef
    signal: MetricKind
    kind: IncidentKind
    opened_at: float
    severity: Severity
    peak: float
    value: float
    score: float
    summary: str
    resolved_at: float | None = None
    mountpoint: str | None = None

    @property
    def where(self) -> str:
        """The host, and for a filesystem its mountpoint first: ``/data on db-1``."""
        return f"{self.mountpoint} on {self.host.name}" if self.mountpoint else self.host.name

    def record(self) -> dict[str, object]:
        """The incident as one ``detect replay`` JSON line (with its ``mountpoint`` for a disk incident)."""
        record: dict[str, object] = {
            "host": self.host.name,
            "instance": self.host.instance,
            "signal": self.signal.value,
            "kind": self.kind.value,
            "opened_at": iso(self.opened_at),
            "resolved_at": iso(self.resolved_at) if self.resolved_at is not None else None,
            "severity": self.severity.value,
            "peak": round(self.peak, 4),
            "summary": self.summary,
        }
        if self.signal is MetricKind.DISK:
            record["mountpoint"] = self.mountpoint
        return record


@dataclass(frozen=True)
class IncidentEvent:
    """One event, with the incident after it; ``note`` explains a baseline change."""

    kind: EventKind
    incident: Incident
    at: float
    note: str = ""


def iso(epoch: float) -> str:
    """An epoch second as ISO 8601 UTC (``2026-12-03T05:47:00Z``)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
