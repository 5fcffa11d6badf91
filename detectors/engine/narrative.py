"""Severity and the one-line summary of an incident, from the engine's numbers. Pure."""

from __future__ import annotations

import math

from detectors.engine.events import Incident, IncidentKind, iso
from detectors.model.severity import incident_severity
from domain.models import HostRef, MetricKind, Severity, format_value


def _trend_severity(hours_to_full: float | None) -> Severity:
    if hours_to_full is None or not math.isfinite(hours_to_full):
        return Severity.MEDIUM
    if hours_to_full <= 2:
        return Severity.CRITICAL
    return Severity.HIGH if hours_to_full <= 6 else Severity.MEDIUM


def incident_at(
    *,
    host: HostRef,
    signal: MetricKind,
    kind: IncidentKind,
    opened_at: float,
    now: float,
    ratio: float,
    value: float,
    centre: float,
    hours_to_full: float | None,
    resolved_at: float | None = None,
) -> Incident:
    """The incident as it stands at ``now``: severity from kind, score ratio, duration and value; its summary."""
    minutes = max(0.0, (now - opened_at) / 60.0)
    ratio = ratio if math.isfinite(ratio) else 1.0
    shown = format_value(signal, value) if math.isfinite(value) else "no value"
    if kind is IncidentKind.HOST_DOWN:
        severity = Severity.CRITICAL
        summary = f"{host.name} is down (node target not reachable)"
    elif kind is IncidentKind.ANOMALY:
        severity = incident_severity(ratio=ratio, duration_minutes=minutes, metric=signal, value=value)
        usual = format_value(signal, centre) if math.isfinite(centre) else "unknown"
        summary = f"{host.name} {signal.label} at {shown}, usually {usual} ({ratio:.1f}× its alarm level)"
    else:
        severity = _trend_severity(hours_to_full)
        what = "memory" if kind is IncidentKind.MEMORY_LEAK else "disk"
        if hours_to_full is not None and math.isfinite(hours_to_full):
            summary = f"{host.name} {what} at {shown}, projected full at {iso(now + hours_to_full * 3600)}"
        else:
            summary = f"{host.name} {what} at {shown}, no longer filling"
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
    )
