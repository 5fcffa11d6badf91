"""The engine's parts on data whose answer is known: the POT level, the time-to-full projection, the baselines."""

from __future__ import annotations

import numpy as np

from detectors.engine.baseline import LaneBaselines, row_quantiles
from detectors.engine.config import EngineConfig
from detectors.engine.peaks import PeakLevels
from detectors.engine.trend import TrendConfig, TrendWatch


def test_the_pot_level_of_exponential_scores_is_near_their_true_quantile() -> None:
    scores = np.random.default_rng(5).exponential(1.0, size=(1, 200_000))
    levels = PeakLevels(EngineConfig(risk=1e-4, max_peaks=4000))
    levels.reserve(1)

    levels.fit(np.zeros(1, dtype=np.intp), scores)

    # P(X > x) = e^-x for a unit exponential: the 1e-4 tail starts at ln(1e4) ≈ 9.21.
    assert abs(float(levels.level[0]) - np.log(1e4)) < 0.6
    assert abs(float(levels.u[0]) - np.log(50)) < 0.05


def test_a_steady_climb_is_projected_full_at_its_pace() -> None:
    watch = TrendWatch(TrendConfig(window_hours=3.0, step_seconds=300.0, horizon_hours=24.0))
    watch.reserve(2)
    lanes = np.arange(2)
    start = 1_800_000_000.0
    for n in range(37):
        t = start + 300.0 * n
        watch.observe(lanes, t, np.array([50.0 + 5.0 * n * 300 / 3600, 40.0]))
    scores = watch.scores(lanes)

    # 5 points an hour from 50 + 15 = 65% after 3 h: full in 7 h; the flat lane is not trending.
    assert abs(float(watch.hours_to_full[0]) - 7.0) < 0.2
    assert abs(float(scores[0]) - 24.0 / 7.0) < 0.1
    assert float(scores[1]) == 0.0


def test_row_quantiles_ignore_missing_values() -> None:
    x = np.array([[1.0, np.nan, 3.0, 2.0], [np.nan, np.nan, np.nan, np.nan]])

    out = row_quantiles(x, (0.0, 0.5, 1.0))

    assert out[0].tolist() == [1.0, 2.0, 3.0]
    assert np.isnan(out[1]).all()


def test_a_frozen_baseline_does_not_move_and_a_free_one_follows_slowly() -> None:
    baselines = LaneBaselines()
    baselines.reserve(2)
    lanes = np.arange(2)
    baselines.fit(lanes, np.random.default_rng(2).normal(10.0, 1.0, size=(2, 500)))
    before = baselines.centre[:2].copy()

    for _ in range(60):
        baselines.update(
            lanes, np.array([30.0, 30.0]), np.array([True, False]), alpha=1 / 1440, recent_alpha=1 / 15, huber=3.0
        )

    assert baselines.centre[0] == before[0]
    assert before[1] < baselines.centre[1] < before[1] + 1.0
    assert baselines.recent[0] > 29.0


def test_a_smooth_bounded_signal_never_gets_a_level_under_the_floor() -> None:
    # A slow sine scores at most about one spread; its fitted tail sits just above that maximum.
    scores = np.abs(np.sin(np.arange(5000) / 60.0))[None, :]
    levels = PeakLevels(EngineConfig())
    levels.reserve(1)
    levels.fit(np.array([0]), scores)
    assert levels.level[0] == EngineConfig().min_level
    unfloored = PeakLevels(EngineConfig(min_level=0.0))
    unfloored.reserve(1)
    unfloored.fit(np.array([0]), scores)
    assert float(unfloored.level[0]) < 1.5
