"""The detector contract: a series in, a finding (or none) about its latest points out. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.models import MetricKind, Series, Severity


@dataclass(frozen=True)
class Finding:
    """A detector's verdict that the end of a series is anomalous."""

    score: float
    value: float
    at: float
    severity: Severity
    reason: str


class Detector(Protocol):
    """Anything that can judge the latest points of a series."""

    @property
    def name(self) -> str:
        """Name recorded on the anomalies this detector finds."""
        ...

    def detect(self, series: Series) -> Finding | None:
        """A finding when the series' latest points are anomalous, else None."""
        ...


def severity_for(metric: MetricKind, score: float, value: float) -> Severity:
    """Severity from the score and, for saturating metrics, how close the value is to 100%."""
    if metric.is_percent and value >= 95.0:
        return Severity.CRITICAL
    if score >= 12.0:
        return Severity.CRITICAL
    if score >= 8.0 or (metric.is_percent and value >= 90.0):
        return Severity.HIGH
    if score >= 6.0:
        return Severity.MEDIUM
    return Severity.LOW
