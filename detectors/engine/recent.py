"""The recent raise of a stream's alarm level: how high its own normal scores went lately. Pure, vectorised.

Every ``raise_refresh_hours`` of samples (a block) the level is recomputed from the blocks before:
with r the ``raise_quantile`` of the smoothed scores of the last ``raise_hours`` (at least
``raise_min_samples`` samples) and m the median of the stream's fitted score history, the alarm
level is raised to m + ``raise_share``·(r − m). A stream whose normal has drifted since its fit
then stops alarming on the drift itself, while a short incident still stands out against its own
recent past. The first ``raise_exclude_hours`` of samples that are not normal (an open incident)
are left out, and counted after all once the incident outlasts that, so one short incident does
not hide the next while a long one does become recent history. When a long one resolves and the
stream then stays normal for ``raise_forget_hours``, the blocks it was counted in are dropped: it
was not the new normal, and the next incident of its size must alarm again. A short incident
that resolves within ``recur_hours`` of the end of the stream's previous one is counted after
all: bursts that recur are the stream's recent past, and once they are more than the top
``1 - raise_quantile`` of it they stop alarming.

Only the ``raise_keep`` largest scores of each block are kept (the quantile is near the top, so
this is exact while a block's share of the window's top is no larger, and a slight underestimate
otherwise), as half-precision floats capped at ``TOP_LIMIT`` spreads (three significant digits,
plenty for a level), which keeps the memory per stream small for large fleets: about 900 bytes.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from detectors.engine.baseline import BoolArray, FloatArray, IntArray, grown, room_for
from detectors.engine.config import EngineConfig

Float16Array = npt.NDArray[np.float16]
#: Scores are kept up to this many spreads (half precision ends at 65,504).
TOP_LIMIT = 60_000.0
Int32Array = npt.NDArray[np.int32]
#: Samples since the previous incident of a stream that has had none.
_NEVER = 1 << 40


class RecentPeaks:
    """Per stream: the largest scores of each recent block, the samples counted, and the raised level."""

    def __init__(self, config: EngineConfig, step_seconds: float) -> None:
        self.config = config
        step = max(step_seconds, 1e-9)
        self.block = max(1, math.floor(config.raise_refresh_hours * 3600.0 / step))
        reach = max(1, math.floor(config.raise_hours * 3600.0 / step), config.raise_min_samples)
        self.blocks = math.ceil(reach / self.block)
        self.young = math.floor(config.raise_exclude_hours * 3600.0 / step)
        keep = max(1, config.raise_keep)
        slots = self.blocks + 1
        self.tops: Float16Array = np.full((0, slots, keep), -np.inf, dtype=np.float16)
        self.counts: Int32Array = np.zeros((0, slots), dtype=np.int32)
        self.slot: IntArray = np.zeros(0, dtype=np.intp)
        self.filled: IntArray = np.zeros(0, dtype=np.intp)
        self.run: IntArray = np.zeros(0, dtype=np.intp)
        self.pending: Float16Array = np.full((0, keep), -np.inf, dtype=np.float16)
        self.pending_count: Int32Array = np.zeros(0, dtype=np.int32)
        self.centre: FloatArray = np.zeros(0)
        self.raised: FloatArray = np.zeros(0)
        self.forget_after = math.ceil(config.raise_forget_hours * 3600.0 / step)
        self.forget_run: IntArray = np.zeros(0, dtype=np.intp)
        self.quiet: IntArray = np.zeros(0, dtype=np.intp)
        self.recur_within = math.floor(config.recur_hours * 3600.0 / step)
        self.since_end: IntArray = np.zeros(0, dtype=np.intp)

    @property
    def size(self) -> int:
        """Streams held."""
        return int(self.slot.shape[0])

    @property
    def enabled(self) -> bool:
        """Whether the raise is on at all (``raise_share`` > 0)."""
        return self.config.raise_share > 0

    def reserve(self, size: int) -> None:
        """Make room for ``size`` streams (new ones have no recent blocks: no raise)."""
        if size <= self.size:
            return
        capacity = room_for(size, self.size)
        self.tops = grown(self.tops, capacity, -np.inf)
        self.counts = grown(self.counts, capacity, 0)
        self.slot = grown(self.slot, capacity, 0)
        self.filled = grown(self.filled, capacity, 0)
        self.run = grown(self.run, capacity, 0)
        self.pending = grown(self.pending, capacity, -np.inf)
        self.pending_count = grown(self.pending_count, capacity, 0)
        self.centre = grown(self.centre, capacity, 0.0)
        self.raised = grown(self.raised, capacity, -np.inf)
        self.forget_run = grown(self.forget_run, capacity, 0)
        self.quiet = grown(self.quiet, capacity, 0)
        self.since_end = grown(self.since_end, capacity, _NEVER)

    def fit(self, streams: IntArray, history: FloatArray, centre: FloatArray, *, stride: int = 1) -> None:
        """Fill the blocks of ``streams`` from the end of their smoothed score history (streams × time).

        ``stride`` is the history's sampling interval in live steps: a history read every 7 minutes
        for a feed of one row a minute fills a block (``raise_refresh_hours``) from a seventh of the
        rows, each counted 7 times, so its blocks span the hours they do live.
        """
        if not self.enabled or streams.size == 0:
            return
        scores = np.asarray(history, dtype=np.float64)
        stride = max(1, int(stride))
        rows = max(1, round(self.block / stride))
        whole = min(self.blocks, scores.shape[1] // rows)
        keep = self.tops.shape[2]
        self.clear(streams, centre)
        if whole > 0:
            tail = scores[:, scores.shape[1] - whole * rows :].reshape(streams.size, whole, rows)
            finite = np.isfinite(tail)
            ranked = -np.sort(-np.where(finite, tail, -np.inf), axis=2)[:, :, :keep]
            width = ranked.shape[2]
            capped = np.minimum(ranked, TOP_LIMIT).astype(np.float16)
            self.tops[streams[:, None], np.arange(whole)[None, :], :width] = capped
            self.counts[streams[:, None], np.arange(whole)[None, :]] = finite.sum(axis=2) * stride
        self.slot[streams] = whole % (self.blocks + 1)
        self.recompute(streams)

    def clear(self, streams: IntArray, centre: FloatArray) -> None:
        """Forget the recent blocks of ``streams`` and set the median their raise is measured from."""
        self.tops[streams] = -np.inf
        self.counts[streams] = 0
        self.slot[streams] = 0
        self.filled[streams] = 0
        self.run[streams] = 0
        self.pending[streams] = -np.inf
        self.pending_count[streams] = 0
        self.centre[streams] = centre
        self.raised[streams] = -np.inf
        self.forget_run[streams] = 0
        self.quiet[streams] = 0
        self.since_end[streams] = _NEVER

    def observe(self, streams: IntArray, scores: FloatArray, normal: BoolArray) -> IntArray:
        """Count each finite score in its stream's block; the streams whose level was recomputed."""
        if not self.enabled:
            return np.zeros(0, dtype=np.intp)
        finite = np.isfinite(scores)
        idx, x, ok = streams[finite], np.minimum(scores[finite], TOP_LIMIT), normal[finite]
        run = np.where(ok, 0, self.run[idx] + 1)
        self.pending_count[idx[ok]] = 0
        self.pending[idx[ok]] = -np.inf
        self.run[idx] = run
        young = ~ok & (run <= self.young)
        if young.any():
            self._push(self.pending, idx[young], x[young])
            self.pending_count[idx[young]] += 1
        grown_up = ~ok & (run == self.young + 1)
        if grown_up.any():
            g = idx[grown_up]
            self._merge(g)
        counted = ~young
        self._add(idx[counted], x[counted])
        self.filled[idx] += 1
        self.since_end[idx] += 1
        forgotten = np.zeros(0, dtype=np.intp)
        waiting = self.forget_run[idx] > 0
        if waiting.any():
            w = idx[waiting]
            self.forget_run[idx[waiting & ~ok]] = 0
            self.quiet[w] += 1
            forgotten = w[(self.forget_run[w] > 0) & (self.quiet[w] >= self.forget_after)]
            self._forget(forgotten)
        due = idx[self.filled[idx] >= self.block]
        if due.size:
            self.filled[due] = 0
            self.slot[due] = (self.slot[due] + 1) % (self.blocks + 1)
            self.tops[due, self.slot[due]] = -np.inf
            self.counts[due, self.slot[due]] = 0
            self.recompute(due)
        return np.union1d(due, forgotten) if forgotten.size else due

    def resolved(self, streams: IntArray) -> None:
        """``streams`` have just resolved an incident: once they stay normal for ``raise_forget_hours`` its
        samples stop counting as recent normal (it was not the new normal); another incident before then
        keeps them (the stream is one whose incidents recur). A short one that ends within ``recur_hours``
        of the previous one is counted as recent normal now."""
        if not self.enabled or streams.size == 0:
            return
        recurs = streams[(self.since_end[streams] <= self.recur_within) & (self.pending_count[streams] > 0)]
        self.since_end[streams] = 0
        if recurs.size:
            self._merge(recurs)
        counted = np.where(self.run[streams] > self.young, self.run[streams], 0)
        self.forget_run[streams] = counted
        self.quiet[streams] = 0
        self._forget(streams[(counted > 0) & (self.forget_after <= 0)])

    def _forget(self, streams: IntArray) -> None:
        """Drop the blocks holding the ``forget_run`` samples that end ``quiet`` samples ago."""
        if streams.size == 0:
            return
        filled = self.filled[streams]
        newest, oldest = self.quiet[streams], self.quiet[streams] + self.forget_run[streams] - 1
        first = np.where(newest < filled, 0, 1 + (newest - filled) // self.block)
        last = np.minimum(np.where(oldest < filled, 0, 1 + (oldest - filled) // self.block), self.blocks)
        slots = self.blocks + 1
        for back in range(int(last.max(initial=0)) + 1):
            hit = (back >= first) & (back <= last)
            rows = streams[hit]
            slot = (self.slot[rows] - back) % slots
            self.tops[rows, slot] = -np.inf
            self.counts[rows, slot] = 0
        self.forget_run[streams] = 0
        self.recompute(streams)

    def recompute(self, streams: IntArray) -> None:
        """The raised level of ``streams`` from every block but the current one."""
        if streams.size == 0:
            return
        others = np.ones((streams.size, self.blocks + 1), dtype=bool)
        others[np.arange(streams.size), self.slot[streams]] = False
        tops = np.where(others[:, :, None], self.tops[streams], -np.inf).reshape(streams.size, -1)
        n = np.where(others, self.counts[streams], 0).sum(axis=1)
        ranked = -np.sort(-tops.astype(np.float64), axis=1)
        kept = np.isfinite(ranked).sum(axis=1)
        position = self.config.raise_quantile * np.maximum(n - 1, 0)
        lo = np.floor(position).astype(np.intp)
        frac = position - lo
        last = np.maximum(kept - 1, 0)
        a = np.minimum(np.maximum(n - 1 - lo, 0), last)
        b = np.minimum(np.maximum(n - 2 - lo, 0), last)
        rows = np.arange(streams.size)
        with np.errstate(invalid="ignore"):
            r = ranked[rows, a] + frac * (ranked[rows, b] - ranked[rows, a])
        centre = self.centre[streams]
        raised = centre + self.config.raise_share * (r - centre)
        self.raised[streams] = np.where((n > 0) & (kept > 0) & np.isfinite(raised), raised, -np.inf)

    def _merge(self, streams: IntArray) -> None:
        keep = self.tops.shape[2]
        current = self.tops[streams, self.slot[streams]]
        both = np.concatenate((current, self.pending[streams]), axis=1)
        self.tops[streams, self.slot[streams]] = -np.sort(-both, axis=1)[:, :keep]
        self.counts[streams, self.slot[streams]] += self.pending_count[streams]
        self.pending[streams] = -np.inf
        self.pending_count[streams] = 0

    def _add(self, streams: IntArray, values: FloatArray) -> None:
        if streams.size == 0:
            return
        slots = self.slot[streams]
        self.counts[streams, slots] += 1
        current = self.tops[streams, slots]
        low = np.argmin(current, axis=1)
        rows = np.arange(streams.size)
        better = values > current[rows, low]
        if better.any():
            self.tops[streams[better], slots[better], low[better]] = values[better]

    @staticmethod
    def _push(ring: Float16Array, streams: IntArray, values: FloatArray) -> None:
        current = ring[streams]
        low = np.argmin(current, axis=1)
        rows = np.arange(streams.size)
        better = values > current[rows, low]
        if better.any():
            ring[streams[better], low[better]] = values[better]
