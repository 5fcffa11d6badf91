"""The product's anomaly scorer and the alarm rule every scorer shares. Pure.

The scorer is a robust per-metric z-score: each metric is centred on its training median and
scaled by the larger of its IQR and MAD (with a floor, so flat training metrics do not explode).
A row's score is the mean of its ``top_k`` largest absolute z-scores.

The alarm rule turns any score stream into alarms, causally: scores are smoothed by a trailing
mean, with m the median and q the ``quantile`` of the smoothed training scores, an alarm starts
when the smoothed score rises above m + ``on_factor``·(q − m) and lasts until it falls back to
m + ``off_factor``·(q − m) (hysteresis). The rule is unchanged by shifting or scaling the scores,
so it means the same for every scorer.
Thresholds come from training scores only; labels are never seen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_IQR_TO_SIGMA = 1.349
_MAD_TO_SIGMA = 1.4826


def trailing_mean(scores: FloatArray, window: int) -> FloatArray:
    """Mean of each score and the ``window - 1`` before it (fewer at the start). Causal.

    Args:
        scores: scores in time order.
        window: how many rows to average.

    Returns:
        The smoothed scores, same length.
    """
    s = np.asarray(scores, dtype=np.float64)
    if window <= 1 or s.size == 0:
        return s.copy()
    csum = np.concatenate(([0.0], np.cumsum(s)))
    idx = np.arange(s.size)
    lo = np.maximum(0, idx - window + 1)
    out: FloatArray = (csum[idx + 1] - csum[lo]) / (idx + 1 - lo)
    return out


@dataclass(frozen=True)
class Thresholds:
    """Where alarms start and where they stop."""

    on: float
    off: float


@dataclass(frozen=True)
class AlarmRule:
    """Smoothing, threshold calibration and hysteresis, the same for every scorer.

    Args:
        quantile: quantile q of the smoothed training scores the thresholds are built on.
        on_factor: an alarm starts above m + on_factor·(q − m), m the training median.
        off_factor: an alarm lasts while the score stays above m + off_factor·(q − m).
        smoothing: rows in the trailing mean.
    """

    quantile: float = 0.995
    on_factor: float = 1.5
    off_factor: float = 1.0
    smoothing: int = 3

    def calibrate(self, training_scores: FloatArray) -> Thresholds:
        """Thresholds from the raw scores of the training rows."""
        smoothed = trailing_mean(training_scores, self.smoothing)
        if smoothed.size == 0:
            raise ValueError("no training scores to calibrate on")
        centre = float(np.median(smoothed))
        spread = max(float(np.quantile(smoothed, self.quantile)) - centre, 1e-9)
        return Thresholds(on=centre + spread * self.on_factor, off=centre + spread * self.off_factor)

    def alarms(self, smoothed: FloatArray, thresholds: Thresholds, *, active: bool = False) -> BoolArray:
        """Alarm per row from smoothed scores; ``active`` says whether an alarm is already on.

        Each row's alarm depends only on that row and the rows before it.
        """
        out = np.zeros(smoothed.size, dtype=bool)
        above_on = smoothed > thresholds.on
        above_off = smoothed > thresholds.off
        on = active
        for i in range(smoothed.size):
            on = bool(above_off[i]) if on else bool(above_on[i])
            out[i] = on
        return out


@dataclass(frozen=True)
class RobustZScorer:
    """Per-metric robust z-scores against the training rows, summarised per row.

    Args:
        median: per-metric training median.
        scale: per-metric robust spread (never below the floor).
        top_k: how many of the largest per-metric z-scores are averaged into a row score.
    """

    median: FloatArray
    scale: FloatArray
    top_k: int = 3

    @classmethod
    def fit(cls, train: FloatArray, *, top_k: int = 3, floor: float = 0.01) -> RobustZScorer:
        """Learn medians and spreads from training rows (rows × metrics).

        Args:
            train: the training rows, finite values only.
            top_k: see the class.
            floor: relative floor of the spread, × max(|median| + std, 1).

        Returns:
            The fitted scorer.
        """
        x = np.asarray(train, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] == 0:
            raise ValueError("training data must be a non-empty rows × metrics matrix")
        median = np.median(x, axis=0)
        q75, q25 = np.percentile(x, [75, 25], axis=0)
        mad = np.median(np.abs(x - median), axis=0) * _MAD_TO_SIGMA
        spread = np.maximum((q75 - q25) / _IQR_TO_SIGMA, mad)
        minimum = floor * np.maximum(np.abs(median) + x.std(axis=0), 1.0)
        return cls(median=median, scale=np.maximum(spread, minimum), top_k=top_k)

    def z(self, rows: FloatArray) -> FloatArray:
        """Absolute robust z-score of every value (rows × metrics); missing values score 0."""
        z = np.abs(np.asarray(rows, dtype=np.float64) - self.median) / self.scale
        out: FloatArray = np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)
        return out

    def scores(self, rows: FloatArray) -> FloatArray:
        """One raw score per row: the mean of its ``top_k`` largest z-scores."""
        return top_k_mean(self.z(rows), self.top_k)


def top_k_mean(z: FloatArray, k: int) -> FloatArray:
    """Mean of the ``k`` largest values along the last axis."""
    k = max(1, min(k, z.shape[-1]))
    part = np.partition(z, z.shape[-1] - k, axis=-1)[..., -k:]
    out: FloatArray = part.mean(axis=-1)
    return out


@dataclass(frozen=True)
class StreamResult:
    """Scores and alarms of a test stream."""

    scores: FloatArray
    alarms: BoolArray
    thresholds: Thresholds


def run_stream(training_scores: FloatArray, test_scores: FloatArray, *, rule: AlarmRule | None = None) -> StreamResult:
    """Calibrate on training scores and alarm on the test scores, causally.

    Args:
        training_scores: raw scores of the training rows.
        test_scores: raw scores of the test rows, in time order.
        rule: the alarm rule (the product default when None).

    Returns:
        Smoothed test scores, alarms and the thresholds used.
    """
    rule = rule or AlarmRule()
    thresholds = rule.calibrate(training_scores)
    smoothed = trailing_mean(test_scores, rule.smoothing)
    return StreamResult(scores=smoothed, alarms=rule.alarms(smoothed, thresholds), thresholds=thresholds)
