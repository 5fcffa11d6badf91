"""An engine incident as the anomaly the store keeps: one id for its whole life, and what a stored copy adds.

Pure: the detection service (``detectors.service``) writes these; another replica, or a person
acknowledging, may have written the stored copy first.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from detectors.engine.events import Incident, IncidentEvent
from domain.models import Anomaly, AnomalyStatus, Severity

#: What the engine's anomalies' detector names begin with (``engine:anomaly``, ``engine:host_down``).
ENGINE_DETECTOR = "engine:"


def anomaly_id_for(instance: str, detector: str, started: datetime) -> str:
    """A stable id for a whole-host incident that starts at ``started``."""
    return hashlib.sha256(f"{instance}|{detector}|{started.isoformat()}".encode()).hexdigest()[:16]


def with_stored(fresh: Anomaly, stored: Anomaly | None) -> Anomaly:
    """``fresh``, an engine's view of an incident, keeping what the stored copy of it already holds.

    An acknowledgement stays until the incident resolves (and who acknowledged it stays after), and
    severity and score never go down: another replica may have seen more of the incident.
    """
    if stored is None:
        return fresh
    status = fresh.status
    if status is not AnomalyStatus.RESOLVED and stored.status is AnomalyStatus.ACKNOWLEDGED:
        status = AnomalyStatus.ACKNOWLEDGED
    return fresh.model_copy(
        update={
            "status": status,
            "severity": Severity.worst(fresh.severity, stored.severity),
            "score": max(fresh.score, stored.score),
            "acknowledged_by": fresh.acknowledged_by or stored.acknowledged_by,
        }
    )


def engine_anomaly_id(incident: Incident) -> str:
    """The id of an engine incident's stored anomaly, from its lane, kind and start."""
    lane = f"{incident.host.instance}|{incident.signal.value}"
    # The root filesystem keeps the id disk incidents had before each filesystem had its own lane.
    if incident.mountpoint and incident.mountpoint != "/":
        lane += f"|{incident.mountpoint}"
    return anomaly_id_for(
        lane, f"{ENGINE_DETECTOR}{incident.kind.value}", datetime.fromtimestamp(incident.opened_at, UTC)
    )


def engine_anomaly(event: IncidentEvent, now: datetime) -> Anomaly:
    """The stored anomaly of an engine incident after ``event`` (same id for its whole life)."""
    incident = event.incident
    started = datetime.fromtimestamp(incident.opened_at, UTC)
    detector = f"{ENGINE_DETECTOR}{incident.kind.value}"
    ended = datetime.fromtimestamp(incident.resolved_at, UTC) if incident.resolved_at is not None else None
    return Anomaly(
        id=engine_anomaly_id(incident),
        host=incident.host,
        metric=incident.signal,
        detector=detector,
        status=AnomalyStatus.OPEN if ended is None else AnomalyStatus.RESOLVED,
        severity=incident.severity,
        score=round(incident.score, 3),
        value=incident.value if incident.value == incident.value else 0.0,
        started_at=started,
        updated_at=now,
        ended_at=ended,
        summary=incident.summary,
        mountpoint=incident.mountpoint,
    )
