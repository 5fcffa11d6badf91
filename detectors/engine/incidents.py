"""Open incidents per score stream: when they open, how long they last, when they end. Pure, vectorised.

A stream's raw scores are smoothed by a trailing mean of ``smoothing`` finite scores (a missing
sample changes nothing). An incident opens when the smoothed score rises above the stream's alarm
level (and the stream is past its warm-up); it stays open while the score stays above u, the
level peaks start at, and resolves once the score has stayed under u for ``recovery_seconds``.
With ``hold_share`` > 0 it holds only while the score stays above u + hold_share·(level at
opening − u): a stream whose score hovers just over u after the incident is not held open by it.
An incident still open after ``horizon_seconds`` is a level shift: it is closed as accepted,
and the caller moves the baseline to the recent level (with a one-time note).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detectors.engine.baseline import BoolArray, FloatArray, IntArray, grown, room_for
from detectors.engine.config import EngineConfig


@dataclass(frozen=True)
class Transitions:
    """What one step changed, as stream indices, and the smoothed score of every stream stepped.

    ``abnormal`` holds the streams in an alarm run at this step (the rows ``detect batch`` marks): a
    run starts when the incident opens, or when the score of an open incident climbs back above
    the alarm level, and lasts while the score stays above the hold level, and above the hold the
    current alarm level gives (so a run ends once the lane's recent scores have caught up with it,
    while the incident itself is still held against its opening level).
    """

    smoothed: FloatArray
    opened: IntArray
    resolved: IntArray
    accepted: IntArray
    abnormal: IntArray


class StreamIncidents:
    """Per stream: smoothing window, open flag, start, last abnormal time, peak score and value.

    The value kept is the one behind the peak smoothed score, or with ``highest_value`` the highest
    value while the incident was abnormal: a smoothed score peaks at the row that keeps the window's
    mean highest, whose own value can be an ordinary one (the slow stream's 24 rows most of all).
    """

    def __init__(self, config: EngineConfig, *, highest_value: bool = False) -> None:
        self.config = config
        self.highest_value = highest_value
        width = max(1, config.smoothing)
        self.window: FloatArray = np.zeros((0, width))
        self.cursor: IntArray = np.zeros(0, dtype=np.intp)
        self.open: BoolArray = np.zeros(0, dtype=bool)
        self.opened_at: FloatArray = np.zeros(0)
        self.last_abnormal: FloatArray = np.zeros(0)
        self.peak: FloatArray = np.zeros(0)
        self.peak_value: FloatArray = np.zeros(0)
        self.level_at_open: FloatArray = np.zeros(0)
        self.alarming: BoolArray = np.zeros(0, dtype=bool)

    @property
    def size(self) -> int:
        """Streams held."""
        return int(self.open.shape[0])

    def reserve(self, size: int) -> None:
        """Make room for ``size`` streams."""
        if size <= self.size:
            return
        capacity = room_for(size, self.size)
        self.window = grown(self.window, capacity, np.nan)
        self.cursor = grown(self.cursor, capacity, 0)
        self.open = grown(self.open, capacity, False)
        self.opened_at = grown(self.opened_at, capacity, np.nan)
        self.last_abnormal = grown(self.last_abnormal, capacity, np.nan)
        self.peak = grown(self.peak, capacity, 0.0)
        self.peak_value = grown(self.peak_value, capacity, np.nan)
        self.level_at_open = grown(self.level_at_open, capacity, np.nan)
        self.alarming = grown(self.alarming, capacity, False)

    def prime(self, streams: IntArray, recent_scores: FloatArray) -> None:
        """Fill the smoothing window of ``streams`` with their last scores (streams × time)."""
        width = self.window.shape[1]
        tail = np.asarray(recent_scores, dtype=np.float64)[:, -width:]
        self.window[streams] = np.nan
        self.window[streams, width - tail.shape[1] :] = tail
        self.cursor[streams] = 0

    def forget(self, streams: IntArray) -> None:
        """Drop the scores in the smoothing windows of ``streams`` (they were taken against a baseline now replaced)."""
        self.window[streams] = np.nan

    def full(self, streams: IntArray) -> BoolArray:
        """Whether the smoothing window of each stream holds a score in every slot."""
        out: BoolArray = np.asarray(np.isfinite(self.window[streams]).all(axis=1))
        return out

    def smooth(self, streams: IntArray, scores: FloatArray) -> FloatArray:
        """Push the finite scores into the windows; the trailing mean of every stream given (NaN if none)."""
        finite = np.isfinite(scores)
        idx = streams[finite]
        self.window[idx, self.cursor[idx]] = scores[finite]
        self.cursor[idx] = (self.cursor[idx] + 1) % self.window.shape[1]
        rows = self.window[streams]
        count = np.isfinite(rows).sum(axis=1)
        total = np.nansum(rows, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out: FloatArray = np.where(finite & (count > 0), total / np.maximum(count, 1), np.nan)
        return out

    def step(
        self,
        streams: IntArray,
        t: float,
        scores: FloatArray,
        values: FloatArray,
        *,
        level: FloatArray,
        normal_level: FloatArray,
        warm: BoolArray,
    ) -> Transitions:
        """Advance ``streams`` to time ``t`` with their raw scores (NaN = no sample) and the values behind them."""
        cfg = self.config
        smoothed = self.smooth(streams, scores)
        finite = np.isfinite(smoothed)
        was_open = self.open[streams]
        opens = ~was_open & warm & finite & (smoothed > level)
        hold = self.hold_levels(streams, normal_level)
        abnormal = finite & (smoothed > hold)
        still = was_open & abnormal
        if opens.any():
            o = streams[opens]
            self.open[o] = True
            self.opened_at[o] = t
            self.peak[o] = -np.inf
            self.peak_value[o] = np.nan
            self.level_at_open[o] = level[opens]
        touched = opens | still
        if touched.any():
            s = streams[touched]
            self.last_abnormal[s] = t
            higher = smoothed[touched] > self.peak[s]
            self.peak[s[higher]] = smoothed[touched][higher]
            if self.highest_value:
                self.peak_value[s] = np.fmax(self.peak_value[s], values[touched])
            else:
                self.peak_value[s[higher]] = values[touched][higher]
        quiet = was_open & finite & ~abnormal & (t - self.last_abnormal[streams] >= cfg.recovery_seconds)
        shifted = was_open & ~quiet & (t - self.opened_at[streams] >= cfg.horizon_seconds)
        ended = streams[quiet | shifted]
        self.open[ended] = False
        current = normal_level + cfg.hold_share * np.maximum(level - normal_level, 0.0)
        keep = np.fmax(hold, current)
        alarming = opens | (was_open & finite & (smoothed > np.where(self.alarming[streams], keep, level)))
        self.alarming[streams] = alarming & self.open[streams]
        return Transitions(
            smoothed=smoothed,
            opened=streams[opens],
            resolved=streams[quiet],
            accepted=streams[shifted],
            abnormal=streams[alarming],
        )

    def hold_levels(self, streams: IntArray, normal_level: FloatArray) -> FloatArray:
        """What an open incident's score must stay above: ``hold_share`` of the way from u to its opening level."""
        if self.config.hold_share <= 0:
            return normal_level
        above = self.level_at_open[streams] - normal_level
        above = np.where(self.open[streams] & np.isfinite(above) & (above > 0), above, 0.0)
        out: FloatArray = normal_level + self.config.hold_share * above
        return out

    def ratio(self, streams: IntArray) -> FloatArray:
        """Peak smoothed score over the alarm level at opening (≥ 1 for an incident that opened)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            out: FloatArray = self.peak[streams] / np.where(
                self.level_at_open[streams] > 0, self.level_at_open[streams], 1.0
            )
        return out


def trailing_means(scores: FloatArray, window: int) -> FloatArray:
    """Trailing mean along time (lanes × time) of the finite scores; NaN where the score itself is missing."""
    finite = np.isfinite(scores)
    total = _rolling_sum(np.where(finite, scores, 0.0), window)
    count = _rolling_sum(finite.astype(np.float64), window)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(finite, total / np.where(count > 0, count, np.nan), np.nan)
    return out


def _rolling_sum(x: FloatArray, window: int) -> FloatArray:
    csum = np.concatenate((np.zeros((x.shape[0], 1)), np.cumsum(x, axis=1)), axis=1)
    idx = np.arange(x.shape[1])
    lo = np.maximum(0, idx - max(window, 1) + 1)
    out: FloatArray = csum[:, idx + 1] - csum[:, lo]
    return out
