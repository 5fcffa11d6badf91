"""``smartcloudops export``: a bad --output or --step is one error line, before any history is read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli.history import chunk_edges
from bot.cli.main import main
from tests.unit.cli.conftest import one_error_line


@pytest.fixture(autouse=True)
def _no_history(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Reading history is a failure of the test: every check must come first."""
    calls: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> list[Any]:
        calls.append((args, kwargs))
        raise AssertionError("history was read before the arguments were checked")

    monkeypatch.setattr("bot.cli.history.read_history", refuse)
    monkeypatch.setenv("SCO_PROMETHEUS__URL", "http://127.0.0.1:9")
    return calls


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("", "--output: give a file name"),
        (".", "--output: give a file name"),
        ("{tmp}", "is a directory"),
        ("{tmp}/missing/e.csv", "missing does not exist"),
        ("{tmp}/file.txt/e.csv", "cannot write there (Not a directory)"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str, message: str
) -> None:
    (tmp_path / "file.txt").write_text("x")

    code = main(["export", "--since", "1h", "--output", output.format(tmp=tmp_path)])

    assert code == 3
    assert message in one_error_line(capsys)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("1e12", "--step must be between 1 and 86400 seconds"),
        ("0.5", "--step must be between 1 and 86400 seconds"),
        ("1e-9", "--step must be between 1 and 86400 seconds"),
    ],
)
def test_a_step_out_of_bounds_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], step: str, message: str
) -> None:
    code = main(["export", "--since", "1h", "--step", step, "--output", str(tmp_path / "e.csv")])

    assert code == 3
    assert message in one_error_line(capsys)


def test_too_many_samples_per_series_is_refused_with_the_step_that_would_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", "--since", "31d", "--step", "1", "--output", str(tmp_path / "e.csv")])

    line = one_error_line(capsys)
    assert code == 3
    assert "more than 200,000" in line
    assert "at least 14" in line


def test_chunks_refuse_a_step_that_would_never_end() -> None:
    since, until = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)

    with pytest.raises(ValueError, match="chunks"):
        chunk_edges(since, until, 1e-9)
    with pytest.raises(ValueError, match="positive"):
        chunk_edges(since, until, float("nan"))
    assert chunk_edges(since, until, 1e12) == [since, until]
