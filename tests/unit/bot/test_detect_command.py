"""The ``detect batch`` contract and a light ``eval`` run, through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.cli.commands.eval import DEFAULT_DATA
from bot.cli.main import main


def _write_matrix(path: Path, rows: np.ndarray) -> Path:
    path.write_text("\n".join(",".join(f"{v:.6f}" for v in row) for row in rows) + "\n")
    return path


@pytest.fixture
def smd_pair(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    train = rng.normal(0.5, 0.05, size=(600, 5))
    test = rng.normal(0.5, 0.05, size=(200, 5))
    test[120:140, 2] += 1.0
    return _write_matrix(tmp_path / "train.txt", train), _write_matrix(tmp_path / "test.txt", test)


def _rows(path: Path) -> list[list[str]]:
    return [line.split(",") for line in path.read_text().splitlines()]


def test_smd_batch_writes_one_row_per_test_row(smd_pair: tuple[Path, Path], tmp_path: Path) -> None:
    train, test = smd_pair
    out = tmp_path / "alarms.csv"

    code = main(
        ["detect", "batch", "--format", "smd", "--train", str(train), "--test", str(test), "--output", str(out)]
    )

    rows = _rows(out)
    assert 0 == code
    assert ["index", "score", "alarm", "severity"] == rows[0]
    assert 200 == len(rows) - 1
    assert [str(i) for i in range(200)] == [r[0] for r in rows[1:]]
    assert all(np.isfinite(float(r[1])) for r in rows[1:])
    assert {"0", "1"} == {r[2] for r in rows[1:]}
    assert all((r[3] == "") == (r[2] == "0") for r in rows[1:])
    assert {r[3] for r in rows[1:]} <= {"", "low", "medium", "high", "critical"}
    assert 0 == sum(int(r[2]) for r in rows[1:120])


def test_nab_batch_keeps_the_prefix_quiet(tmp_path: Path) -> None:
    series = tmp_path / "series.csv"
    values = [10.0 + (i % 7) * 0.3 for i in range(400)] + [80.0] * 20
    lines = ["timestamp,value"] + [
        f"2014-02-14 {i // 12 % 24:02d}:{i % 12 * 5:02d}:00,{v}" for i, v in enumerate(values)
    ]
    series.write_text("\n".join(lines) + "\n")
    out = tmp_path / "alarms.csv"

    code = main(["detect", "batch", "--format", "nab", "--input", str(series), "--output", str(out)])

    rows = _rows(out)[1:]
    assert 0 == code
    assert 420 == len(rows)
    assert {"0"} == {r[2] for r in rows[:63]}
    assert {"1"} == {r[2] for r in rows[400:405]}


@pytest.mark.parametrize(
    ("train_text", "test_text", "message"),
    [
        ("1,2,3\n4,5\n", "1,2,3\n", "columns where the first row has 3"),
        ("1,2,3\n4,5,nan\n", "1,2,3\n", "not finite"),
        ("1,2,3\n", "1,2\n", "has 3 columns but"),
        ("", "1,2\n", "file is empty"),
        ("1,2,x\n", "1,2,3\n", "is not a number"),
    ],
)
def test_bad_input_is_one_clear_line_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], train_text: str, test_text: str, message: str
) -> None:
    (tmp_path / "train.txt").write_text(train_text)
    (tmp_path / "test.txt").write_text(test_text)
    out = tmp_path / "alarms.csv"
    args = ["detect", "batch", "--format", "smd", "--train", str(tmp_path / "train.txt")]

    code = main([*args, "--test", str(tmp_path / "test.txt"), "--output", str(out)])

    err = capsys.readouterr().err
    assert 0 != code
    assert 1 == len(err.strip().splitlines())
    assert message in err
    assert not out.exists()
    assert [] == list(tmp_path.glob(".alarms.csv.*"))


def test_missing_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["detect", "batch", "--format", "nab", "--input", str(tmp_path / "no.csv"), "--output", "x.csv"])

    assert 0 != code
    assert "file not found" in capsys.readouterr().err


@pytest.mark.skipif(not (DEFAULT_DATA / "smd" / "train").is_dir(), reason="shared datasets not beside the repo")
def test_eval_smd_on_one_truncated_machine_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["eval", "smd", "--json", "--only", "machine-1-2", "--max-rows", "3000", "--methods", "product,random"])

    captured = capsys.readouterr()
    table = json.loads(captured.out)["smd"]
    assert 0 == code
    assert ["machine-1-2"] == table["cases"]
    assert {"product", "random"} == set(table["mean"])
    assert {"f1", "pa_f1", "event_f1", "false_runs_per_day"} <= set(table["mean"]["product"])
    assert "2/2" in captured.err
