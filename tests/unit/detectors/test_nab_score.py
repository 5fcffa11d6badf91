"""NAB's standard profile with one detection per run of alarm rows."""

from __future__ import annotations

import numpy as np

from evaluation.nab_score import corpus_score, nab_parts


def _labels() -> np.ndarray:
    labels = np.zeros(1000, dtype=bool)
    labels[400:500] = True
    return labels


def test_a_detection_at_the_left_edge_of_every_window_is_perfect() -> None:
    alarms = np.zeros(1000, dtype=bool)
    alarms[400] = True

    assert round(corpus_score([nab_parts(_labels(), alarms, probation=100)]), 6) == 100.0


def test_never_alarming_scores_zero_and_a_run_counts_once() -> None:
    quiet = nab_parts(_labels(), np.zeros(1000, dtype=bool), probation=100)
    run = np.zeros(1000, dtype=bool)
    run[600:700] = True
    single = np.zeros(1000, dtype=bool)
    single[600] = True

    assert corpus_score([quiet]) == 0.0
    assert nab_parts(_labels(), run, probation=100) == nab_parts(_labels(), single, probation=100)


def test_a_false_alarm_before_any_window_costs_the_full_fp_weight_and_probation_is_not_scored() -> None:
    early = np.zeros(1000, dtype=bool)
    early[200] = True
    in_probation = np.zeros(1000, dtype=bool)
    in_probation[50] = True

    assert nab_parts(_labels(), early, probation=100).raw == -1.0 - 0.11
    assert nab_parts(_labels(), in_probation, probation=100).raw == -1.0
