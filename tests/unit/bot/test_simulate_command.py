"""``smartcloudops simulate --write-openmetrics``: the history file, and clear errors for bad options."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main


def test_writes_openmetrics_history_for_every_host(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "history.om"

    code = main(["simulate", "--hosts", "3", "--write-openmetrics", str(out), "--hours", "0.5", "--step", "60"])

    text = out.read_text()
    assert 0 == code
    assert text.endswith("# EOF\n")
    assert 3 == len({line.split('host="')[1].split('"')[0] for line in text.splitlines() if "node_load1{" in line})
    assert 31 * 3 == sum(1 for line in text.splitlines() if line.startswith("node_load1{"))
    assert "wrote 1,767 samples for 3 hosts, 0.5 h at 60 s steps (openmetrics)" in capsys.readouterr().err


def test_prometheus_format_has_millisecond_timestamps(tmp_path: Path) -> None:
    out = tmp_path / "history.prom"

    main(["simulate", "--hosts", "1", "--write-openmetrics", str(out), "--hours", "0.1", "--format", "prometheus"])

    first = next(line for line in out.read_text().splitlines() if line.startswith("node_load1{"))
    assert 13 == len(first.rsplit(" ", 1)[1])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--hours", "0"], "--hours must be more than 0"),
        (["--hours", "10000"], "at most 744"),
        (["--step", "0.5"], "--step must be at least 1 second"),
        (["--hosts", "0"], "--hosts must be between 1 and 50,000"),
        (["--hosts", "50001"], "--hosts must be between 1 and 50,000"),
    ],
)
def test_bad_options_exit_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    code = main(["simulate", "--write-openmetrics", str(tmp_path / "h.om"), *options])

    err = capsys.readouterr().err.strip().splitlines()
    assert 3 == code
    assert 1 == len(err)
    assert message in err[0]


def test_an_unwritable_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", "--hosts", "1", "--write-openmetrics", str(tmp_path / "missing" / "h.om")])

    assert 3 == code
    assert "cannot write" in capsys.readouterr().err
