"""Alarm levels per stream, from the stream's own causal score history.

With m the median, u the ``peak_quantile`` and q the ``level_quantile`` of a stream's fitted
score history, the alarm level is m + ``level_share``·(q − m), raised to the recent raise
(``detectors/engine/recent.py``: how high the stream's own normal scores went in the last day)
when that is higher, and never below ``min_level`` spreads (a smooth, bounded signal such as a
sine would otherwise alarm just above its own maximum). u is where an incident's hold starts.
Where the history's tail is light (its fitted shape γ at most ``light_tail_shape``: no heavier than
exponential, as for Gaussian or autocorrelated noise), the extreme-value level below is a floor
under that: a quantile share of such a tail sits close to its bulk, and would alarm about once a
day on noise; on a heavy tail (spiky history) the extreme-value level extrapolates far past the
spikes, and the quantile share alone holds.
With ``level_share`` = 0 the history part is an extreme-value fit instead, peaks over threshold
(POT): the excesses over u are fitted with a generalised Pareto distribution by the method of
moments, and the level is the score exceeded with probability ``risk`` on normal data,
u + σ/γ·((risk·n/k)^(−γ) − 1) (u − σ·ln(risk·n/k) when γ = 0), n the scores seen and k the peaks
among them (Siffer et al., "Anomaly Detection in Streams with Extreme Value Theory", KDD 2017);
every normal score above u becomes a peak (the last ``max_peaks`` are kept) and the tail is
refitted every ``refit_samples`` samples. Scores of an open incident or above the alarm level are
not normal and never enter either. Nor, in the fitted history, does a wild score: one further
above m than 20 times u's distance from it (one spike in the training rows, smoothed over a few of
them, would otherwise set the level of everything after it). Pure, vectorised over streams.
"""

from __future__ import annotations

import warnings

import numpy as np

from detectors.engine.baseline import BoolArray, FloatArray, IntArray, grown, room_for, row_quantiles
from detectors.engine.config import EngineConfig
from detectors.engine.recent import RecentPeaks

_GAMMA_LIMIT = 0.45
_FALLBACK_MARGIN = 3.0


