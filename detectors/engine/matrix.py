"""The engine over a recorded matrix (one host, rows × metrics, in time order): what ``detect batch`` runs.

Each column is a lane with its own robust baseline; a row's score is the mean of its ``top_k``
largest absolute deviations (in spreads), and the host is one score stream with its POT alarm
level and its incidents. The baselines are fitted on the training rows and then adapt causally,
frozen while an incident is open; the alarm level comes from the training scores and every
normal score since. Row t's alarm depends on the training rows and the test rows up to t only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detectors.engine.baseline import BoolArray, FloatArray, LaneBaselines
from detectors.engine.config import DEFAULT_CONFIG, EngineConfig
from detectors.engine.incidents import StreamIncidents
from detectors.engine.peaks import PeakLevels
from detectors.model.scoring import trailing_mean

TOP_K = 5
# Deviations are capped so values near the float limits give large but finite scores.
_MAX_DEVIATION = 1e6


@dataclass(frozen=True)
class MatrixReplay:
    """Per test row: smoothed score, alarm, and the alarm level of the incident it belongs to.

    ``history`` holds the smoothed scores of the training rows the levels were fitted on.

    A row alarms when its incident opens or holds there (its score above the hold level); the
    recovery rows after that, while the incident waits to resolve, do not.
    """

    scores: FloatArray
    alarms: BoolArray
    levels: FloatArray
    shifts_accepted: int
    history: FloatArray


def row_scores(baselines: LaneBaselines, rows: FloatArray, top_k: int) -> FloatArray:
    """Score of every row (rows × lanes) against the current baselines: mean of its ``top_k`` largest |deviations|."""
    lanes = np.arange(rows.shape[1])
    z = np.abs((rows - baselines.centre[lanes]) / baselines.spread[lanes])
    z = np.nan_to_num(np.minimum(z, _MAX_DEVIATION), nan=0.0, posinf=_MAX_DEVIATION)
    k = max(1, min(top_k, z.shape[1]))
    out: FloatArray = np.partition(z, z.shape[1] - k, axis=1)[:, -k:].mean(axis=1)
    return out


def replay_matrix(
    train: FloatArray,
    test: FloatArray,
    *,
    step_seconds: float,
    config: EngineConfig = DEFAULT_CONFIG,
    top_k: int = TOP_K,
) -> MatrixReplay:
    """Fit on ``train`` (rows × metrics), then stream ``test`` through the engine row by row."""
    train = np.clip(np.asarray(train, dtype=np.float64), -1e300, 1e300)
    test = np.clip(np.asarray(test, dtype=np.float64), -1e300, 1e300)
    width = train.shape[1]
    lanes = np.arange(width)
    baselines = LaneBaselines()
    baselines.reserve(width)
    baselines.fit(lanes, train.T)
    stream = np.zeros(1, dtype=np.intp)
    peaks, incidents = PeakLevels(config, step_seconds=step_seconds), StreamIncidents(config)
    peaks.reserve(1)
    incidents.reserve(1)
    history = trailing_mean(row_scores(baselines, train, top_k), config.smoothing)
    peaks.fit(stream, history[None, :])
    incidents.prime(stream, row_scores(baselines, train[-config.smoothing :], top_k)[None, :])
    alpha, recent_alpha = config.alpha(step_seconds), config.recent_alpha(step_seconds)
    n = test.shape[0]
    scores, levels = np.zeros(n), np.zeros(n)
    alarms = np.zeros(n, dtype=bool)
    warm = np.ones(1, dtype=bool)
    accepted = 0
    for i in range(n):
        row = test[i]
        score = row_scores(baselines, row[None, :], top_k)
        change = incidents.step(
            stream, i * step_seconds, score, score, level=peaks.level[stream], normal_level=peaks.u[stream], warm=warm
        )
        is_open = bool(incidents.open[0])
        scores[i] = change.smoothed[0]
        alarms[i] = change.abnormal.size > 0
        levels[i] = incidents.level_at_open[0] if is_open else peaks.level[0]
        frozen = np.full(width, is_open)
        baselines.update(lanes, row, frozen, alpha=alpha, recent_alpha=recent_alpha, huber=config.huber)
        if change.accepted.size:
            accepted += 1
            baselines.accept_recent(lanes)
            incidents.forget(stream)
        normal = np.array([not is_open and change.opened.size == 0])
        peaks.forget_incident(change.resolved)
        peaks.observe(stream, change.smoothed, normal)
    return MatrixReplay(scores=scores, alarms=alarms, levels=levels, shifts_accepted=accepted, history=history)
