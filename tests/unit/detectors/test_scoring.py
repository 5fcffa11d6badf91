"""Robust z-scorer, alarm rule and batch detection on small synthetic data."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from detectors.engine.config import DEFAULT_CONFIG
from detectors.model.scoring import AlarmRule, RobustZScorer, Thresholds, run_stream, top_k_mean, trailing_mean
from detectors.model.severity import incident_severity
from domain.models import MetricKind, Severity
from evaluation.batch import PRODUCT_RULE, batch_scorer_train_test, detect_series, detect_train_test, nab_prefix_rows


def test_trailing_mean_uses_only_past_rows() -> None:
    assert [1.0, 1.5, 2.0, 3.0] == trailing_mean(np.array([1.0, 2.0, 3.0, 4.0]), 3).tolist()


def test_top_k_mean() -> None:
    assert [2.5, 5.0] == top_k_mean(np.array([[1.0, 3.0, 2.0], [5.0, 5.0, 0.0]]), 2).tolist()


def test_hysteresis_starts_above_on_and_stops_at_off() -> None:
    rule = AlarmRule()
    smoothed = np.array([0.0, 2.5, 1.5, 1.5, 0.5, 1.5, 3.0])
    alarms = rule.alarms(smoothed, Thresholds(on=2.0, off=1.0))
    assert [False, True, True, True, False, False, True] == alarms.tolist()


def test_alarms_are_causal() -> None:
    rule = AlarmRule()
    smoothed = np.random.default_rng(1).random(200) * 3
    full = rule.alarms(smoothed, Thresholds(on=2.0, off=1.0))
    for t in (10, 50, 199):
        assert full[: t + 1].tolist() == rule.alarms(smoothed[: t + 1], Thresholds(on=2.0, off=1.0)).tolist()


def test_calibration_is_shift_and_scale_free() -> None:
    scores = np.random.default_rng(2).random(1000)
    rule = AlarmRule()
    base, moved = rule.calibrate(scores), rule.calibrate(10 * scores + 5)
    assert pytest.approx(10 * base.on + 5) == moved.on
    assert base.on > base.off


def test_flat_training_metric_does_not_explode() -> None:
    train = np.column_stack([np.zeros(100), np.linspace(0, 1, 100)])
    scorer = RobustZScorer.fit(train, top_k=1)
    assert pytest.approx(1.0) == scorer.scores(np.array([[0.01, 0.5]]))[0]


def _spiky(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    train = rng.normal(0.5, 0.05, size=(2000, 4))
    test = rng.normal(0.5, 0.05, size=(500, 4))
    test[300:320, 1] += 1.0
    return train, test


def test_train_test_alarms_on_the_injected_fault_only() -> None:
    train, test = _spiky(3)
    rows = detect_train_test(train, test)
    alarm_rows = np.flatnonzero(rows.alarms)
    assert alarm_rows.size > 0
    assert alarm_rows.min() >= 300
    assert alarm_rows.max() < 330
    assert all(s is not None for s in np.array(rows.severities, dtype=object)[rows.alarms])
    assert all(s is None for s in np.array(rows.severities, dtype=object)[~rows.alarms])
    assert np.isfinite(rows.scores).all()


def test_alarms_do_not_depend_on_future_rows() -> None:
    train, test = _spiky(4)
    full = detect_train_test(train, test)
    cut = detect_train_test(train, test[:310])
    assert full.alarms[:310].tolist() == cut.alarms.tolist()


def test_series_prefix_never_alarms() -> None:
    values = np.concatenate([np.full(900, 10.0), np.full(100, 90.0)])
    values[:900] += np.random.default_rng(5).normal(0, 1, 900)
    rows = detect_series(values, step_seconds=300)
    prefix = nab_prefix_rows(values.size)
    assert 150 == prefix
    assert not rows.alarms[:prefix].any()
    assert rows.alarms[900:912].all()
    assert 1000 == len(rows.csv_lines()) - 1


def _shifted(rows_before: int, rows_after: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    train = rng.normal(0, 1, size=(1440, 1))
    test = rng.normal(0, 1, size=(rows_before + rows_after, 1))
    test[rows_before:] += 40.0
    return train, test


def test_a_level_shift_alarms_then_becomes_the_new_normal_when_recalibrating() -> None:
    train, test = _shifted(600, 600)
    steady = batch_scorer_train_test(train, test, rule=replace(PRODUCT_RULE, recent_share=0.0))
    recalibrating = batch_scorer_train_test(train, test, rule=PRODUCT_RULE)

    assert steady.alarms[600:].all()
    assert recalibrating.alarms[600:620].all()
    assert not recalibrating.alarms[720:].any()


def test_recent_levels_use_only_earlier_rows() -> None:
    train, test = _shifted(700, 500)
    rule = PRODUCT_RULE
    scorer = RobustZScorer.fit(train)
    full = run_stream(scorer.scores(train), scorer.scores(test), rule=rule, step_seconds=60)
    for t in (650, 700, 761, 1199):
        cut = run_stream(scorer.scores(train), scorer.scores(test[: t + 1]), rule=rule, step_seconds=60)
        assert full.on_levels[: t + 1].tolist() == cut.on_levels.tolist()
        assert full.alarms[: t + 1].tolist() == cut.alarms.tolist()


def test_recent_levels_are_shift_and_scale_free() -> None:
    train, test = _shifted(700, 500)
    raw_train, raw_test = train[:, 0] ** 2, test[:, 0] ** 2
    base = run_stream(raw_train, raw_test, rule=PRODUCT_RULE, step_seconds=60)
    moved = run_stream(3 * raw_train + 7, 3 * raw_test + 7, rule=PRODUCT_RULE, step_seconds=60)
    assert np.allclose(3 * base.on_levels + 7, moved.on_levels)
    assert base.alarms.tolist() == moved.alarms.tolist()


def test_spread_is_at_least_a_share_of_the_standard_deviation() -> None:
    train = np.zeros((1000, 1))
    train[::50, 0] = 1.0  # flat but for regular spikes: IQR and MAD are 0
    plain = RobustZScorer.fit(train, top_k=1)
    tolerant = RobustZScorer.fit(train, top_k=1, std_share=0.25)
    assert pytest.approx(0.01) == plain.scale[0]
    assert pytest.approx(0.25 * train.std()) == tolerant.scale[0]
    assert tolerant.scores(np.array([[1.0]]))[0] < plain.scores(np.array([[1.0]]))[0] / 3


@pytest.mark.parametrize(("n", "expected"), [(100, 15), (4032, 604), (10000, 750), (13, 1)])
def test_nab_prefix(n: int, expected: int) -> None:
    assert expected == nab_prefix_rows(n)


def test_csv_lines_header_and_rows() -> None:
    train, test = _spiky(6)
    lines = detect_train_test(train, test).csv_lines()
    assert "index,score,alarm,severity" == lines[0]
    index, _score, alarm, severity = lines[1].split(",")
    assert ("0", "0", "") == (index, alarm, severity)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"ratio": 1.1, "duration_minutes": 1}, Severity.LOW),
        ({"ratio": 1.6, "duration_minutes": 1}, Severity.MEDIUM),
        ({"ratio": 1.6, "duration_minutes": 20}, Severity.HIGH),
        ({"ratio": 5.0, "duration_minutes": 1}, Severity.CRITICAL),
        ({"ratio": 1.1, "duration_minutes": 90}, Severity.HIGH),
        ({"ratio": 1.1, "duration_minutes": 1, "metric": MetricKind.CPU, "value": 97.0}, Severity.CRITICAL),
        ({"ratio": 1.1, "duration_minutes": 1, "metric": MetricKind.DISK, "value": 91.0}, Severity.HIGH),
        ({"ratio": 1.1, "duration_minutes": 1, "metric": MetricKind.NETWORK_IN, "value": 97.0}, Severity.LOW),
    ],
)
def test_incident_severity(kwargs: dict[str, object], expected: Severity) -> None:
    assert expected == incident_severity(**kwargs)  # type: ignore[arg-type]


def test_recent_window_reaches_back_at_least_the_minimum_rows() -> None:
    training = np.random.default_rng(8).random(300)
    stream = np.random.default_rng(9).random(100)
    stream[10:20] = 50.0  # a burst 80 hourly rows (more than a day) before the end
    thresholds = AlarmRule().calibrate(training)
    short = AlarmRule(recent_share=1.5, recent_min_rows=1)
    long = AlarmRule(recent_share=1.5, recent_min_rows=1000)

    _, on_short = short.stream_alarms(training, stream, thresholds, step_seconds=3600)
    _, on_long = long.stream_alarms(training, stream, thresholds, step_seconds=3600)

    assert on_short[-1] < 2.0
    assert on_long[-1] > 50.0


def _two_incidents(length: int, second: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(10)
    train = rng.normal(0, 1, size=(1440, 3))
    test = rng.normal(0, 1, size=(600, 3))
    test[100 : 100 + length, 0] += 30.0
    test[second : second + length, 1] += 30.0
    return train, test


def test_a_short_incident_does_not_hide_the_next_one() -> None:
    train, test = _two_incidents(15)
    rows = detect_train_test(train, test)

    assert rows.alarms[100:110].all()
    assert rows.alarms[400:410].all()
    assert not rows.alarms[:100].any()


def test_a_long_incident_that_recurs_soon_after_is_recent_normal_and_one_that_does_not_is_forgotten() -> None:
    recurring = detect_train_test(*_two_incidents(60, second=200))
    # The first ends near row 165; the second comes 4 hours after the first began, 2 h 15 min after it ended.
    forgotten = detect_train_test(*_two_incidents(60, second=400))
    excluded = batch_scorer_train_test(
        *_two_incidents(60, second=200), rule=replace(PRODUCT_RULE, exclude_alarm_hours=2.0)
    )

    assert recurring.alarms[100:110].all()
    assert not recurring.alarms[200:260].any()
    assert forgotten.alarms[400:410].all()
    assert excluded.alarms[200:210].all()


def _bursts(starts: range, length: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    train = rng.normal(0, 1, size=(1440, 3))
    test = rng.normal(0, 1, size=(starts.stop, 3))
    for start in starts:
        test[start : start + length, 0] += 30.0
    return train, test


def test_short_bursts_that_recur_become_recent_normal_and_stop_alarming() -> None:
    # Bursts of 20 minutes every 2 hours: from the second on, each is counted as the lane's recent past.
    starts = range(120, 1200, 120)
    recurring = detect_train_test(*_bursts(starts, 20))
    never = detect_train_test(*_bursts(starts, 20), config=replace(DEFAULT_CONFIG, recur_hours=0.0))

    assert [bool(never.alarms[s : s + 20].any()) for s in starts] == [True] * len(starts)
    alarmed = [bool(recurring.alarms[s : s + 20].any()) for s in starts]
    assert alarmed[:2] == [True, True]
    assert not any(alarmed[3:])


def test_a_short_burst_long_after_the_previous_one_still_alarms() -> None:
    # 14 hours apart: beyond recur_hours, so no burst is counted as normal.
    starts = range(120, 3000, 840)
    rows = detect_train_test(*_bursts(starts, 20))

    assert [bool(rows.alarms[s : s + 20].any()) for s in starts] == [True] * len(starts)


def _spiky_with_shift(shift: slice) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(12)
    train = rng.normal(0, 1, size=(1440, 2))
    test = rng.normal(0, 1, size=(600, 2))
    for rows in (train, test):
        rows[np.arange(rows.shape[0]) % 40 < 2, 0] += 40.0
    test[shift, 0] += 12.0
    return train, test


def test_a_moderate_shift_that_lasts_under_spikes_alarms_where_the_slow_stream_opens() -> None:
    train, test = _spiky_with_shift(slice(300, 420))
    rows = detect_train_test(train, test)
    without = detect_train_test(train, test, config=replace(DEFAULT_CONFIG, slow_smoothing=0))

    assert not without.alarms.any()
    assert np.flatnonzero(rows.alarms).tolist() == [np.flatnonzero(rows.alarms[300:])[0] + 300]
    assert 300 <= np.flatnonzero(rows.alarms)[0] < 340
