"""Severity and the one-line summary of an incident, from the engine's numbers. Pure."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from detectors.engine.events import EventKind, Incident, IncidentKind
from detectors.model.severity import incident_severity
from domain.models import HostRef, MetricKind, Severity, format_value


def closing_note(incident: Incident, event: EventKind, *, horizon_hours: float, quiet_hours: float) -> str:
    """What an incident's summary gains when it ends other than by resolving (nothing when it resolved)."""
    if event is EventKind.BASELINE_CHANGED:
        return (
            f"{incident.host.name} {incident.signal.label}: abnormal for over {horizon_hours:g} h, "
            "accepted as its new normal"
        )
    if event is EventKind.GONE:
        return f"{incident.where} no longer reported for {quiet_hours:.1f} h (unmounted?), incident closed"
    return ""


def _trend_severity(hours_to_full: float | None) -> Severity:
    if hours_to_full is None or not math.isfinite(hours_to_full):
        return Severity.MEDIUM
    if hours_to_full <= 2:
        return Severity.CRITICAL
    return Severity.HIGH if hours_to_full <= 6 else Severity.MEDIUM


def _clock(epoch: float, now: float) -> str:
    """``17:40 UTC`` on the day of ``now``, with the date on another day."""
    moment, today = datetime.fromtimestamp(epoch, UTC), datetime.fromtimestamp(now, UTC)
    return f"{moment:%H:%M} UTC" if moment.date() == today.date() else f"{moment:%Y-%m-%d %H:%M} UTC"


def _about(hours: float) -> str:
    """A rough duration: ``~40 min``, ``~3 h``, ``~2 d``."""
    if hours < 1:
        return f"~{max(1, round(hours * 60))} min"
    return f"~{round(hours)} h" if hours < 48 else f"~{round(hours / 24)} d"


def incident_at(
    *,
    host: HostRef,
    signal: MetricKind,
    mountpoint: str | None = None,
    kind: IncidentKind,
    opened_at: float,
    now: float,
    ratio: float,
    value: float,
    centre: float,
    hours_to_full: float | None,
    resolved_at: float | None = None,
) -> Incident:
    """The incident as it stands at ``now``: severity from kind, score ratio, duration and value; its summary.

    A disk incident names its filesystem (``disk /data on db-1 94.1%, full in ~3 h at 17:40 UTC``).
    """
    minutes = max(0.0, (now - opened_at) / 60.0)
    ratio = ratio if math.isfinite(ratio) else 1.0
    shown = format_value(signal, value) if math.isfinite(value) else "no value"
    if kind is IncidentKind.HOST_DOWN:
        severity = Severity.CRITICAL
        summary = f"{host.name} is down (node target not reachable)"
    elif kind is IncidentKind.ANOMALY:
        severity = incident_severity(ratio=ratio, duration_minutes=minutes, metric=signal, value=value)
        usual = format_value(signal, centre) if math.isfinite(centre) else "unknown"
        what = f"disk {mountpoint} on {host.name}" if mountpoint else f"{host.name} {signal.label}"
        summary = f"{what} at {shown}, usually {usual} ({ratio:.1f}× its alarm level)"
    else:
        severity = _trend_severity(hours_to_full)
        what = "memory" if kind is IncidentKind.MEMORY_LEAK else "disk"
        what = f"{what} {mountpoint} on {host.name}" if mountpoint else f"{what} on {host.name}"
        if hours_to_full is not None and math.isfinite(hours_to_full):
            full = _clock(now + hours_to_full * 3600, now)
            summary = f"{what} {shown}, full in {_about(hours_to_full)} at {full}"
        else:
            summary = f"{what} at {shown}, no longer filling"
    return Incident(
        host=host,
        signal=signal,
        kind=kind,
        opened_at=opened_at,
        severity=severity,
        peak=value if kind is not IncidentKind.ANOMALY else ratio,
        value=value,
        score=ratio,
        summary=summary,
        resolved_at=resolved_at,
        mountpoint=mountpoint,
    )
