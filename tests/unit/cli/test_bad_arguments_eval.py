"""``smartcloudops eval``: an empty --methods and a --max-rows under 1 (or too few NAB rows) are one error line."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.unit.cli.conftest import one_error_line


def _nab(tmp_path: Path, rows: int = 200) -> Path:
    root = tmp_path / "nab-checkout"
    folder = root / "data" / "realAWSCloudwatch"
    folder.mkdir(parents=True)
    (root / "labels").mkdir()
    start = datetime(2024, 1, 1)
    lines = ["timestamp,value"] + [f"{start + timedelta(minutes=5 * i):%Y-%m-%d %H:%M:%S},{i % 9}" for i in range(rows)]
    (folder / "a.csv").write_text("\n".join(lines) + "\n")
    (root / "labels" / "combined_windows.json").write_text(json.dumps({"realAWSCloudwatch/a.csv": []}))
    return root


@pytest.mark.parametrize("methods", ["", " , "])
def test_an_empty_methods_list_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str], methods: str) -> None:
    code = main(["eval", "nab", "--data", str(_nab(tmp_path)), "--methods", methods])

    line = one_error_line(capsys)
    assert code == 3
    assert "--methods is empty" in line
    assert "no data files" not in line


@pytest.mark.parametrize("rows", ["0", "-5"])
def test_max_rows_under_one_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: str) -> None:
    code = main(["eval", "nab", "--data", str(_nab(tmp_path)), "--max-rows", rows])

    assert code == 3
    assert f"--max-rows must be at least 1 (got {rows})" in one_error_line(capsys)


def test_too_few_nab_rows_after_max_rows_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["eval", "nab", "--data", str(_nab(tmp_path)), "--max-rows", "5", "--methods", "random"])

    assert code == 3
    assert "5 rows after --max-rows; a NAB series needs at least 14" in one_error_line(capsys)
