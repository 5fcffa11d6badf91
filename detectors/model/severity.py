"""Severity of an incident from how far its score is over the threshold, how long it lasts, and the metric. Pure."""

from __future__ import annotations

from domain.models import MetricKind, Severity

_RATIO_LEVELS = ((4.0, Severity.CRITICAL), (2.5, Severity.HIGH), (1.5, Severity.MEDIUM))
_LONG_MINUTES = 15.0
_VERY_LONG_MINUTES = 60.0


def _raise(severity: Severity, steps: int) -> Severity:
    ordered = list(Severity)
    return ordered[min(severity.rank + steps, len(ordered) - 1)]


def incident_severity(
    *,
    ratio: float,
    duration_minutes: float,
    metric: MetricKind | None = None,
    value: float | None = None,
) -> Severity:
    """Severity of an incident.

    Args:
        ratio: the smoothed score divided by the alarm-on threshold (1.0 = just alarming).
        duration_minutes: how long the incident has lasted so far.
        metric: the metric most responsible, when known.
        value: that metric's latest value, in its unit.

    Returns:
        ``low`` for a brief, marginal alarm up to ``critical`` for a severe or long, saturating one.
    """
    severity = Severity.LOW
    for floor, level in _RATIO_LEVELS:
        if ratio >= floor:
            severity = level
            break
    if duration_minutes >= _VERY_LONG_MINUTES:
        severity = _raise(severity, 2)
    elif duration_minutes >= _LONG_MINUTES:
        severity = _raise(severity, 1)
    if metric is not None and metric.is_percent and value is not None:
        if value >= 95.0:
            return Severity.CRITICAL
        if value >= 90.0 and severity.rank < Severity.HIGH.rank:
            return Severity.HIGH
    return severity
