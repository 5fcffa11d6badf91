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

from detectors.engine.baseline import MAX_DEVIATION, BoolArray, FloatArray, LaneBaselines
from detectors.engine.config import DEFAULT_CONFIG, EngineConfig
from detectors.engine.incidents import StreamIncidents
from detectors.engine.peaks import PeakLevels
from detectors.engine.slow import SlowStream
from detectors.model.scoring import trailing_mean

TOP_K = 5


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
    z = np.nan_to_num(np.minimum(z, MAX_DEVIATION), nan=0.0, posinf=MAX_DEVIATION)
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
    """Fit on ``train`` (rows × metrics), then stream ``test`` through the engine row by row.

    With a slow stream (``slow_smoothing``), the host's incident is open while either stream holds
    one, and the row where the slow stream opens alarms too.
    """
    train = np.clip(np.asarray(train, dtype=np.float64), -1e300, 1e300)
    test = np.clip(np.asarray(test, dtype=np.float64), -1e300, 1e300)
    width = train.shape[1]
    lanes = np.arange(width)
    baselines = LaneBaselines()
    baselines.reserve(width)
    baselines.fit(lanes, train.T)
    train_scores = row_scores(baselines, train, top_k)
    one = np.zeros(1, dtype=np.intp)
    peaks, incidents = PeakLevels(config, step_seconds=step_seconds), StreamIncidents(config)
    slow = SlowStream(config, step_seconds=step_seconds)
    for part in (peaks, incidents, slow):
        part.reserve(1)
    history = trailing_mean(train_scores, config.smoothing)
    peaks.fit(one, history[None, :])
    incidents.prime(one, train_scores[-config.smoothing :][None, :])
    if slow.enabled:
        slow.fit(one, train_scores[None, :], stride=1)
    alpha, recent_alpha = config.alpha(step_seconds), config.recent_alpha(step_seconds)
    n = test.shape[0]
    scores, levels = np.zeros(n), np.zeros(n)
    alarms = np.zeros(n, dtype=bool)
    warm = np.ones(1, dtype=bool)
    accepted = 0
    for i in range(n):
        t = i * step_seconds
        row = test[i]
        score = row_scores(baselines, row[None, :], top_k)
        fast_was_open = incidents.open[one]
        change = incidents.step(one, t, score, score, level=peaks.level[one], normal_level=peaks.u[one], warm=warm)
        slow_change = slow.step(t, one, score, score, watch=~fast_was_open)
        opened, resolved, shifted = slow.merge(change, slow_change, incidents)
        is_open = bool(incidents.open[0] or slow.levels.open[0])
        scores[i] = change.smoothed[0]
        # The slow stream's rows alarm where it opens: its longer mean would mark the rows after the deviation too.
        alarms[i] = change.abnormal.size > 0 or (slow_change is not None and slow_change.opened.size > 0)
        levels[i] = incidents.level_at_open[0] if incidents.open[0] else peaks.level[0]
        baselines.update(
            lanes, row, np.full(width, is_open), alpha=alpha, recent_alpha=recent_alpha, huber=config.huber
        )
        if shifted.size:
            accepted += 1
            baselines.accept_recent(lanes)
            for tracker in (incidents, slow.levels):
                tracker.open[0] = False
            incidents.forget(one)
            is_open = False
        normal = np.array([not is_open and opened.size == 0])
        peaks.forget_incident(resolved)
        peaks.observe(one, change.smoothed, normal)
        if slow_change is not None:
            # Its longer mean lags the fast one: emptied, it waits for a full window after the fast incident.
            emptied = np.union1d(change.resolved, shifted)
            slow.learn(one, slow_change.smoothed, normal, resolved=resolved, emptied=emptied)
    return MatrixReplay(scores=scores, alarms=alarms, levels=levels, shifts_accepted=accepted, history=history)
