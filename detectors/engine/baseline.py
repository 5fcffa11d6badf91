"""Robust per-lane baselines (centre and spread), fitted on history and adapted causally. Pure, vectorised.

A lane is one host × signal (or one column of a recorded matrix). Its centre and spread come from
history (median; the largest of IQR/1.349, 1.4826·MAD and a quarter of the standard deviation of
the history winsorized at its 0.5th and 99.5th percentiles, never below the lane's floor) and
then follow the stream slowly: each finite sample moves the centre by ``alpha``·spread·ψ(r) and
scales the spread by 1 + ``alpha``·(|ψ(r)|/E|r| − 1), with r the sample's deviation in spreads and
ψ clipped at ``huber`` (an M-estimator step, so one wild sample moves neither much). A frozen lane
(its incident is open) does not adapt, so an incident is judged against the baseline from before
it started. A fast ``recent`` level (time constant ``recent_hours``) always follows, and is what
the baseline becomes when a level shift is accepted.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

from domain.models import MetricKind

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

_IQR_TO_SIGMA = 1.349
_MAD_TO_SIGMA = 1.4826
_STD_SHARE = 0.25
# The share of the history cut off at each end before its standard deviation is taken.
_WINSOR = 0.005
_MEAN_ABS_OF_CLIPPED_NORMAL = 0.7979
_SHRINK_LIMIT = 0.5
# Smallest spread per signal, in its unit: below that a deviation is noise whatever the history says.
SPREAD_FLOOR = {
    MetricKind.CPU: 2.0,
    MetricKind.MEMORY: 1.0,
    MetricKind.DISK: 0.5,
    MetricKind.LOAD: 0.1,
    MetricKind.NETWORK_IN: 0.05,
    MetricKind.NETWORK_OUT: 0.05,
    MetricKind.DISK_IO: 0.05,
}
#: Deviations are capped so values near the float limits give large but finite scores.
MAX_DEVIATION = 1e6
# A lane with less history than this adapts as a running robust fit, then at the configured pace.
_SETTLE_SAMPLES = 100


_Item = TypeVar("_Item", bound=np.generic)


def grown(array: npt.NDArray[_Item], size: int, fill: float | bool) -> npt.NDArray[_Item]:
    """``array`` extended along its first axis to ``size`` rows, new rows set to ``fill``."""
    if array.shape[0] >= size:
        return array
    out = np.full((size, *array.shape[1:]), fill, dtype=array.dtype)
    out[: array.shape[0]] = array
    return out


def room_for(size: int, current: int) -> int:
    """Rows to allocate for ``size`` when ``current`` are allocated: a quarter more than ``current`` at least.

    Lanes added one at a time are copied O(log n) times; lanes added a signal at a time (the
    bootstrap) leave at most a quarter of the arrays unused.
    """
    return max(size, current + current // 4)


def row_quantiles(x: FloatArray, quantiles: tuple[float, ...]) -> FloatArray:
    """Quantiles of every row's finite values (rows × quantiles, linear interpolation; NaN for an empty row).

    One sort for the whole matrix (NaN sorts last), so it costs the same whatever the rows hold.
    """
    ordered = np.sort(np.asarray(x, dtype=np.float64), axis=1)
    count = np.isfinite(ordered).sum(axis=1)
    out = np.full((ordered.shape[0], len(quantiles)), np.nan)
    has = count > 0
    if not has.any() or ordered.shape[1] == 0:
        return out
    rows = ordered[has]
    top = (count[has] - 1).astype(np.float64)
    for j, q in enumerate(quantiles):
        position = q * top
        lo = np.floor(position).astype(np.intp)
        hi = np.minimum(lo + 1, count[has] - 1)
        low = np.take_along_axis(rows, lo[:, None], axis=1)[:, 0]
        high = np.take_along_axis(rows, hi[:, None], axis=1)[:, 0]
        out[has, j] = low + (position - lo) * (high - low)
    return out


def robust_fit(history: FloatArray, floor: FloatArray) -> tuple[FloatArray, FloatArray, IntArray]:
    """Centre, spread and finite-sample count of every lane from its history (lanes × time, NaN = missing).

    Lanes without a finite sample get a NaN centre (they start from the fleet prior).
    """
    x = np.asarray(history, dtype=np.float64)
    finite = np.isfinite(x)
    count = finite.sum(axis=1).astype(np.intp)
    low, q25, centre, q75, high = row_quantiles(x, (_WINSOR, 0.25, 0.5, 0.75, 1.0 - _WINSOR)).T
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        mad = row_quantiles(np.abs(x - centre[:, None]), (0.5,))[:, 0] * _MAD_TO_SIGMA
        # Winsorized: one wild sample in the history must not set the spread of everything after it.
        clipped = np.where(finite, np.clip(x, low[:, None], high[:, None]), 0.0)
        mean = clipped.sum(axis=1) / np.maximum(count, 1)
        std = np.sqrt(np.where(finite, (clipped - mean[:, None]) ** 2, 0.0).sum(axis=1) / np.maximum(count, 1))
    spread = np.fmax(np.fmax((q75 - q25) / _IQR_TO_SIGMA, mad), _STD_SHARE * std)
    relative = 0.01 * np.maximum(np.abs(np.nan_to_num(centre)) + np.nan_to_num(std), 1.0)
    spread = np.fmax(np.nan_to_num(spread, nan=0.0), np.maximum(floor, relative * (floor <= 0)))
    return centre, spread, count


class LaneBaselines:
    """Centre, spread and recent level of every lane, adapted sample by sample."""

    def __init__(self) -> None:
        self.centre: FloatArray = np.zeros(0)
        self.spread: FloatArray = np.ones(0)
        self.floor: FloatArray = np.zeros(0)
        self.recent: FloatArray = np.zeros(0)
        self.count: IntArray = np.zeros(0, dtype=np.intp)

    @property
    def size(self) -> int:
        """Lanes held."""
        return int(self.centre.shape[0])

    def reserve(self, size: int) -> None:
        """Make room for ``size`` lanes (new lanes have no history: NaN centre)."""
        if size <= self.size:
            return
        capacity = room_for(size, self.size)
        old = self.size
        self.centre = grown(self.centre, capacity, np.nan)
        self.spread = grown(self.spread, capacity, np.nan)
        self.floor = grown(self.floor, capacity, 0.0)
        self.recent = grown(self.recent, capacity, np.nan)
        self.count = grown(self.count, capacity, 0)
        self.centre[old:] = np.nan

    def fit(self, lanes: IntArray, history: FloatArray, *, latest: FloatArray | None = None) -> None:
        """Fit ``lanes`` on their history (lanes × time); lanes with no finite sample are left as they are.

        ``latest``: each lane's latest value, where its recent level starts (default: the history's last).
        """
        centre, spread, count = robust_fit(history, self.floor[lanes])
        known = count > 0
        idx = lanes[known]
        self.centre[idx] = centre[known]
        self.spread[idx] = spread[known]
        self.count[idx] = count[known]
        self.recent[idx] = last_finite(history[known]) if latest is None else latest[known]
        # A flat-but-spiky lane's typical deviation is near 0: adapting must not shrink it below half its fit.
        self.floor[idx] = np.maximum(self.floor[idx], _SHRINK_LIMIT * spread[known])

    def adopt_prior(self, lanes: IntArray, centre: float, spread: float) -> None:
        """Start lanes without history from a prior (the fleet's median centre and spread)."""
        new = lanes[~np.isfinite(self.centre[lanes])]
        self.centre[new] = centre
        self.spread[new] = max(spread, 0.0)
        self.spread[new] = np.maximum(self.spread[new], self.floor[new])
        self.recent[new] = centre
        self.count[new] = 0

    def upward(self, lanes: IntArray, values: FloatArray) -> FloatArray:
        """Upward deviation in spreads, capped, of each value (lanes, or lanes × time); NaN where it is missing."""
        centre, spread = self.centre[lanes], self.spread[lanes]
        if values.ndim == 2:
            centre, spread = centre[:, None], spread[:, None]
        with np.errstate(invalid="ignore", over="ignore"):
            dev = (values - centre) / spread
        out: FloatArray = np.clip(dev, 0.0, MAX_DEVIATION)
        return out

    def deviations(self, lanes: IntArray, values: FloatArray) -> FloatArray:
        """Signed deviation of each value in spreads (NaN where the value is missing)."""
        with np.errstate(invalid="ignore", over="ignore"):
            out: FloatArray = (values - self.centre[lanes]) / self.spread[lanes]
        return out

    def update(
        self, lanes: IntArray, values: FloatArray, frozen: BoolArray, *, alpha: float, recent_alpha: float, huber: float
    ) -> None:
        """Adapt the lanes with a finite value that are not frozen; every finite value moves the recent level."""
        finite = np.isfinite(values)
        idx, x = lanes[finite], values[finite]
        warm = self.count[idx]
        self.count[idx] = warm + 1
        # A lane still short of history adapts quickly (a running robust fit), then slowly.
        running = np.where(warm < _SETTLE_SAMPLES, 1.0 / (warm + 2.0), 0.0)
        rate = np.maximum(alpha, running)
        recent_rate = np.maximum(recent_alpha, running)
        self.recent[idx] += recent_rate * (x - self.recent[idx])
        moving = ~frozen[finite]
        idx, x, rate = idx[moving], x[moving], rate[moving]
        spread = self.spread[idx]
        with np.errstate(invalid="ignore", over="ignore"):
            r = np.clip((x - self.centre[idx]) / spread, -huber, huber)
        self.centre[idx] += rate * spread * r
        self.spread[idx] = np.maximum(
            spread * (1.0 + rate * (np.abs(r) / _MEAN_ABS_OF_CLIPPED_NORMAL - 1.0)), self.floor[idx]
        )

    def accept_recent(self, lanes: IntArray) -> None:
        """Take the recent level as the new centre (a level shift accepted as the new normal)."""
        self.centre[lanes] = self.recent[lanes]


def last_finite(history: FloatArray) -> FloatArray:
    """Each row's last finite value (NaN for a row without one)."""
    finite = np.isfinite(history)
    last = history.shape[1] - 1 - np.argmax(finite[:, ::-1], axis=1)
    out: FloatArray = history[np.arange(history.shape[0]), last]
    return out
