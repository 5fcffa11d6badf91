"""``smartcloudops train``: bounds on --hours, --step and --end, on a history file's span, and the default output."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.files.metrics_csv import read_history_csv
from bot.cli.main import main
from domain.errors import InputError
from tests.unit.cli.conftest import one_error_line

START = 1_764_979_200  # 2025-12-06T00:00:00Z


def _history(path: Path, *, minutes: int = 60, extra: str = "") -> Path:
    rows = [f"{START + 60 * i},a:9100,cpu,{0.3 + 0.01 * (i % 7):.3f}" for i in range(minutes)]
    path.write_text("timestamp,instance,metric,value\n" + "\n".join(rows) + "\n" + extra)
    return path


@pytest.fixture(autouse=True)
def _prometheus(monkeypatch: pytest.MonkeyPatch) -> None:
    """A metrics URL nothing answers on: every refusal here must come before it is asked."""
    monkeypatch.setenv("SCO_PROMETHEUS__URL", "http://127.0.0.1:9")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--end", "0001-01-01"], "--end 0001-01-01T00:00:00 minus --hours 24 is before 1970"),
        (["--hours", "1e15"], "--hours must be between 0.17 (10 minutes) and 2160 (90 days)"),
        (["--hours", "1000000"], "--hours must be between"),
        (["--hours", "0.01"], "--hours must be between"),
        (["--step", "1e-9"], "--step must be between 1 and 3600 seconds"),
        (["--step", "1e12"], "--step must be between 1 and 3600 seconds"),
        (["--hours", "2160", "--step", "1"], "more than 129,600 samples per series: use --step 60 or more"),
    ],
)
def test_bad_prometheus_options_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    out = tmp_path / "s.npz"

    code = main(["train", *options, "--output", str(out)])

    assert code == 3
    assert message in one_error_line(capsys)
    assert not out.exists()


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1e300", ":62: bad timestamp or value (timestamp '1e300' is not between 1970 and 9999)"),
        ("inf", ":62: bad timestamp or value (timestamp 'inf' is not between 1970 and 9999)"),
        ("nan", ":62: bad timestamp or value (timestamp 'nan' is not between 1970 and 9999)"),
        ("-1e12", ":62: bad timestamp or value (timestamp '-1e12' is not between 1970 and 9999)"),
        ("0001-01-01T00:00:00Z", ":62: bad timestamp or value"),
    ],
)
def test_a_timestamp_out_of_range_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cell: str, message: str
) -> None:
    history = _history(tmp_path / "h.csv", extra=f"{cell},a:9100,cpu,0.5\n")

    code = main(["train", "--file", str(history), "--output", str(tmp_path / "s.npz")])

    assert code == 3
    assert message in one_error_line(capsys)


def test_a_stray_old_row_is_refused_naming_the_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = _history(tmp_path / "h.csv", extra="0,a:9100,cpu,0.5\n")

    code = main(["train", "--file", str(history), "--output", str(tmp_path / "s.npz")])

    line = one_error_line(capsys)
    assert code == 3
    assert "from line 62 (1970-01-01T00:00:00Z) to line 61 (2025-12-06T00:59:00Z)" in line
    assert "more than 2,160 h: remove the stray rows" in line


def test_the_span_check_covers_the_wide_layout(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("timestamp,cpu@a:1\n2025-12-06T00:00:00Z,5\n1970-01-01T00:00:00Z,6\n")

    with pytest.raises(InputError, match=r"from line 3 \(1970-01-01T00:00:00Z\) to line 2"):
        read_history_csv(path, max_span_seconds=3600)
    assert 1 == len(read_history_csv(path))


@pytest.mark.parametrize("minutes", [1, 5])
def test_too_little_history_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], minutes: int) -> None:
    out = tmp_path / "s.npz"

    code = main(["train", "--file", str(_history(tmp_path / "h.csv", minutes=minutes)), "--output", str(out)])

    assert code == 3
    assert "too little history" in one_error_line(capsys)
    assert not out.exists()


def test_samples_too_dense_for_the_span_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [f"{START + 0.01 * i:.2f},a:9100,cpu,0.3" for i in range(5)] + [f"{START + 2000 * 3600},a:9100,cpu,0.3"]
    history = tmp_path / "h.csv"
    history.write_text("timestamp,instance,metric,value\n" + "\n".join(rows) + "\n")

    code = main(["train", "--file", str(history), "--output", str(tmp_path / "s.npz")])

    assert code == 3
    assert "more than 129,600 per series" in one_error_line(capsys)


def test_the_default_output_is_the_snapshot_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tmp_path / "models" / "engine.npz"
    monkeypatch.setenv("SCO_DETECTION__SNAPSHOT_PATH", str(snapshot))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)

    code = main(["train", "--file", str(_history(tmp_path / "h.csv"))])

    assert code == 0, capsys.readouterr().err
    assert snapshot.exists()
    assert not (cwd / "ml_models").exists()
    assert f"saved {snapshot}" in capsys.readouterr().out


def test_an_output_that_is_a_directory_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file.txt").write_text("x")

    for output, message in ((tmp_path, "is a directory"), (tmp_path / "file.txt" / "s.npz", "Not a directory")):
        code = main(["train", "--file", str(tmp_path / "absent.csv"), "--output", str(output)])
        assert code == 3
        assert message in one_error_line(capsys)
