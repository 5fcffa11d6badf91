"""Quality metrics against hand-computed cases."""

from __future__ import annotations

import pytest

from evaluation.metrics import event_prf, false_alarm_runs, mean_scores, point_adjusted_f1, point_prf, runs, score_all

# labels: two segments, rows 2-4 and 8-9
LABELS = [0, 0, 1, 1, 1, 0, 0, 0, 1, 1]


@pytest.mark.parametrize(
    ("mask", "expected"),
    [
        ([], []),
        ([0, 0], []),
        ([1, 1, 0, 1], [(0, 2), (3, 4)]),
        ([0, 1, 1, 1], [(1, 4)]),
    ],
)
def test_runs_are_maximal_and_end_exclusive(mask: list[int], expected: list[tuple[int, int]]) -> None:
    assert expected == runs(mask)


@pytest.mark.parametrize(
    ("alarms", "expected"),
    [
        # tp=2 (rows 3, 8), fp=1 (row 6): P=2/3, R=2/5
        ([0, 0, 0, 1, 0, 0, 1, 0, 1, 0], (2 / 3, 2 / 5, 2 * (2 / 3) * (2 / 5) / (2 / 3 + 2 / 5))),
        ([0] * 10, (1.0, 0.0, 0.0)),
        (LABELS, (1.0, 1.0, 1.0)),
    ],
)
def test_point_prf(alarms: list[int], expected: tuple[float, float, float]) -> None:
    assert pytest.approx(expected) == point_prf(LABELS, alarms)


def test_point_adjusted_fills_detected_segments_only() -> None:
    # one alarm in segment 1 → all 3 rows count; segment 2 missed; one false row 0
    alarms = [1, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    precision, recall = 3 / 4, 3 / 5
    assert pytest.approx(2 * precision * recall / (precision + recall)) == point_adjusted_f1(LABELS, alarms)


def test_event_prf_counts_segments_and_alarm_runs() -> None:
    # alarm runs: [0,1) false, [3,5) true, [6,7) false, [9,10) true → P = 2/4; both segments found → R = 1
    alarms = [1, 0, 0, 1, 1, 0, 1, 0, 0, 1]
    assert pytest.approx((0.5, 1.0, 2 / 3)) == event_prf(LABELS, alarms)
    assert 2 == false_alarm_runs(LABELS, alarms)


def test_one_long_alarm_over_both_segments_is_one_true_run() -> None:
    alarms = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1]
    assert pytest.approx((1.0, 1.0, 1.0)) == event_prf(LABELS, alarms)


def test_no_labels_and_no_alarms_is_perfect_and_false_alarms_are_not() -> None:
    assert (1.0, 1.0, 1.0) == event_prf([0, 0, 0], [0, 0, 0])
    assert (0.0, 1.0, 0.0) == event_prf([0, 0, 0], [0, 1, 0])


def test_score_all_rates_per_day() -> None:
    # 10 rows of 1 h = 10/24 day; 2 false runs → 4.8 per day; 5 alarm rows of 10
    alarms = [1, 0, 0, 1, 1, 0, 1, 0, 0, 1]
    scores = score_all(LABELS, alarms, step_seconds=3600)
    assert pytest.approx(4.8) == scores.false_runs_per_day
    assert pytest.approx(0.5) == scores.alarm_rate
    assert pytest.approx(0.5) == scores.event_precision


def test_mean_scores_is_fieldwise() -> None:
    a = score_all(LABELS, LABELS, step_seconds=60)
    b = score_all(LABELS, [0] * 10, step_seconds=60)
    assert pytest.approx(0.5) == mean_scores([a, b]).f1


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="equal in length"):
        point_prf([0, 1], [0])
