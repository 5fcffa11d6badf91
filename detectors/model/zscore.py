"""RobustZScoreDetector: the latest points against the median and MAD of the window before them. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from detectors.detector import Finding, severity_for
from domain.models import MetricKind, Series

_MIN_SCALE = {
    MetricKind.CPU: 2.0,
    MetricKind.MEMORY: 1.0,
    MetricKind.DISK: 1.0,
    MetricKind.LOAD: 0.1,
}
_UPWARD_ONLY = frozenset({MetricKind.CPU, MetricKind.MEMORY, MetricKind.DISK, MetricKind.LOAD})


@dataclass(frozen=True)
class RobustZScoreDetector:
    """Flags a series when its last ``consecutive`` points all sit ``threshold`` robust deviations off baseline.

    Args:
        threshold: robust z-score that counts as abnormal.
        consecutive: how many latest points must all be abnormal.
        min_baseline: fewest baseline points needed before judging.
    """

    threshold: float = 5.0
    consecutive: int = 3
    min_baseline: int = 10
    name: str = "robust_zscore"

    def detect(self, series: Series) -> Finding | None:
        """A finding when the latest points are abnormal, else None."""
        values = np.asarray(series.values, dtype=np.float64)
        finite = np.isfinite(values)
        if finite.sum() < self.min_baseline + self.consecutive:
            return None
        values = values[finite]
        stamps = np.asarray(series.timestamps, dtype=np.float64)[finite]
        baseline, recent = values[: -self.consecutive], values[-self.consecutive :]
        median = float(np.median(baseline))
        mad = float(np.median(np.abs(baseline - median))) * 1.4826
        scale = max(mad, _MIN_SCALE.get(series.metric, 1e-6 + 0.01 * abs(median)))
        z = (recent - median) / scale
        if series.metric not in _UPWARD_ONLY:
            z = np.abs(z)
        score = float(z.min())
        if not math.isfinite(score) or score < self.threshold:
            return None
        value = float(recent[-1])
        return Finding(
            score=score,
            value=value,
            at=float(stamps[-1]),
            severity=severity_for(series.metric, score, value),
            reason=f"{self.consecutive} latest points {score:.1f} robust deviations from the median {median:.1f}",
        )
