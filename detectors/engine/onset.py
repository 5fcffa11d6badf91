"""Incidents already under way at the end of a history, found before the history is fitted. Pure, vectorised.

A bootstrap fits baselines on the history before start-up. A saturation that began hours before
would be fitted into them (its rows a share of the history) and never reported. So the history's
last level-shift horizon (at most half of it) is first judged as the live engine would have judged
it: against a baseline and alarm levels fitted on the rows before that window, through the same
incident tracker (smoothing, opening level, hold, recovery). A lane still in an incident at the
end of the history is under way: its rows from where the score first rose above u are left out of
its fit, and its incident is reported from the time it opened. An incident already open when the
window begins is older than the window, and is left to the fit as the normal it has become.
A host down at the end of the history is down since its first failed scrape after the last
good one (within the horizon), and a memory leak or filling disk since the trend was first
projected to reach its limit within the trend horizon, followed back at most a day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detectors.engine.baseline import BoolArray, FloatArray, IntArray, LaneBaselines, last_finite, row_quantiles
from detectors.engine.config import EngineConfig
from detectors.engine.events import IncidentKind
from detectors.engine.incidents import StreamIncidents, trailing_means
from detectors.engine.peaks import PeakLevels
from detectors.engine.trend import TrendConfig, TrendWatch

# A start found in the history is the start of an incident that opens within this long after the history's end.
_VALID_SECONDS = 3600.0
#: Lanes whose last rows stand less than this many spreads above the history's centre are not examined.
_CANDIDATE_SPREADS = 2.0


@dataclass(frozen=True)
class UnderWay:
    """Per lane: when its incident under way opened and when its score first rose for it (NaN: none)."""

    opened_at: FloatArray
    rose_at: FloatArray


def candidates(centre: FloatArray, spread: FloatArray, history: FloatArray, tail: int) -> BoolArray:
    """Lanes (rows) whose last ``tail`` rows stand clearly above the centre fitted on the whole history."""
    level = row_quantiles(history[:, -max(1, tail) :], (0.5,))[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        out: BoolArray = np.isfinite(level) & ((level - centre) / spread > _CANDIDATE_SPREADS)
    return out


def down_since(times: FloatArray, up: FloatArray, *, window_seconds: float) -> FloatArray:
    """Per target (rows of ``up``, 1 = reachable): since when it has been down, when it is down at the end of
    the history and went down within its last ``window_seconds`` (NaN otherwise)."""
    out = np.full(up.shape[0], np.nan)
    if times.size == 0:
        return out
    seen = np.isfinite(up)
    # Carried forward over missing samples: the last state reported at each time.
    last = np.maximum.accumulate(np.where(seen, np.arange(times.size), -1), axis=1)
    state = np.where(last >= 0, np.take_along_axis(np.where(seen, up, np.nan), np.maximum(last, 0), axis=1), np.nan)
    reachable = state >= 0.5
    down_now = state[:, -1] < 0.5
    # The first time of the final run of down samples: just after the last time it was reachable.
    was_up = reachable.any(axis=1)
    back = times.size - 1 - np.argmax(reachable[:, ::-1], axis=1)
    began = times[np.minimum(back + 1, times.size - 1)]
    recent = began >= times[-1] - window_seconds
    keep = down_now & was_up & recent
    out[keep] = began[keep]
    return out


@dataclass(frozen=True)
class Judge:
    """How the history is judged: the engine's settings, its live step, and the history's step in live steps."""

    config: EngineConfig
    step_seconds: float = 60.0
    stride: int = 1


def under_way(times: FloatArray, history: FloatArray, floor: FloatArray, judge: Judge) -> UnderWay:
    """The incidents under way at the end of ``history`` (lanes × ``times``, NaN = missing), judged over its
    last ``horizon_seconds`` (at most half of it) against a fit on the rows before them."""
    config = judge.config
    lanes = history.shape[0]
    none = UnderWay(np.full(lanes, np.nan), np.full(lanes, np.nan))
    if lanes == 0 or times.size < 2:
        return none
    span = float(times[-1] - times[0])
    split = int(np.searchsorted(times, times[-1] - min(config.horizon_seconds, span / 2), side="left"))
    if split < config.warmup_samples or split >= times.size:
        return none
    rows = np.arange(lanes)
    baselines = LaneBaselines()
    baselines.reserve(lanes)
    baselines.floor[:lanes] = floor
    baselines.fit(rows, history[:, :split])
    scores = baselines.upward(rows, history)
    peaks = PeakLevels(config, step_seconds=judge.step_seconds)
    peaks.reserve(lanes)
    peaks.fit(rows, trailing_means(scores[:, :split], config.smoothing), stride=judge.stride)
    tracker = StreamIncidents(config)
    tracker.reserve(lanes)
    tracker.prime(rows, scores[:, split - config.smoothing : split])
    level, u = peaks.level[:lanes], peaks.u[:lanes]
    warm = np.ones(lanes, dtype=bool)
    rising = np.full(lanes, np.nan)
    rose_at = np.full(lanes, np.nan)
    for j in range(split, times.size):
        t = float(times[j])
        change = tracker.step(rows, t, scores[:, j], history[:, j], level=level, normal_level=u, warm=warm)
        with np.errstate(invalid="ignore"):
            above = change.smoothed > u
        # Where the score last rose above u: the rows from there on belong to the incident, not the baseline.
        rising = np.where(above, np.fmin(rising, t), np.where(tracker.open[:lanes], rising, np.nan))
        rose_at[change.opened] = rising[change.opened]
    opened_at = tracker.opened_at[:lanes]
    # Open when the window began: older than the window, so the fit takes it as the normal it has become.
    still = tracker.open[:lanes] & (opened_at > times[split])
    return UnderWay(
        opened_at=np.where(still, opened_at, np.nan),
        rose_at=np.where(still, np.fmin(rose_at, opened_at), np.nan),
    )


def trending_since(
    config: TrendConfig, times: FloatArray, history: FloatArray, *, look_back_seconds: float
) -> FloatArray:
    """Per row (lanes × ``times``): since when its trend has been projected to reach the limit within the horizon,
    when it is at the end of the history (NaN otherwise), found by projecting back one trend step at a time
    (at most ``look_back_seconds``) while it still was."""
    since = np.full(history.shape[0], np.nan)
    if times.size == 0:
        return since
    window = config.window_hours * 3600

    def alarming(rows: IntArray, end: int) -> BoolArray:
        first = int(np.searchsorted(times, times[end] - window, side="left"))
        watch = TrendWatch(config)
        watch.reserve(rows.size)
        own = np.arange(rows.size)
        watch.fill(own, times[first : end + 1], history[rows, first : end + 1])
        out: BoolArray = watch.scores(own) >= 1.0
        return out

    end = times.size - 1
    active = np.arange(history.shape[0])
    active = active[alarming(active, end)]
    while active.size:
        since[active] = times[end]
        end = int(np.searchsorted(times, times[end] - config.step_seconds, side="right")) - 1
        if end < 0 or times[-1] - times[end] > look_back_seconds:
            break
        active = active[alarming(active, end)]
    return since


def leave_out_under_way(
    baselines: LaneBaselines,
    lanes: IntArray,
    times: FloatArray,
    history: FloatArray,
    floor: FloatArray,
    judge: Judge,
    *,
    look: BoolArray,
) -> tuple[FloatArray, FloatArray]:
    """``history`` without the rows of the incidents under way at its end, among the ``look`` lanes, and when
    each opened (NaN: none). ``baselines`` holds the fit on the whole history; the lanes with an incident
    under way are refitted on the rest, from their ``floor`` before that fit."""
    opened = np.full(lanes.size, np.nan)
    centre, spread = baselines.centre[lanes], baselines.spread[lanes]
    look = look & candidates(centre, spread, history, judge.config.smoothing)
    if not look.any() or times.size == 0:
        return history, opened
    rows = np.flatnonzero(look)
    found = under_way(times, history[rows], floor[rows], judge)
    hit = np.isfinite(found.opened_at)
    if not hit.any():
        return history, opened
    rows = rows[hit]
    out = history.copy()
    out[rows] = np.where(times[None, :] >= found.rose_at[hit][:, None], np.nan, history[rows])
    baselines.floor[lanes[rows]] = floor[rows]
    # Fitted without the incident's rows, but its recent level is where the lane is now.
    baselines.fit(lanes[rows], out[rows], latest=last_finite(history[rows]))
    opened[rows] = found.opened_at[hit]
    return out, opened


class Onsets:
    """When the incidents under way at the end of a bootstrap's history opened, kept until the feed opens them."""

    def __init__(self) -> None:
        self._at: dict[tuple[int, IncidentKind], tuple[float, float]] = {}

    def note(self, lanes: IntArray, kind: IncidentKind, opened_at: FloatArray, end: float) -> None:
        """``opened_at`` per lane (NaN: nothing under way) for a history that ends at ``end``."""
        for lane, at in zip(lanes.tolist(), opened_at.tolist(), strict=True):
            if np.isfinite(at):
                self._at[(lane, kind)] = (at, end + _VALID_SECONDS)
            else:
                self._at.pop((lane, kind), None)

    def take(self, lane: int, kind: IncidentKind, t: float, horizon_seconds: float) -> float | None:
        """When the incident of ``kind`` the lane opens at ``t`` really opened, if the history showed it under way."""
        noted = self._at.pop((lane, kind), None)
        if noted is None or not noted[0] < t <= noted[1] or t - noted[0] >= horizon_seconds:
            return None
        return noted[0]
