"""Batch detection over recorded data (the ``detect batch`` contract). Pure: arrays in, alarm rows out.

Two shapes of input:
- a multivariate train/test pair (SMD): fit on the training rows, alarm on every test row;
- a single series with a training prefix (NAB): the prefix is NAB's probationary period,
  ``min(floor(0.15·n), 750)`` rows, never alarms, and is the only data the scorer is fitted on.

The alarm at row t depends only on the training rows and the test rows up to t.

``detect_train_test`` and ``detect_series`` run the streaming engine that runs live
(``detectors/engine/matrix.py``, ``EngineConfig`` defaults): what ``detect batch`` writes and
``eval`` measures as ``product`` is what the live service does. A row alarms while it is in an
alarm run of an incident; its severity comes from its score against the incident's alarm level
and how long the run has lasted.

``batch_scorer_train_test`` is the former batch scorer, kept for comparison (``eval --methods
batch_scorer``): robust per-metric z-scores (spread at least a quarter of the training standard
deviation), row score = mean of the 5 largest, and ``PRODUCT_RULE``: trailing mean of 3 rows;
on-level m + 1.25·(q − m), m the median and q the 99.5th percentile of the smoothed training
scores, raised to m + 1.5·(r − m), r the 99th percentile of the smoothed scores of the last 24
hours (at least 1,000 rows), recomputed every hour from rows before that hour only; off-level
0.8 × as far above m as the on-level. The engine's alarm level follows the same rule, causally.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from detectors.engine.config import DEFAULT_CONFIG, EngineConfig
from detectors.engine.matrix import replay_matrix
from detectors.model.scoring import AlarmRule, BoolArray, FloatArray, RobustZScorer, run_stream
from detectors.model.severity import incident_severity
from domain.models import Severity

NAB_PREFIX_SHARE = 0.15
NAB_PREFIX_MAX = 750
TOP_K = 5
STD_SHARE = 0.25
PRODUCT_RULE = AlarmRule(
    quantile=0.995,
    on_factor=1.25,
    off_factor=1.0,
    smoothing=3,
    recent_share=1.5,
    recent_quantile=0.99,
    recent_hours=24.0,
    refresh_hours=1.0,
    recent_min_rows=1000,
)


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
    scores: FloatArray, alarms: BoolArray, *, on_threshold: float | FloatArray, step_seconds: float
) -> tuple[Severity | None, ...]:
    """Severity of every alarming row, from its score against its on-level and how long its alarm has lasted."""
    levels = np.broadcast_to(np.asarray(on_threshold, dtype=np.float64), scores.shape)
    out: list[Severity | None] = []
    run_rows = 0
    for score, alarm, level in zip(scores, alarms, levels, strict=True):
        if not alarm:
            run_rows = 0
            out.append(None)
            continue
        run_rows += 1
        ratio = float(score) / float(level) if level > 0 else 1.0
        out.append(incident_severity(ratio=ratio, duration_minutes=run_rows * step_seconds / 60.0))
    return tuple(out)


def _finite(scores: FloatArray) -> FloatArray:
    out: FloatArray = np.nan_to_num(scores, nan=0.0, posinf=np.finfo(np.float64).max, neginf=0.0)
    return out


def _check_columns(train: FloatArray, test: FloatArray) -> None:
    if train.ndim != 2 or test.ndim != 2 or train.shape[1] != test.shape[1]:
        raise ValueError(f"train has {train.shape[-1]} columns but test has {test.shape[-1]}")


def detect_train_test(
    train: FloatArray, test: FloatArray, *, step_seconds: float = 60.0, config: EngineConfig = DEFAULT_CONFIG
) -> AlarmRows:
    """The streaming engine fitted on ``train`` (rows × metrics), then fed every row of ``test`` in order.

    Args:
        train: training rows.
        test: test rows, same number of columns.
        step_seconds: time between rows.
        config: the engine's configuration.

    Returns:
        One alarm row per test row.
    """
    _check_columns(train, test)
    replay = replay_matrix(train, test, step_seconds=step_seconds, config=config)
    scores = _finite(replay.scores)
    return AlarmRows(
        scores=scores,
        alarms=replay.alarms,
        severities=severities(scores, replay.alarms, on_threshold=replay.levels, step_seconds=step_seconds),
    )


def batch_scorer_train_test(
    train: FloatArray, test: FloatArray, *, step_seconds: float = 60.0, rule: AlarmRule | None = None
) -> AlarmRows:
    """The former batch scorer: fit on ``train`` (rows × metrics) and alarm on every row of ``test``.

    Args:
        train: training rows.
        test: test rows, same number of columns.
        step_seconds: time between rows, for incident durations.
        rule: the alarm rule (``PRODUCT_RULE`` when None).

    Returns:
        One alarm row per test row.
    """
    _check_columns(train, test)
    scorer = product_scorer(train)
    result = run_stream(scorer.scores(train), scorer.scores(test), rule=rule or PRODUCT_RULE, step_seconds=step_seconds)
    scores = _finite(result.scores)
    return AlarmRows(
        scores=scores,
        alarms=result.alarms,
        severities=severities(scores, result.alarms, on_threshold=result.on_levels, step_seconds=step_seconds),
    )


def product_scorer(train: FloatArray) -> RobustZScorer:
    """The product's scorer fitted on training rows."""
    return RobustZScorer.fit(train, top_k=TOP_K, std_share=STD_SHARE)


def detect_series(values: FloatArray, *, step_seconds: float, config: EngineConfig = DEFAULT_CONFIG) -> AlarmRows:
    """The streaming engine on a single series: fitted on its training prefix, fed the rest.

    Args:
        values: the series in time order.
        step_seconds: time between rows.
        config: the engine's configuration.

    Returns:
        One alarm row per row; rows of the prefix never alarm.
    """
    x = np.asarray(values, dtype=np.float64).reshape(-1, 1)
    prefix = nab_prefix_rows(x.shape[0])
    if prefix < 2 or prefix >= x.shape[0]:
        raise ValueError(f"a series needs at least 14 rows to have a training prefix (got {x.shape[0]})")
    replay = replay_matrix(x[:prefix], x[prefix:], step_seconds=step_seconds, config=config)
    tail = _finite(replay.scores)
    return AlarmRows(
        scores=np.concatenate((_finite(replay.history), tail)),
        alarms=np.concatenate((np.zeros(prefix, dtype=bool), replay.alarms)),
        severities=(None,) * prefix
        + severities(tail, replay.alarms, on_threshold=replay.levels, step_seconds=step_seconds),
    )
