"""The product's anomaly scorer and the alarm rule every scorer shares. Pure.

The scorer is a robust per-metric z-score: each metric is centred on its training median and
scaled by the larger of its IQR and MAD (optionally at least a share of its standard deviation,
and with a floor, so flat training metrics do not explode).
A row's score is the mean of its ``top_k`` largest absolute z-scores.

The alarm rule turns any score stream into alarms, causally: scores are smoothed by a trailing
mean, with m the median and q the ``quantile`` of the smoothed training scores, an alarm starts
when the smoothed score rises above m + ``on_factor``·(q − m) and lasts until it falls back to
m + ``off_factor``·(q − m) (hysteresis). The rule is unchanged by shifting or scaling the scores,
so it means the same for every scorer.

Optionally the rule recalibrates itself on the stream (``recent_share`` > 0): at the start of
every ``refresh_hours`` block the on-level is raised to m + ``recent_share``·(r − m), r the
``recent_quantile`` of the smoothed scores of the last ``recent_hours`` (at least
``recent_min_rows`` rows) before that block (training rows included), and the off-level in
proportion (still shift- and scale-free). A host whose normal level has drifted since training
then stops alarming on the drift itself, while a short incident still stands out against its
own recent past (the rows of an alarm younger than ``exclude_alarm_hours`` are not counted as
recent normal); the price is that a lasting level shift alarms for about its first hour or two
only, and an incident longer than ``exclude_alarm_hours`` raises the level for a day.
Every level depends only on rows before the block of the row it judges.
Thresholds come from training scores and earlier rows only; labels are never seen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_IQR_TO_SIGMA = 1.349
_MAD_TO_SIGMA = 1.4826

Z_CAP = 1e9
"""The largest z-score a value gets: far beyond any alarm level, small enough to add up."""


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
    """Where alarms start and where they stop, and the typical (median) training score."""

    on: float
    off: float
    centre: float = 0.0


@dataclass(frozen=True)
class AlarmRule:
    """Smoothing, threshold calibration and hysteresis, the same for every scorer.

    Args:
        quantile: quantile q of the smoothed training scores the thresholds are built on.
        on_factor: an alarm starts above m + on_factor·(q − m), m the training median.
        off_factor: an alarm lasts while the score stays above m + off_factor·(q − m).
        smoothing: rows in the trailing mean.
        recent_share: factor on the recent quantile that can raise the levels (0 = off).
        recent_quantile: quantile of the recent smoothed scores.
        recent_hours: how far back "recent" reaches.
        refresh_hours: how often the recent quantile is recomputed.
        recent_min_rows: "recent" reaches back at least this many rows, so a quantile of a
            slowly sampled series (hourly: 24 rows a day) is not just its last maximum.
        exclude_alarm_hours: rows of an alarm this young are not counted as "recent" normal.
    """

    quantile: float = 0.995
    on_factor: float = 1.5
    off_factor: float = 1.0
    smoothing: int = 3
    recent_share: float = 0.0
    recent_quantile: float = 0.99
    recent_hours: float = 24.0
    refresh_hours: float = 1.0
    recent_min_rows: int = 1000
    exclude_alarm_hours: float = 0.5

    def calibrate(self, training_scores: FloatArray) -> Thresholds:
        """Thresholds from the raw scores of the training rows."""
        smoothed = trailing_mean(training_scores, self.smoothing)
        if smoothed.size == 0:
            raise ValueError("no training scores to calibrate on")
        centre = float(np.median(smoothed))
        spread = max(float(np.quantile(smoothed, self.quantile)) - centre, 1e-9)
        return Thresholds(on=centre + spread * self.on_factor, off=centre + spread * self.off_factor, centre=centre)

    def stream_alarms(
        self, smoothed_training: FloatArray, smoothed: FloatArray, thresholds: Thresholds, *, step_seconds: float
    ) -> tuple[BoolArray, FloatArray]:
        """Alarms and on-levels of the test rows, recalibrating on the stream when enabled.

        Rows of an alarm younger than ``exclude_alarm_hours`` are left out of the recent window
        (an incident being reported is not yet the new normal), so one short incident does not
        hide the next one; once an alarm outlasts that, its rows count again.

        Args:
            smoothed_training: smoothed training scores (they come right before the test rows).
            smoothed: smoothed test scores.
            thresholds: the training thresholds.
            step_seconds: time between rows.

        Returns:
            ``(alarms, on)``, one value per test row; row t's levels use rows before its block only.
        """
        on = np.full(smoothed.size, thresholds.on)
        if self.recent_share <= 0 or smoothed.size == 0:
            return alarms_between(smoothed, on, np.full(smoothed.size, thresholds.off)), on
        block = max(1, math.floor(self.refresh_hours * 3600 / step_seconds))
        reach = max(1, math.floor(self.recent_hours * 3600 / step_seconds), self.recent_min_rows)
        young = math.floor(self.exclude_alarm_hours * 3600 / step_seconds)
        every = np.concatenate((smoothed_training, smoothed))
        counted = np.ones(every.size, dtype=bool)
        offset, centre = smoothed_training.size, thresholds.centre
        ratio = self.off_factor / self.on_factor if self.on_factor > 0 else 1.0
        alarms = np.zeros(smoothed.size, dtype=bool)
        state, run = False, 0
        start = offset
        while start < every.size:
            first = start - start % block
            end = min(every.size, first + block)
            on_level, off_level = thresholds.on, thresholds.off
            window = every[max(0, first - reach) : first][counted[max(0, first - reach) : first]]
            if first > 0 and window.size:
                raised = centre + self.recent_share * (float(np.quantile(window, self.recent_quantile)) - centre)
                on_level = max(on_level, raised)
                off_level = max(off_level, centre + (raised - centre) * ratio)
            for g in range(start, end):
                state = bool(every[g] > off_level) if state else bool(every[g] > on_level)
                run = run + 1 if state else 0
                if state and run <= young:
                    counted[g] = False
                elif state and run == young + 1:
                    counted[g - young : g + 1] = True
                alarms[g - offset] = state
                on[g - offset] = on_level
            start = end
        return alarms, on

    def alarms(self, smoothed: FloatArray, thresholds: Thresholds, *, active: bool = False) -> BoolArray:
        """Alarm per row from smoothed scores; ``active`` says whether an alarm is already on.

        Each row's alarm depends only on that row and the rows before it.
        """
        on = np.full(smoothed.size, thresholds.on)
        off = np.full(smoothed.size, thresholds.off)
        return alarms_between(smoothed, on, off, active=active)


def alarms_between(smoothed: FloatArray, on: FloatArray, off: FloatArray, *, active: bool = False) -> BoolArray:
    """Hysteresis with a level per row: an alarm starts above ``on`` and lasts while above ``off``.

    Args:
        smoothed: smoothed scores in time order.
        on: start level per row.
        off: hold level per row.
        active: whether an alarm is already on before the first row.

    Returns:
        The alarm per row.
    """
    out = np.zeros(smoothed.size, dtype=bool)
    above_on = smoothed > on
    above_off = smoothed > off
    state = active
    for i in range(smoothed.size):
        state = bool(above_off[i]) if state else bool(above_on[i])
        out[i] = state
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
    def fit(cls, train: FloatArray, *, top_k: int = 3, floor: float = 0.01, std_share: float = 0.0) -> RobustZScorer:
        """Learn medians and spreads from training rows (rows × metrics).

        Args:
            train: the training rows, finite values only.
            top_k: see the class.
            floor: relative floor of the spread, × max(|median| + std, 1).
            std_share: the spread is at least this share of the metric's standard deviation, so a
                metric that is flat most of the time but spikes in training (IQR and MAD both 0)
                is not scored as if every spike were unheard of.

        Returns:
            The fitted scorer.
        """
        x = np.asarray(train, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] == 0:
            raise ValueError("training data must be a non-empty rows × metrics matrix")
        median = np.median(x, axis=0)
        q75, q25 = np.percentile(x, [75, 25], axis=0)
        mad = np.median(np.abs(x - median), axis=0) * _MAD_TO_SIGMA
        spread = np.maximum(np.maximum((q75 - q25) / _IQR_TO_SIGMA, mad), std_share * x.std(axis=0))
        minimum = floor * np.maximum(np.abs(median) + x.std(axis=0), 1.0)
        return cls(median=median, scale=np.maximum(spread, minimum), top_k=top_k)

    def z(self, rows: FloatArray) -> FloatArray:
        """Absolute robust z-score of every value (rows × metrics); missing values score 0.

        A value so far out that the arithmetic overflows (near ±1e308) scores ``Z_CAP``, the most
        unusual a value can be, so later sums and means stay finite and it still alarms.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            z = np.abs(np.asarray(rows, dtype=np.float64) - self.median) / self.scale
        out: FloatArray = np.minimum(np.nan_to_num(z, nan=0.0, posinf=Z_CAP, neginf=0.0), Z_CAP)
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
    """Scores and alarms of a test stream, with the training thresholds and the on-level of every row."""

    scores: FloatArray
    alarms: BoolArray
    thresholds: Thresholds
    on_levels: FloatArray


def run_stream(
    training_scores: FloatArray,
    test_scores: FloatArray,
    *,
    rule: AlarmRule | None = None,
    step_seconds: float = 60.0,
) -> StreamResult:
    """Calibrate on training scores and alarm on the test scores, causally.

    Args:
        training_scores: raw scores of the training rows (they come right before the test rows).
        test_scores: raw scores of the test rows, in time order.
        rule: the alarm rule (the product default when None).
        step_seconds: time between rows (for the rule's recent window).

    Returns:
        Smoothed test scores, alarms, the training thresholds and each row's on-level.
    """
    rule = rule or AlarmRule()
    thresholds = rule.calibrate(training_scores)
    smoothed = trailing_mean(test_scores, rule.smoothing)
    alarms, on = rule.stream_alarms(
        trailing_mean(training_scores, rule.smoothing), smoothed, thresholds, step_seconds=step_seconds
    )
    return StreamResult(scores=smoothed, alarms=alarms, thresholds=thresholds, on_levels=on)
