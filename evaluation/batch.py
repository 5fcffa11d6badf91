"""Batch detection over recorded data (the ``detect batch`` contract): the streaming engine replays the file. Pure.

Two shapes of input:
- a multivariate train/test pair (SMD): fit on the training rows, alarm on every test row;
- a single series with a training prefix (NAB): the prefix is NAB's probationary period,
  ``min(floor(0.15·n), 750)`` rows, never alarms, and is the only data the baselines start from.

Both go through ``detectors.engine.matrix.replay_matrix``, the engine the live detection job
runs (robust per-metric baselines adapting causally, a POT alarm level, incidents that hold
against the pre-incident baseline). The alarm at row t depends only on the training rows and
the test rows up to t. ``PRODUCT_RULE`` is the threshold rule the comparison baselines of
``evaluation.quality`` (IsolationForest, random) are measured under.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from detectors.engine.config import DEFAULT_CONFIG, EngineConfig
from detectors.engine.matrix import replay_matrix
from detectors.model.scoring import AlarmRule, BoolArray, FloatArray
from detectors.model.severity import incident_severity
from domain.models import Severity

NAB_PREFIX_SHARE = 0.15
NAB_PREFIX_MAX = 750
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


def _check_step(step_seconds: float) -> None:
    if not (math.isfinite(step_seconds) and step_seconds > 0):
        raise ValueError(f"the step between rows must be a positive number of seconds (got {step_seconds})")


def detect_train_test(
    train: FloatArray, test: FloatArray, *, step_seconds: float = 60.0, config: EngineConfig = DEFAULT_CONFIG
) -> AlarmRows:
    """Fit on ``train`` (rows × metrics) and alarm on every row of ``test``, through the streaming engine.

    Args:
        train: training rows.
        test: test rows, same number of columns.
        step_seconds: time between rows.
        config: the engine's knobs (the product's when omitted).

    Returns:
        One alarm row per test row.

    Raises:
        ValueError: the shapes differ or the step is not a positive finite number.
    """
    if train.ndim != 2 or test.ndim != 2 or train.shape[1] != test.shape[1]:
        raise ValueError(f"train has {train.shape[-1]} columns but test has {test.shape[-1]}")
    _check_step(step_seconds)
    replay = replay_matrix(train, test, step_seconds=step_seconds, config=config)
    return _rows(replay.scores, replay.alarms, replay.levels, step_seconds)


def _rows(scores: FloatArray, alarms: BoolArray, levels: FloatArray, step_seconds: float) -> AlarmRows:
    finite = _finite(scores)
    return AlarmRows(
        scores=finite,
        alarms=alarms,
        severities=severities(finite, alarms, on_threshold=_finite(levels), step_seconds=step_seconds),
    )


def detect_series(values: FloatArray, *, step_seconds: float, config: EngineConfig = DEFAULT_CONFIG) -> AlarmRows:
    """Alarm on a single series after its training prefix, through the streaming engine.

    Args:
        values: the series in time order.
        step_seconds: time between rows.
        config: the engine's knobs (the product's when omitted).

    Returns:
        One alarm row per row; rows of the prefix never alarm (their score is 0).

    Raises:
        ValueError: the series is too short for a training prefix, or the step is not valid.
    """
    x = np.asarray(values, dtype=np.float64).reshape(-1, 1)
    prefix = nab_prefix_rows(x.shape[0])
    if prefix < 2 or prefix >= x.shape[0]:
        raise ValueError(f"a series needs at least 14 rows to have a training prefix (got {x.shape[0]})")
    _check_step(step_seconds)
    replay = replay_matrix(x[:prefix], x[prefix:], step_seconds=step_seconds, config=config, top_k=1)
    tail = _rows(replay.scores, replay.alarms, replay.levels, step_seconds)
    return AlarmRows(
        scores=np.concatenate((np.zeros(prefix), tail.scores)),
        alarms=np.concatenate((np.zeros(prefix, dtype=bool), tail.alarms)),
        severities=(None,) * prefix + tail.severities,
    )
