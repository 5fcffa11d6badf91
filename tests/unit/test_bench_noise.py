"""bench/noise_false_alarms.py: it counts runs of alarm rows, and prints a figure for every kind of noise."""

from __future__ import annotations

import numpy as np
import pytest

from bench.noise_false_alarms import alarm_runs, main, noise_kinds


def test_runs_of_alarm_rows_are_counted_once_each() -> None:
    assert alarm_runs(np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 1])) == 3
    assert alarm_runs(np.zeros(5)) == 0


def test_every_kind_of_noise_gets_a_line_for_both_configurations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--train-days", "1", "--test-days", "1"]) == 0

    lines = capsys.readouterr().out.splitlines()
    for name in noise_kinds(10, 0):
        row = next(line for line in lines if line.startswith(name))
        former, shipped = (float(v) for v in row[len(name) :].split())
        assert min(former, shipped) >= 0.0
    assert any(line.startswith("mean") for line in lines)


def test_too_short_a_run_is_refused_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--test-days", "0"])

    assert exit_.value.code == 2
    assert "at least 1" in capsys.readouterr().err
