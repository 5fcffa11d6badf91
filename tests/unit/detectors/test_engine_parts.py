"""The engine's parts on data whose answer is known: alarm levels, the time-to-full projection, the baselines."""

from __future__ import annotations

import numpy as np

from detectors.engine.baseline import LaneBaselines, row_quantiles
from detectors.engine.config import EngineConfig
from detectors.engine.incidents import StreamIncidents
from detectors.engine.matrix import replay_matrix
from detectors.engine.peaks import PeakLevels
from detectors.engine.trend import TrendConfig, TrendWatch
from evaluation.batch import detect_series
from evaluation.metrics import runs


def test_the_pot_level_of_exponential_scores_is_near_their_true_quantile() -> None:
    scores = np.random.default_rng(5).exponential(1.0, size=(1, 200_000))
    levels = PeakLevels(EngineConfig(risk=1e-4, max_peaks=4000, level_share=0.0, raise_share=0.0))
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


def _projected(values: np.ndarray) -> np.ndarray:
    """Feed each lane's 5-minute values (lanes × 37) and project them."""
    watch = TrendWatch(TrendConfig(window_hours=3.0, step_seconds=300.0, horizon_hours=24.0))
    lanes = np.arange(values.shape[0])
    watch.reserve(lanes.size)
    for n in range(values.shape[1]):
        watch.observe(lanes, 1_800_000_000.0 + 300.0 * n, values[:, n])
    return watch.scores(lanes)


def test_a_jump_that_holds_or_a_spike_just_over_is_not_a_trend_but_a_climb_that_started_late_is() -> None:
    n = np.arange(37, dtype=np.float64)
    jumped_early = np.where(n >= 10, 94.0, 60.0)
    jumped_late = np.where(n >= 30, 94.0, 60.0)
    climbing_late = 50.0 + np.maximum(0.0, n - 24) * 1.0
    leaking = 50.0 + 0.6 * n
    spike_just_over = np.where((n >= 20) & (n < 36), 94.0, 60.0)

    lanes = (jumped_early, jumped_late, climbing_late, leaking, spike_just_over)
    scores = _projected(np.vstack(lanes) + np.random.default_rng(3).normal(0.0, 0.5, size=(len(lanes), 37)))

    assert scores[0] == 0.0
    assert scores[1] == 0.0
    assert scores[2] > 1.0
    assert scores[3] > 1.0
    assert scores[4] == 0.0


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


def test_the_level_of_a_heavy_tail_is_a_share_of_the_way_past_the_history_quantile() -> None:
    scores = np.random.default_rng(3).pareto(2.5, size=(1, 20_000))
    config = EngineConfig(raise_share=0.0)
    levels = PeakLevels(config)
    levels.reserve(1)

    levels.fit(np.zeros(1, dtype=np.intp), scores)

    m, q = np.quantile(scores[0], [0.5, config.level_quantile])
    assert abs(float(levels.level[0]) - (m + config.level_share * (q - m))) < 1e-6


def _fitted_one_minute_lane() -> tuple[PeakLevels, np.ndarray]:
    """One lane sampled every minute, fitted on unit exponential scores, without the 2-spread floor."""
    levels = PeakLevels(EngineConfig(min_level=0.0), step_seconds=60.0)
    levels.reserve(1)
    lane = np.zeros(1, dtype=np.intp)
    levels.fit(lane, np.random.default_rng(4).exponential(1.0, size=(1, 3000)))
    return levels, lane


def test_recent_normal_scores_raise_the_level_and_a_quiet_day_lowers_it_again() -> None:
    levels, lane = _fitted_one_minute_lane()
    fitted = float(levels.level[0])
    normal = np.ones(1, dtype=bool)

    # Two hours of normal scores at 3× the fitted level: the hour after them alarms only above ~1.5× that.
    for _ in range(120):
        levels.observe(lane, np.array([3 * fitted]), normal)
    raised = float(levels.level[0])
    for _ in range(26 * 60):
        levels.observe(lane, np.array([0.5]), normal)

    assert raised > 4 * fitted
    assert float(levels.level[0]) == float(levels.history_level[0])


def test_an_incident_is_not_counted_as_recent_normal_until_it_outlasts_the_exclusion() -> None:
    levels, lane = _fitted_one_minute_lane()
    fitted = float(levels.level[0])
    abnormal = np.zeros(1, dtype=bool)

    for _ in range(25):
        levels.observe(lane, np.array([10 * fitted]), abnormal)
    for _ in range(95):
        levels.observe(lane, np.array([0.5]), np.ones(1, dtype=bool))
    short = float(levels.level[0])
    for _ in range(120):
        levels.observe(lane, np.array([10 * fitted]), abnormal)

    # Counted, the incident would have raised the level to about 1.5 × 10 × the fitted level.
    assert short < 1.1 * fitted
    assert float(levels.level[0]) > 5 * fitted