class PeakLevels:
    """Per stream: u, the fitted tail, the peaks kept, the recent raise and the alarm level."""

    def __init__(self, config: EngineConfig, *, step_seconds: float = 60.0) -> None:
        self.config = config
        self.step_seconds = step_seconds
        self.recent = RecentPeaks(config, step_seconds)
        self.u: FloatArray = np.zeros(0)
        self.tail: FloatArray = np.zeros(0)
        self.shape: FloatArray = np.zeros(0)
        self.history_level: FloatArray = np.zeros(0)
        self.level: FloatArray = np.zeros(0)
        self.seen: FloatArray = np.zeros(0)
        self.over: FloatArray = np.zeros(0)
        # The ring of peaks serves the extreme-value tail only: without it (``level_share`` > 0) it has no columns.
        self.ring = config.max_peaks if config.level_share <= 0 else 0
        self.peaks: FloatArray = np.zeros((0, self.ring))
        self.cursor: IntArray = np.zeros(0, dtype=np.intp)
        self.since_fit: IntArray = np.zeros(0, dtype=np.intp)

    @property
    def size(self) -> int:
        """Streams held."""
        return int(self.u.shape[0])

    def reserve(self, size: int) -> None:
        """Make room for ``size`` streams (new ones have no history: level +inf until fitted or warmed up)."""
        if size <= self.size:
            return
        capacity = room_for(size, self.size)
        self.recent.reserve(capacity)
        self.u = grown(self.u, capacity, np.inf)
        self.tail = grown(self.tail, capacity, np.inf)
        self.shape = grown(self.shape, capacity, np.inf)
        self.history_level = grown(self.history_level, capacity, -np.inf)
        self.level = grown(self.level, capacity, np.inf)
        self.seen = grown(self.seen, capacity, 0.0)
        self.over = grown(self.over, capacity, 0.0)
        self.peaks = grown(self.peaks, capacity, np.nan)
        self.cursor = grown(self.cursor, capacity, 0)
        self.since_fit = grown(self.since_fit, capacity, 0)

    def fit(self, streams: IntArray, history: FloatArray, *, stride: int = 1) -> None:
        """Set u and the peaks of ``streams`` from their score history (streams × time, NaN = missing).

        ``stride``: the history's sampling interval in live steps (each of its samples stands for that many).
        """
        if streams.size == 0:
            return
        scores = np.asarray(history, dtype=np.float64)
        finite = np.isfinite(scores)
        n = finite.sum(axis=1)
        has = n > 0
        streams, scores, finite, n = streams[has], scores[has], finite[has], n[has]
        if streams.size == 0:
            return
        cfg = self.config
        scores, finite = _without_wild(scores, finite)
        centre, u, high = row_quantiles(
            np.where(finite, scores, np.nan), (0.5, cfg.peak_quantile, cfg.level_quantile)
        ).T
        self.history_level[streams] = centre + cfg.level_share * (high - centre) if cfg.level_share > 0 else -np.inf
        excess = np.where(finite & (scores > u[:, None]), scores - u[:, None], np.nan)
        k = self.ring
        if k:
            # The most recent peaks first: sort each row's peak positions by time and keep the last k.
            order = np.argsort(np.isfinite(excess), axis=1, kind="stable")[:, -k:]
            kept = np.take_along_axis(excess, order, axis=1)
            ring = np.full((streams.size, k), np.nan)
            ring[:, k - kept.shape[1] :] = kept
            self.peaks[streams] = ring
        self.u[streams] = u
        stride = max(1, int(stride))
        self.seen[streams] = n * stride
        self.over[streams] = np.isfinite(excess).sum(axis=1) * stride
        self.cursor[streams] = 0
        if not k:  # the tail of a young stream's level, from every peak of its history
            self.tail[streams] = self._tail(streams, excess)
        self.recent.fit(streams, scores, centre, stride=stride)
        self.refit(streams)

    def start(self, streams: IntArray, u: FloatArray) -> None:
        """Start streams without history at a given u (no peaks yet: level u + 3 until fitted)."""
        self.u[streams] = u
        self.seen[streams] = 0.0
        self.over[streams] = 0.0
        self.peaks[streams] = np.nan
        self.history_level[streams] = u + _FALLBACK_MARGIN
        self.tail[streams] = u + _FALLBACK_MARGIN
        self.shape[streams] = np.inf
        # No history: the raise is measured from 0 (no deviation) until the stream is refitted.
        self.recent.clear(streams, np.zeros(streams.size))
        self.refit(streams)

    def refit(self, streams: IntArray) -> None:
        """Refit the tail of ``streams`` on their kept peaks."""
        if streams.size == 0:
            return
        if self.ring:  # without a ring the tail stays as fitted on the history
            self.tail[streams] = self._tail(streams, self.peaks[streams])
        self.since_fit[streams] = 0
        self._combine(streams)

    def _tail(self, streams: IntArray, peaks: FloatArray) -> FloatArray:
        """The extreme-value level of ``streams`` from their peaks (streams × peaks, NaN = none); keeps its shape γ."""
        cfg = self.config
        count = np.isfinite(peaks).sum(axis=1)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(peaks, axis=1)
            var = np.nanvar(peaks, axis=1)
            ratio = mean * mean / var
            gamma = np.clip(0.5 * (1.0 - ratio), -_GAMMA_LIMIT, _GAMMA_LIMIT)
            sigma = 0.5 * mean * (ratio + 1.0)
            odds = np.clip(cfg.risk * self.seen[streams] / np.maximum(self.over[streams], 1.0), 1e-12, 1.0)
            tail = np.where(np.abs(gamma) < 1e-6, -sigma * np.log(odds), sigma / gamma * (np.power(odds, -gamma) - 1.0))
        u = self.u[streams]
        fitted = (count >= cfg.min_peaks) & np.isfinite(tail) & (tail > 0)
        self.shape[streams] = np.where(fitted, gamma, np.inf)
        return np.where(fitted, u + np.where(fitted, tail, 0.0), u + _FALLBACK_MARGIN)

    def _combine(self, streams: IntArray) -> None:
        """The alarm level: the history's (the tail's if ``level_share`` is 0, the higher of both while the
        stream is young or its tail is light) or the recent raise, ≥ ``min_level``."""
        cfg = self.config
        if cfg.level_share > 0:
            young = self.seen[streams] * self.step_seconds < cfg.young_hours * 3600.0
            own = self.history_level[streams]
            light = self.shape[streams] <= cfg.light_tail_shape
            base = np.where(young | light, np.fmax(own, self.tail[streams]), own)
        else:
            base = self.tail[streams]
        self.level[streams] = np.maximum(np.fmax(base, self.recent.raised[streams]), self.config.min_level)

    def forget_incident(self, streams: IntArray) -> None:
        """``streams`` have just resolved an incident: its samples no longer count as recent normal."""
        self.recent.resolved(streams)
        self._combine(streams)

    def observe(self, streams: IntArray, scores: FloatArray, normal: BoolArray) -> None:
        """Count the finite scores and keep the normal ones above u as peaks; refit the streams that are due."""
        finite = np.isfinite(scores)
        idx = streams[finite]
        self.seen[idx] += 1.0
        self.since_fit[idx] += 1
        peak = finite & normal & (scores > self.u[streams])
        if peak.any():
            p = streams[peak]
            self.over[p] += 1.0
            if self.ring:
                self.peaks[p, self.cursor[p]] = scores[peak] - self.u[p]
                self.cursor[p] = (self.cursor[p] + 1) % self.ring
        raised = self.recent.observe(streams, scores, normal)
        if raised.size:
            self._combine(raised)
        due = idx[self.since_fit[idx] >= self.config.refit_samples]
        if due.size:
            self.refit(due)


#: A score further above the median than this many times u's distance from it is a wild value of the
#: history, not its tail: it is left out of the fit (live, such a sample is an incident and never counted).
_WILD = 20.0


def _without_wild(scores: FloatArray, finite: BoolArray) -> tuple[FloatArray, BoolArray]:
    """The score history without its wild values, judged against the median and the 98th percentile of the
    history itself (one wild value, smoothed over a few rows, must not set the alarm level of all after it)."""
    centre, u = row_quantiles(np.where(finite, scores, np.nan), (0.5, 0.98)).T
    with np.errstate(invalid="ignore"):
        wild = finite & (scores > (centre + _WILD * np.maximum(u - centre, 0.0))[:, None])
    return np.where(wild, np.nan, scores), finite & ~wild
