"""Incidents under way at the end of a history: found against the baseline from before them, or left alone."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.engine.baseline import LaneBaselines
from detectors.engine.config import DEFAULT_CONFIG
from detectors.engine.events import IncidentKind
from detectors.engine.onset import Judge, Onsets, UnderWay, down_since, leave_out_under_way, under_way

STEP = 60.0
END = 1_800_000_000.0
HORIZON = DEFAULT_CONFIG.horizon_seconds


def _history(hours: float = 24.0, lanes: int = 3, seed: int = 4) -> tuple[np.ndarray, np.ndarray]:
    times = np.arange(END - hours * 3600, END + STEP / 2, STEP)
    rng = np.random.default_rng(seed)
    return times, 20.0 + rng.normal(0.0, 3.0, (lanes, times.size))


def _found(times: np.ndarray, x: np.ndarray) -> UnderWay:
    floor = np.full(x.shape[0], 2.0)
    return under_way(times, x, floor, Judge(DEFAULT_CONFIG, STEP))


def test_a_saturation_that_began_hours_before_the_end_is_under_way_from_when_it_began() -> None:
    times, x = _history()
    began = END - 2.5 * 3600
    x[1, times >= began] = 97.0

    found = _found(times, x)

    assert np.isnan(found.opened_at[[0, 2]]).all()
    assert abs(found.opened_at[1] - began) <= 3 * STEP
    assert found.rose_at[1] <= found.opened_at[1]
    assert found.rose_at[1] >= began - 3 * STEP


def test_a_saturation_that_ended_before_the_end_is_not_under_way() -> None:
    times, x = _history()
    x[0, (times >= END - 3 * 3600) & (times < END - 3600)] = 97.0

    assert np.isnan(_found(times, x).opened_at).all()


def test_a_level_older_than_the_window_is_the_normal_it_has_become() -> None:
    times, x = _history()
    x[0, times >= END - 8 * 3600] = 97.0

    assert np.isnan(_found(times, x).opened_at).all()


def test_a_noisy_history_has_nothing_under_way() -> None:
    times, x = _history(lanes=200, seed=11)

    assert np.isnan(_found(times, x).opened_at).all()


def test_a_history_too_short_to_judge_has_nothing_under_way() -> None:
    times, x = _history(hours=0.5)
    x[0, -10:] = 97.0

    assert np.isnan(_found(times, x).opened_at).all()


def test_a_target_down_since_a_time_in_the_window_is_down_since_then() -> None:
    times = np.arange(END - 24 * 3600, END + 1, STEP)
    up = np.ones((4, times.size))
    up[0, times >= END - 2 * 3600] = 0.0  # down two hours ago
    up[1, times >= END - 9 * 3600] = 0.0  # down longer than the window
    up[2, (times >= END - 3 * 3600) & (times < END - 3600)] = 0.0  # down, then back
    up[3, :] = 0.0  # never seen reachable
    up[0, -5:-2] = np.nan  # missing samples do not end a run

    since = down_since(times, up, window_seconds=HORIZON)

    assert since[0] == END - 2 * 3600
    assert np.isnan(since[1:]).all()


def test_a_noted_start_is_taken_once_and_only_for_an_opening_soon_after_the_history() -> None:
    onsets = Onsets()
    lanes = np.asarray([0, 1, 2])
    onsets.note(lanes, IncidentKind.ANOMALY, np.asarray([END - 3600, np.nan, END - 7200]), END)

    assert onsets.take(0, IncidentKind.ANOMALY, END + 60, HORIZON) == END - 3600
    assert onsets.take(0, IncidentKind.ANOMALY, END + 120, HORIZON) is None
    assert onsets.take(1, IncidentKind.ANOMALY, END + 60, HORIZON) is None
    assert onsets.take(2, IncidentKind.HOST_DOWN, END + 60, HORIZON) is None
    assert onsets.take(2, IncidentKind.ANOMALY, END + 2 * 3600, HORIZON) is None


def test_a_lane_fitted_without_its_incident_keeps_its_latest_value_as_its_recent_level() -> None:
    times, x = _history(lanes=2)
    x[1, times >= END - 2 * 3600] = 97.0
    baselines = LaneBaselines()
    baselines.reserve(2)
    baselines.floor[:2] = 2.0
    lanes = np.arange(2)
    floor = baselines.floor[:2].copy()
    baselines.fit(lanes, x)

    fitted, opened = leave_out_under_way(
        baselines, lanes, times, x, floor, Judge(DEFAULT_CONFIG, STEP), look=np.ones(2, dtype=bool)
    )

    assert np.isnan(opened[0])
    assert np.isfinite(opened[1])
    assert np.isnan(fitted[1, -1])
    assert baselines.centre[1] == pytest.approx(20.0, abs=1.0)
    assert baselines.recent[1] == 97.0