def test_an_open_incident_holds_above_a_share_of_its_opening_level() -> None:
    incidents = StreamIncidents(EngineConfig(smoothing=1, hold_share=0.8, recovery_seconds=0.0))
    incidents.reserve(1)
    lane = np.zeros(1, dtype=np.intp)
    u, level = np.array([1.0]), np.array([11.0])
    warm = np.ones(1, dtype=bool)

    opened = incidents.step(lane, 0.0, np.array([12.0]), np.array([0.0]), level=level, normal_level=u, warm=warm)
    held = incidents.step(lane, 60.0, np.array([9.5]), np.array([0.0]), level=level, normal_level=u, warm=warm)
    ended = incidents.step(lane, 120.0, np.array([8.5]), np.array([0.0]), level=level, normal_level=u, warm=warm)

    # Held above 1 + 0.8 × (11 − 1) = 9: 9.5 holds, 8.5 (still far above u) resolves it.
    assert (opened.opened.tolist(), opened.abnormal.tolist()) == ([0], [0])
    assert (held.abnormal.tolist(), held.resolved.tolist()) == ([0], [])
    assert (ended.abnormal.tolist(), ended.resolved.tolist()) == ([], [0])


def test_huge_normal_scores_raise_the_level_to_a_finite_height() -> None:
    levels, lane = _fitted_one_minute_lane()

    for _ in range(120):
        levels.observe(lane, np.array([1e12]), np.ones(1, dtype=bool))

    assert np.isfinite(levels.level[0])
    assert float(levels.level[0]) > 1000.0


def test_an_alarm_run_ends_once_the_raised_level_catches_up_while_the_incident_holds() -> None:
    incidents = StreamIncidents(EngineConfig(smoothing=1, hold_share=0.8, recovery_seconds=600.0))
    incidents.reserve(1)
    lane = np.zeros(1, dtype=np.intp)
    u, warm = np.array([1.0]), np.ones(1, dtype=bool)

    incidents.step(lane, 0.0, np.array([12.0]), np.array([0.0]), level=np.array([11.0]), normal_level=u, warm=warm)
    # The lane's level has since been raised to 30: 20 is under its hold (1 + 0.8 × 29) but over the opening one (9).
    later = incidents.step(
        lane, 60.0, np.array([20.0]), np.array([0.0]), level=np.array([30.0]), normal_level=u, warm=warm
    )

    assert later.abnormal.tolist() == []
    assert later.resolved.tolist() == []
    assert bool(incidents.open[0])


def test_the_ring_of_peaks_is_kept_only_for_the_extreme_value_tail_and_dropping_it_changes_no_level() -> None:
    rng = np.random.default_rng(3)
    history = rng.gamma(2.0, 1.0, (4, 2000))
    # The quantile rule alone: a light tail's floor is the tail fitted on the history, not on the ring.
    alone = EngineConfig(light_tail_shape=-1.0)
    quantile, tail = PeakLevels(alone), PeakLevels(EngineConfig(level_share=0.0))
    kept = PeakLevels(alone)  # the quantile rule, made to keep the ring it does not need
    kept.ring = alone.max_peaks
    kept.peaks = np.zeros((0, kept.ring))
    for levels in (quantile, tail, kept):
        levels.reserve(4)
        levels.fit(np.arange(4), history)
    for _ in range(300):
        scores = rng.gamma(2.0, 1.0, 4)
        for levels in (quantile, tail, kept):
            levels.observe(np.arange(4), scores, np.ones(4, dtype=bool))

    assert (4, 0) == quantile.peaks[:4].shape
    assert (4, EngineConfig().max_peaks) == tail.peaks[:4].shape
    np.testing.assert_array_equal(kept.level[:4], quantile.level[:4])
    assert np.isfinite(quantile.level[:4]).all()
    assert np.isfinite(tail.level[:4]).all()


def test_a_stream_with_hours_of_history_alarms_no_lower_than_its_tail_until_it_has_a_day() -> None:
    rng = np.random.default_rng(5)
    young = PeakLevels(EngineConfig(raise_share=0.0), step_seconds=60.0)
    young.reserve(1)
    lane = np.zeros(1, dtype=np.intp)
    young.fit(lane, rng.exponential(1.0, size=(1, 120)))  # two hours
    tail_only = PeakLevels(EngineConfig(level_share=0.0, raise_share=0.0), step_seconds=60.0)
    tail_only.reserve(1)
    normal = np.ones(1, dtype=bool)

    assert float(young.level[0]) == float(young.tail[0]) > float(young.history_level[0])
    for _ in range(22 * 60 - 1):  # the level falls to the history's once the stream has seen a day
        young.observe(lane, np.array([0.5]), normal)
    assert float(young.level[0]) == float(young.tail[0])
    for _ in range(61):
        young.observe(lane, np.array([0.5]), normal)
    assert float(young.level[0]) == max(float(young.history_level[0]), EngineConfig().min_level)
    assert 0 == young.peaks.shape[1]
    assert tail_only.ring > 0


