"""Slow trends towards a limit (memory leaks, disks filling): a linear fit over the recent hours. Pure, vectorised.

Each watched lane keeps one value per ``step_seconds`` bucket over the last ``window_hours``.
At every bucket the lane's points are fitted with a least-squares line; the projected time to
reach ``limit`` (100%) is (limit − fitted now)/slope. The trend is *alarming* when the slope is
positive and significant (t-statistic at least ``min_t``), the rise over the window is at least
``min_rise`` points, enough points are there (``min_points``), and the projection falls within
``horizon_hours``. A window a single jump explains ``max_step_ratio`` times better than a line
(the least-squares error of the best two-level split against the line's) is a level that moved
and then held, not a trend, and neither is a window whose latest value is under its mean (a
spike that is over): both are left to the anomaly score. The score handed to the incident
tracker is horizon / time-to-full (above 1 = projected full within the horizon).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detectors.engine.baseline import FloatArray, IntArray, grown, room_for


@dataclass(frozen=True)
class TrendConfig:
    """Knobs of the time-to-full projection."""

    window_hours: float = 3.0
    step_seconds: float = 300.0
    horizon_hours: float = 24.0
    min_points: int = 6
    min_t: float = 4.0
    min_rise: float = 2.0
    limit: float = 100.0
    max_step_ratio: float = 10.0

    @property
    def points(self) -> int:
        """Buckets kept per lane."""
        return max(2, round(self.window_hours * 3600 / self.step_seconds))


class TrendWatch:
    """Per lane: the bucketed recent values and the last projection."""

    def __init__(self, config: TrendConfig) -> None:
        self.config = config
        self.values: FloatArray = np.zeros((0, config.points))
        self.bucket: FloatArray = np.zeros(0)
        self.hours_to_full: FloatArray = np.zeros(0)

    def reserve(self, size: int) -> None:
        """Make room for ``size`` lanes."""
        if size <= self.bucket.shape[0]:
            return
        capacity = room_for(size, self.bucket.shape[0])
        self.values = grown(self.values, capacity, np.nan)
        self.bucket = grown(self.bucket, capacity, np.nan)
        self.hours_to_full = grown(self.hours_to_full, capacity, np.inf)

    def fill(self, lanes: IntArray, times: FloatArray, history: FloatArray) -> None:
        """Load the last window of history (lanes × time) into the buckets."""
        step = self.config.step_seconds
        buckets = np.floor(np.asarray(times) / step)
        last = float(buckets[-1]) if buckets.size else np.nan
        self.values[lanes] = np.nan
        self.bucket[lanes] = last
        width = self.config.points
        for j, b in enumerate(buckets):
            slot = int(last - b)
            if 0 <= slot < width:
                column = history[:, j]
                keep = np.isfinite(column)
                self.values[lanes[keep], width - 1 - slot] = column[keep]

    def observe(self, lanes: IntArray, t: float, values: FloatArray) -> IntArray:
        """Record finite values at ``t``; returns the lanes whose bucket just moved on (due for a projection)."""
        finite = np.isfinite(values)
        lanes, values = lanes[finite], values[finite]
        bucket = np.floor(t / self.config.step_seconds)
        current = self.bucket[lanes]
        moved = ~(current == bucket)
        if moved.any():
            m = lanes[moved]
            shift = np.where(np.isfinite(current[moved]), bucket - current[moved], self.config.points)
            shift = np.clip(shift, 1, self.config.points).astype(np.intp)
            for amount in np.unique(shift):
                rows = m[shift == amount]
                self.values[rows] = np.roll(self.values[rows], -int(amount), axis=1)
                self.values[rows, -int(amount) :] = np.nan
            self.bucket[m] = bucket
        self.values[lanes, -1] = values
        due: IntArray = lanes[moved]
        return due

    def scores(self, lanes: IntArray) -> FloatArray:
        """Project ``lanes`` and return horizon / time-to-full (0 when not trending)."""
        cfg = self.config
        y = self.values[lanes]
        x = np.arange(cfg.points, dtype=np.float64)[None, :] * (cfg.step_seconds / 3600.0)
        ok = np.isfinite(y)
        n = ok.sum(axis=1).astype(np.float64)
        with np.errstate(all="ignore"):
            xm = np.where(ok, x, 0.0).sum(axis=1) / n
            ym = np.where(ok, y, 0.0).sum(axis=1) / n
            dx = np.where(ok, x - xm[:, None], 0.0)
            dy = np.where(ok, y - ym[:, None], 0.0)
            sxx = (dx * dx).sum(axis=1)
            slope = (dx * dy).sum(axis=1) / sxx
            resid = np.where(ok, dy - slope[:, None] * dx, 0.0)
            stderr = np.sqrt((resid * resid).sum(axis=1) / np.maximum(n - 2, 1) / sxx)
            t_stat = slope / np.maximum(stderr, 1e-9)
            now = ym + slope * (x[0, -1] - xm)
            hours = (cfg.limit - now) / slope
            rise = slope * (x[0, -1] - x[0, 0])
            jumped = (resid * resid).sum(axis=1) > cfg.max_step_ratio * _two_level_error(y, ok)
            latest = y[np.arange(y.shape[0]), np.maximum(cfg.points - 1 - np.argmax(ok[:, ::-1], axis=1), 0)]
            fallen = ~(latest >= ym)
        trending = (n >= cfg.min_points) & (slope > 0) & (t_stat >= cfg.min_t) & (rise >= cfg.min_rise)
        trending &= ~jumped & ~fallen
        hours = np.where(trending & np.isfinite(hours), np.maximum(hours, 0.0), np.inf)
        self.hours_to_full[lanes] = hours
        out: FloatArray = np.where(np.isfinite(hours), cfg.horizon_hours / np.maximum(hours, 1e-6), 0.0)
        return out


def _two_level_error(y: FloatArray, ok: npt.NDArray[np.bool_]) -> FloatArray:
    """Per row, the least squared error of two constant levels split at the best point (≥ 2 points each side)."""
    y0 = np.where(ok, y, 0.0)
    count = np.cumsum(ok, axis=1, dtype=np.float64)
    total = np.cumsum(y0, axis=1)
    squares = np.cumsum(y0 * y0, axis=1)
    n, s, q = count[:, -1:], total[:, -1:], squares[:, -1:]
    with np.errstate(all="ignore"):
        left = squares - total * total / count
        right = (q - squares) - (s - total) ** 2 / (n - count)
    valid = (count >= 2) & (n - count >= 2)
    out: FloatArray = np.where(valid, left + right, np.inf).min(axis=1)
    return out
