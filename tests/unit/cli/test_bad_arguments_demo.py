"""``smartcloudops demo``: a fleet size out of bounds or an unusable --log-dir is one error line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli.demo import MAX_HOSTS, run_demo
from bot.cli.main import main
from domain.errors import InputError
from tests.unit.cli.conftest import one_error_line


@pytest.mark.parametrize("hosts", ["0", "-1", "100000", str(MAX_HOSTS + 1)])
def test_a_fleet_size_out_of_bounds_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], hosts: str) -> None:
    code = main(["demo", "--hosts", hosts, "--log-dir", str(tmp_path / "logs")])

    assert code == 3
    assert f"--hosts must be between 1 and {MAX_HOSTS} (got {hosts})" in one_error_line(capsys)
    assert not (tmp_path / "logs").exists()


def test_run_demo_refuses_a_fleet_out_of_bounds_itself(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--hosts"):
        run_demo(out=io.StringIO(), log_dir=tmp_path, hosts=0)


@pytest.mark.parametrize(
    ("log_dir", "message"),
    [
        ("{tmp}/file.txt", "is not a folder"),
        ("{tmp}/file.txt/logs", "cannot write there (Not a directory)"),
        ("{tmp}/" + "x" * 300, "cannot write there (File name too long)"),
        ("", "--log-dir is empty"),
        ("   ", "--log-dir is empty"),
    ],
)
def test_an_unusable_log_dir_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_dir: str, message: str
) -> None:
    (tmp_path / "file.txt").write_text("x")

    code = main(["demo", "--log-dir", log_dir.format(tmp=tmp_path)])

    assert code == 3
    assert message in one_error_line(capsys)