def test_lanes_added_a_signal_at_a_time_leave_at_most_a_quarter_of_the_state_unused() -> None:
    parts = (LaneBaselines(), PeakLevels(EngineConfig()), StreamIncidents(EngineConfig()))
    lanes = 0
    for _signal in range(9):
        lanes += 10_000
        for part in parts:
            part.reserve(lanes)

    baselines, levels, incidents = parts
    assert lanes <= baselines.centre.shape[0] <= 1.25 * lanes
    assert lanes <= levels.recent.tops.shape[0] <= 1.25 * lanes
    assert lanes <= incidents.window.shape[0] <= 1.25 * lanes


def test_one_wild_value_in_the_history_sets_neither_the_spread_nor_the_level() -> None:
    rng = np.random.default_rng(11)
    history = 10.0 + rng.normal(0.0, 1.0, size=(1, 600))
    spiked = history.copy()
    spiked[0, 100] = 1e6
    lanes = np.zeros(1, dtype=np.intp)
    fits = []
    for h in (history, spiked):
        baselines = LaneBaselines()
        baselines.reserve(1)
        baselines.fit(lanes, h)
        levels = PeakLevels(EngineConfig())
        levels.reserve(1)
        levels.fit(lanes, np.abs(baselines.deviations(lanes, h)))
        fits.append((float(baselines.spread[0]), float(levels.level[0])))

    (spread, level), (spiked_spread, spiked_level) = fits
    assert abs(spiked_spread - spread) < 0.05 * spread
    assert abs(spiked_level - level) < 0.05 * level


def test_a_spike_in_the_training_rows_does_not_hide_a_later_incident() -> None:
    rng = np.random.default_rng(0)
    values = 10.0 + rng.normal(0.0, 1.0, 4000)
    values[3000:3020] += 15.0
    spiked = values.copy()
    spiked[100] = 1e6

    clean_alarms = detect_series(values, step_seconds=300.0).alarms
    spiked_alarms = detect_series(spiked, step_seconds=300.0).alarms

    assert clean_alarms[3000:3025].sum() > 10
    assert (clean_alarms[700:] == spiked_alarms[700:]).all()


def test_a_level_incident_keeps_the_highest_value_it_reached_not_the_one_at_its_peak_mean() -> None:
    config = EngineConfig(smoothing=3, hold_share=0.0, recovery_seconds=600.0)
    behind, highest = StreamIncidents(config), StreamIncidents(config, highest_value=True)
    lane, u, level, warm = np.zeros(1, dtype=np.intp), np.array([1.0]), np.array([2.0]), np.ones(1, dtype=bool)
    for tracker in (behind, highest):
        tracker.reserve(1)
        # Means 3, 4, 5: the mean peaks two rows after the spike of 80, at an ordinary 30.
        for n, (score, value) in enumerate(((0.0, 10.0), (0.0, 10.0), (9.0, 80.0), (3.0, 30.0), (3.0, 30.0))):
            tracker.step(lane, 60.0 * n, np.array([score]), np.array([value]), level=level, normal_level=u, warm=warm)

    assert float(behind.peak[0]) == float(highest.peak[0]) == 5.0
    assert float(behind.peak_value[0]) == 30.0
    assert float(highest.peak_value[0]) == 80.0


def test_gaussian_noise_opens_no_incident_in_ten_days_once_its_light_tail_sets_the_floor() -> None:
    day = 1440
    noise = 50.0 + 5.0 * np.random.default_rng(3).normal(size=(17 * day, 1))
    train, test = noise[: 7 * day], noise[7 * day :]

    with_floor = replay_matrix(train, test, step_seconds=60.0).alarms
    quantile_only = replay_matrix(train, test, step_seconds=60.0, config=EngineConfig(light_tail_shape=-1.0)).alarms

    # The quantile share of a Gaussian tail sits near its bulk: about one false alarm every other day.
    assert len(runs(quantile_only)) >= 3
    assert len(runs(with_floor)) <= 1


def test_a_spiky_history_keeps_the_quantile_level_and_a_gaussian_one_rises_to_its_tail() -> None:
    rng = np.random.default_rng(8)
    gaussian = np.abs(rng.normal(size=(1, 5000)))
    spiky = rng.pareto(2.5, size=(1, 5000))
    levels = PeakLevels(EngineConfig(raise_share=0.0, min_level=0.0, young_hours=0.0), step_seconds=60.0)
    levels.reserve(2)

    levels.fit(np.arange(2), np.vstack((gaussian, spiky)))

    assert float(levels.shape[0]) <= 0.0 < float(levels.shape[1])
    assert float(levels.level[0]) == float(levels.tail[0]) > float(levels.history_level[0])
    assert float(levels.level[1]) == float(levels.history_level[1])
