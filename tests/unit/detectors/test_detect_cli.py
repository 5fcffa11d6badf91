"""``detect batch`` and ``detect replay`` refuse bad input with one error line; extreme values stay finite."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.cli.main import main
from evaluation.batch import detect_train_test
from evaluation.dataset_files import read_series


def _smd(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(3)
    train, test = tmp_path / "train.txt", tmp_path / "test.txt"
    np.savetxt(train, rng.random((200, 3)), delimiter=",", fmt="%.6f")
    np.savetxt(test, rng.random((100, 3)), delimiter=",", fmt="%.6f")
    return train, test


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


def test_batch_output_that_is_a_directory_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train, test = _smd(tmp_path)

    code = main(["detect", "batch", "--format", "smd", "--train", str(train), "--test", str(test), "--output", "."])

    assert code == 3
    assert "directory" in _one_error_line(capsys)


@pytest.mark.parametrize("step", ["0", "nan", "inf", "-5"])
def test_batch_step_that_is_not_a_positive_number_is_one_error_line(
    step: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train, test = _smd(tmp_path)
    out = tmp_path / "alarms.csv"

    code = main(
        [
            "detect",
            "batch",
            "--format",
            "smd",
            "--train",
            str(train),
            "--test",
            str(test),
            "--output",
            str(out),
            f"--step-seconds={step}",
        ]
    )

    assert code == 3
    assert "--step-seconds" in _one_error_line(capsys)
    assert not out.exists()


def test_values_near_the_float_limits_give_finite_scores() -> None:
    rng = np.random.default_rng(4)
    train = rng.random((300, 2))
    test = rng.random((50, 2))
    test[10] = [1e308, -1e308]
    test[20] = [-1.7e308, 1.7e308]

    rows = detect_train_test(train, test)

    assert np.isfinite(rows.scores).all()
    assert rows.alarms[10]


def test_a_series_with_a_utf8_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "series.csv"
    path.write_bytes(b"\xef\xbb\xbftimestamp,value\n2014-02-14 14:30:00,1.5\n2014-02-14 14:35:00,2.5\n")

    stamps, values = read_series(path)

    assert values.tolist() == [1.5, 2.5]
    assert stamps[1] - stamps[0] == 300


@pytest.mark.parametrize(
    "args",
    [
        ["--start", "yesterday", "--end", "2026-12-02T00:00:00Z"],
        ["--start", "2026-12-02T00:00:00Z", "--end", "2026-12-01T00:00:00Z"],
        ["--start", "2026-12-01T00:00:00Z", "--end", "2026-12-02T00:00:00Z", "--step", "0"],
        ["--start", "2026-12-01T00:00:00Z", "--end", "2026-12-02T00:00:00Z", "--step", "nan"],
    ],
)
def test_replay_with_a_bad_period_or_step_is_one_error_line(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["detect", "replay", *args])

    assert code == 3
    _one_error_line(capsys)
