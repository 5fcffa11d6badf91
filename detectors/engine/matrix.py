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

from detectors.engine.baseline import MAX_DEVIATION, BoolArray, FloatArray, IntArray, LaneBaselines
from detectors.engine.config import DEFAULT_CONFIG, EngineConfig
from detectors.engine.incidents import StreamIncidents, Transitions
from detectors.engine.peaks import PeakLevels
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


class _Stream:
    """One score stream of the host: its alarm levels and its incidents, fitted on the training scores."""

    def __init__(self, config: EngineConfig, step_seconds: float, train_scores: FloatArray) -> None:
        self.one = np.zeros(1, dtype=np.intp)
        self.peaks, self.incidents = PeakLevels(config, step_seconds=step_seconds), StreamIncidents(config)
        self.peaks.reserve(1)
        self.incidents.reserve(1)
        self.history = trailing_mean(train_scores, config.smoothing)
        self.peaks.fit(self.one, self.history[None, :])
        self.incidents.prime(self.one, train_scores[-config.smoothing :][None, :])

    def step(self, t: float, score: FloatArray, *, watch: bool | None = None) -> Transitions:
        """One score. With ``watch`` (the slow stream), it opens only then, and on a full window."""
        peaks = self.peaks
        warm = np.ones(1, dtype=bool)
        if watch is not None:
            warm = self.incidents.full(self.one) & watch
        return self.incidents.step(
            self.one, t, score, score, level=peaks.level[self.one], normal_level=peaks.u[self.one], warm=warm
        )

    @property
    def is_open(self) -> bool:
        return bool(self.incidents.open[0])

    def learn(self, ended: IntArray, smoothed: FloatArray, normal: BoolArray) -> None:
        self.peaks.forget_incident(ended)
        self.peaks.observe(self.one, smoothed, normal)


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
    fast = _Stream(config, step_seconds, train_scores)
    slow_config = config.slow
    slow = _Stream(slow_config, step_seconds, train_scores) if slow_config is not None else None
    alpha, recent_alpha = config.alpha(step_seconds), config.recent_alpha(step_seconds)
    n = test.shape[0]
    scores, levels = np.zeros(n), np.zeros(n)
    alarms = np.zeros(n, dtype=bool)
    accepted = 0
    for i in range(n):
        t = i * step_seconds
        row = test[i]
        score = row_scores(baselines, row[None, :], top_k)
        was_open = fast.is_open
        change = fast.step(t, score)
        slow_change = slow.step(t, score, watch=not was_open) if slow is not None else None
        resolved = change.resolved.size > 0 or (slow_change is not None and slow_change.resolved.size > 0)
        is_open = fast.is_open or (slow is not None and slow.is_open)
        scores[i] = change.smoothed[0]
        # The slow stream's rows alarm where it opens: its longer mean would mark the rows after the deviation too.
        alarms[i] = change.abnormal.size > 0 or (slow_change is not None and slow_change.opened.size > 0)
        levels[i] = fast.incidents.level_at_open[0] if fast.is_open else fast.peaks.level[0]
        frozen = np.full(width, is_open)
        baselines.update(lanes, row, frozen, alpha=alpha, recent_alpha=recent_alpha, huber=config.huber)
        shifted = change.accepted.size > 0 or (slow_change is not None and slow_change.accepted.size > 0)
        if shifted:
            accepted += 1
            baselines.accept_recent(lanes)
            for stream in (fast, slow):
                if stream is not None:
                    stream.incidents.open[0] = False
                    stream.incidents.forget(stream.one)
            is_open = False
        ended = fast.one if resolved and not is_open else fast.one[:0]
        opened = change.opened.size > 0 or (slow_change is not None and slow_change.opened.size > 0)
        normal = np.array([not is_open and not opened])
        fast.learn(ended, change.smoothed, normal)
        if slow is not None and slow_change is not None:
            slow.learn(ended, slow_change.smoothed, normal)
            if change.resolved.size:
                # Its longer mean lags the fast one: emptied, it waits for a full window after the fast incident.
                slow.incidents.forget(slow.one)
    return MatrixReplay(scores=scores, alarms=alarms, levels=levels, shifts_accepted=accepted, history=fast.history)
