"""``eval nab --data DIR`` reads a NAB checkout (``data/<category>/*.csv``, ``labels/combined_windows.json``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main


def _series(path: Path, rows: int, spike_at: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["timestamp,value"]
    for i in range(rows):
        value = 80.0 if spike_at <= i < spike_at + 6 else 10.0 + (i % 7) * 0.3
        lines.append(f"2014-02-{14 + i // 288:02d} {i // 12 % 24:02d}:{i % 12 * 5:02d}:00,{value}")
    path.write_text("\n".join(lines) + "\n")


def _layout(root: Path) -> None:
    """A NAB checkout of two series, each with one labelled window around its spike."""
    _series(root / "data" / "realTweets" / "a.csv", 600, 400)
    _series(root / "data" / "realAWSCloudwatch" / "b.csv", 600, 450)
    windows = {
        "realTweets/a.csv": [["2014-02-15 09:00:00", "2014-02-15 10:00:00"]],
        "realAWSCloudwatch/b.csv": [["2014-02-15 13:00:00", "2014-02-15 14:00:00"]],
    }
    (root / "labels").mkdir()
    (root / "labels" / "combined_windows.json").write_text(json.dumps(windows))


def test_a_nab_checkout_is_read_with_every_category(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _layout(tmp_path)

    code = main(["eval", "nab", "--data", str(tmp_path), "--json", "--methods", "product"])

    tables = json.loads(capsys.readouterr().out)
    assert 0 == code
    assert {"aws", "tweets"} == set(tables)
    assert ["a"] == tables["tweets"]["cases"]
    assert 1.0 == tables["tweets"]["mean"]["product"]["event_recall"]


def test_the_tables_end_with_each_detector_s_nab_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _layout(tmp_path)

    code = main(["eval", "nab", "--data", str(tmp_path), "--methods", "product,batch_scorer,random"])

    lines = capsys.readouterr().out.splitlines()
    assert 0 == code
    assert ["product", "batch_scorer"] == [line.split(", ")[1] for line in lines if line.startswith("NAB standard")]


def test_a_folder_without_nab_files_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["eval", "nab", "--data", str(tmp_path), "--methods", "product"])

    assert 0 != code
    assert "no data files found" in capsys.readouterr().err
