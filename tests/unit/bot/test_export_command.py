"""``smartcloudops export`` refuses bad arguments with one line before it reads anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metrics", "cpu,temperature"], "--metrics: unknown metric 'temperature'; use cpu, memory, disk"),
        (["--metrics", " , "], "--metrics: unknown metric (none given)"),
        (["--step", "nan"], "--step positive"),
        (["--step", "0"], "--step positive"),
        (["--since", "40d"], "--since must be at most 31d"),
    ],
)
def test_bad_arguments_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.setenv("SCO_STATE__DIR", str(tmp_path / "state"))
    out = tmp_path / "history.csv"

    code = main(["export", "--output", str(out), *args])

    err = capsys.readouterr().err
    assert 0 != code
    assert message in err
    assert 1 == len(err.strip().splitlines())
    assert not out.exists()
