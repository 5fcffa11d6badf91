"""Batch detection over recorded data (the ``detect batch`` contract). Pure: arrays in, alarm rows out.

Two shapes of input:
- a multivariate train/test pair (SMD): fit on the training rows, alarm on every test row;
- a single series with a training prefix (NAB): the prefix is NAB's probationary period,
  ``min(floor(0.15·n), 750)`` rows, never alarms, and is the only data thresholds come from.

The alarm at row t depends only on the training rows and the test rows up to t.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from detectors.scoring import AlarmRule, BoolArray, FloatArray, RobustZScorer, run_stream, trailing_mean
from detectors.severity import incident_severity
from domain.models import Severity

NAB_PREFIX_SHARE = 0.15
NAB_PREFIX_MAX = 750


@dataclass(frozen=True)
class AlarmRows:
    """One row per input row: smoothed score, alarm and severity (None when not alarming)."""

    scores: FloatArray
    alarms: BoolArray
    severities: tuple[Severity | None, ...]

    def csv_lines(self) -> list[str]:
        """The lines of the alarm file, header first (``index,score,alarm,severity``)."""
        lines = ["index,score,alarm,severity"]
        for i, (score, alarm, severity) in enumerate(zip(self.scores, self.alarms, self.severities, strict=True)):
            lines.append(f"{i},{float(score):.6g},{int(alarm)},{severity.value if severity else ''}")
        return lines


def nab_prefix_rows(n: int) -> int:
    """Rows in NAB's probationary period for a series of ``n`` rows."""
    return min(math.floor(NAB_PREFIX_SHARE * n), NAB_PREFIX_MAX)


def severities(
    scores: FloatArray, alarms: BoolArray, *, on_threshold: float, step_seconds: float
) -> tuple[Severity | None, ...]:
    """Severity of every alarming row, from its score and how long its alarm run has lasted so far."""
    out: list[Severity | None] = []
    run_rows = 0
    for score, alarm in zip(scores, alarms, strict=True):
        if not alarm:
            run_rows = 0
            out.append(None)
            continue
        run_rows += 1
        ratio = float(score) / on_threshold if on_threshold > 0 else 1.0
        out.append(incident_severity(ratio=ratio, duration_minutes=run_rows * step_seconds / 60.0))
    return tuple(out)


def _finite(scores: FloatArray) -> FloatArray:
    out: FloatArray = np.nan_to_num(scores, nan=0.0, posinf=np.finfo(np.float64).max, neginf=0.0)
    return out


def detect_train_test(
    train: FloatArray, test: FloatArray, *, step_seconds: float = 60.0, rule: AlarmRule | None = None
) -> AlarmRows:
    """Fit on ``train`` (rows × metrics) and alarm on every row of ``test``.

    Args:
        train: training rows.
        test: test rows, same number of columns.
        step_seconds: time between rows, for incident durations.
        rule: the alarm rule (product default when None).

    Returns:
        One alarm row per test row.
    """
    if train.ndim != 2 or test.ndim != 2 or train.shape[1] != test.shape[1]:
        raise ValueError(f"train has {train.shape[-1]} columns but test has {test.shape[-1]}")
    scorer = RobustZScorer.fit(train)
    result = run_stream(scorer.scores(train), scorer.scores(test), rule=rule)
    scores = _finite(result.scores)
    return AlarmRows(
        scores=scores,
        alarms=result.alarms,
        severities=severities(scores, result.alarms, on_threshold=result.thresholds.on, step_seconds=step_seconds),
    )


def detect_series(values: FloatArray, *, step_seconds: float, rule: AlarmRule | None = None) -> AlarmRows:
    """Alarm on a single series after its training prefix.

    Args:
        values: the series in time order.
        step_seconds: time between rows.
        rule: the alarm rule (product default when None).

    Returns:
        One alarm row per row; rows of the prefix never alarm.
    """
    x = np.asarray(values, dtype=np.float64).reshape(-1, 1)
    prefix = nab_prefix_rows(x.shape[0])
    if prefix < 2 or prefix >= x.shape[0]:
        raise ValueError(f"a series needs at least 14 rows to have a training prefix (got {x.shape[0]})")
    rule = rule or AlarmRule()
    tail = detect_train_test(x[:prefix], x[prefix:], step_seconds=step_seconds, rule=rule)
    scorer = RobustZScorer.fit(x[:prefix])
    head = _finite(trailing_mean(scorer.scores(x[:prefix]), rule.smoothing))
    return AlarmRows(
        scores=np.concatenate((head, tail.scores)),
        alarms=np.concatenate((np.zeros(prefix, dtype=bool), tail.alarms)),
        severities=(None,) * prefix + tail.severities,
    )
