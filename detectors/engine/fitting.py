"""Fitting the engine's lanes: new lanes from the fleet's prior, and lanes on their history. Pure (no I/O).

A lane's history sets its baseline (``baseline.py``), the alarm levels of its score streams
(``peaks.py``, ``slow.py``), the smoothing window it starts with, and the fill of its trend lanes.
A lane whose incident is open is fitted on the history from before it opened; an incident under
way at the end of the history (``onset.py``) is left out of the fit and reported from when it opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from detectors.engine.baseline import SPREAD_FLOOR, FloatArray, IntArray
from detectors.engine.events import TREND_KINDS, IncidentKind
from detectors.engine.incidents import trailing_means
from detectors.engine.onset import Judge, down_since, leave_out_under_way, trending_since
from domain.models import MetricKind

if TYPE_CHECKING:
    from detectors.engine.fleet import FleetEngine

# How far back a trend under way at the end of the history is followed to find when it began.
_TREND_LOOK_BACK_SECONDS = 24 * 3600.0
# Lanes are fitted this many at a time, so the fit's temporaries stay small next to the history itself.
_SLICE = 1000


def start_from_prior(engine: FleetEngine, signal: MetricKind, new: IntArray) -> None:
    """Start the ``new`` lanes of ``signal`` from the fleet's median baseline and levels (room already made)."""
    size = len(engine.keys)
    engine.baselines.floor[new] = SPREAD_FLOOR.get(signal, 0.0)
    same = np.asarray([k.signal is signal for k in engine.keys], dtype=bool) & np.asarray(engine.index.live)
    known = same & (engine.baselines.count[:size] > 0) & np.isfinite(engine.baselines.centre[:size])
    known[new] = False
    if known.any():
        centre = float(np.median(engine.baselines.centre[:size][known]))
        spread = float(np.median(engine.baselines.spread[:size][known]))
        u = float(np.median(engine.peaks.u[:size][known]))
        slow_u = float(np.median(engine.slow.peaks.u[:size][known]))
    else:
        centre, spread, u, slow_u = np.nan, float(SPREAD_FLOOR.get(signal, 1.0)), 2.0, 2.0
    if np.isfinite(centre):
        engine.baselines.adopt_prior(new, centre, spread)
    engine.peaks.start(new, np.full(new.size, u))
    engine.slow.start(new, slow_u)


def fit_history(
    engine: FleetEngine, signal: MetricKind, lanes: IntArray, times: FloatArray, history: FloatArray
) -> None:
    """Fit ``lanes`` of ``signal`` on their history (rows × times, NaN = missing)."""
    if times.size:
        seen = np.isfinite(history)
        last = np.where(seen.any(axis=1), times[times.size - 1 - np.argmax(seen[:, ::-1], axis=1)], times[-1])
        engine.index.seen_at[lanes] = last
    if signal is MetricKind.UP:
        if times.size:
            down = down_since(times, history, window_seconds=engine.config.horizon_seconds)
            engine.onsets.note(lanes, IncidentKind.HOST_DOWN, down, float(times[-1]))
        return
    # History read more coarsely than the live feed: each of its samples stands for this many live ones.
    stride = max(1, round(float(np.median(np.diff(times))) / engine.step_seconds)) if times.size > 1 else 1
    for first in range(0, lanes.size, _SLICE):
        part = slice(first, first + _SLICE)
        _fit(engine, signal, lanes[part], times, history[part], stride)


def _fit(
    engine: FleetEngine, signal: MetricKind, lanes: IntArray, times: FloatArray, history: FloatArray, stride: int
) -> None:
    cfg = engine.config
    x = np.where(np.isfinite(history), history, np.nan)
    # A lane whose incident is already open is fitted on the history from before it opened.
    held = engine.levels.open[lanes]
    x = np.where(held[:, None] & (times[None, :] >= engine.levels.opened_at[lanes][:, None]), np.nan, x)
    floor = engine.baselines.floor[lanes].copy()
    engine.baselines.fit(lanes, x)
    judge = Judge(cfg, engine.step_seconds, stride)
    fitted, opened = leave_out_under_way(engine.baselines, lanes, times, x, floor, judge, look=~held)
    if times.size:
        engine.onsets.note(lanes, IncidentKind.ANOMALY, opened, float(times[-1]))
    scores = engine.baselines.upward(lanes, fitted)
    engine.peaks.fit(lanes, trailing_means(scores, cfg.smoothing), stride=stride)
    engine.levels.level_at_open[lanes[held]] = engine.peaks.level[lanes[held]]
    engine.levels.prime(lanes, scores[:, -cfg.smoothing :])
    engine.slow.fit(lanes, scores, stride=stride)
    if signal in TREND_KINDS and times.size:
        engine.trends.fill(lanes, times, x)
        since = trending_since(engine.trend_config, times, x, look_back_seconds=_TREND_LOOK_BACK_SECONDS)
        engine.onsets.note(lanes, TREND_KINDS[signal], since, float(times[-1]))
