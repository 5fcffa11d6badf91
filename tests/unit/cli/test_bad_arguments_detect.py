"""``detect replay`` caps its period and refuses one with no history; ``detect batch`` refuses overflowing values."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.cli.main import main
from domain.models import HostRef, HostState, Series
from tests.unit.cli.conftest import one_error_line


class _NoHistory:
    """A metrics source that knows no host and has no samples."""

    def hosts(self) -> list[HostRef]:
        return []

    def host_states(self) -> list[HostState]:
        return []

    def range(self, *_args: Any, **_kwargs: Any) -> list[Series]:
        return []

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(name)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("1970-01-01T00:00:00Z", "2026-12-07T00:00:00Z", "--start to --end is 20794d, more than 31d"),
        ("2026-01-01T00:00:00Z", "2026-02-01T00:00:01Z", "--start to --end is 31d1s, more than 31d"),
        ("0001-01-01T00:00:00Z", "0001-01-02T00:00:00Z", "is before 1970"),
    ],
)
def test_a_replay_period_out_of_bounds_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, start: str, end: str, message: str
) -> None:
    monkeypatch.setattr("bot.wiring.build_metrics", lambda _settings: pytest.fail("metrics were read"))

    code = main(["detect", "replay", "--start", start, "--end", end])

    assert code == 3
    assert message in one_error_line(capsys)


@pytest.mark.parametrize("start", ["2099-01-01T00:00:00Z", "9999-12-30T00:00:00Z"])
def test_a_replay_where_no_host_ever_reported_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    monkeypatch.setattr("bot.wiring.build_metrics", lambda _settings: _NoHistory())
    out = tmp_path / "incidents.jsonl"
    begin = datetime.fromisoformat(start)

    code = main(
        ["detect", "replay", "--start", start, "--end", (begin + timedelta(hours=1)).isoformat(), "--output", str(out)]
    )

    err = capsys.readouterr().err
    assert code == 3
    assert "no host has history in the 168 h before --start" in err
    assert "error: no host reported between --start" in err
    assert not out.exists()


def _nab(path: Path, values: np.ndarray) -> Path:
    start = datetime(2024, 1, 1)
    rows = [f"{start + timedelta(minutes=5 * i):%Y-%m-%d %H:%M:%S},{v!r}" for i, v in enumerate(values.tolist())]
    path.write_text("timestamp,value\n" + "\n".join(rows) + "\n")
    return path


def test_nab_values_that_overflow_float_math_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    values = np.where(np.arange(500) % 2 == 0, -1e308, 1e308)
    out = tmp_path / "alarms.csv"

    code = main(
        ["detect", "batch", "--format", "nab", "--input", str(_nab(tmp_path / "s.csv", values)), "--output", str(out)]
    )

    assert code == 3
    assert "row 0 has the value -1e+308, beyond ±1e+100, too large to score (500 such rows)" in one_error_line(capsys)
    assert not out.exists()


def test_smd_values_that_overflow_float_math_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(5)
    train, test = rng.random((200, 2)), rng.random((50, 2))
    train[7, 1] = 1e200
    np.savetxt(tmp_path / "train.txt", train, delimiter=",")
    np.savetxt(tmp_path / "test.txt", test, delimiter=",")
    out = tmp_path / "alarms.csv"

    files = ["--train", str(tmp_path / "train.txt"), "--test", str(tmp_path / "test.txt"), "--output", str(out)]
    code = main(["detect", "batch", "--format", "smd", *files])

    assert code == 3
    assert "train.txt: row 7 has the value 1e+200" in one_error_line(capsys)


def test_large_but_representable_nab_values_score_as_their_scaled_copy(tmp_path: Path) -> None:
    base = 10 + np.sin(np.arange(500) / 10) + np.where((np.arange(500) > 450) & (np.arange(500) < 460), 8.0, 0.0)
    scores = []
    for scale in (1.0, 1e50):
        out = tmp_path / f"alarms-{scale:g}.csv"
        assert 0 == main(
            [
                "detect",
                "batch",
                "--format",
                "nab",
                "--input",
                str(_nab(tmp_path / f"s{scale:g}.csv", base * scale)),
                "--output",
                str(out),
            ]
        )
        scores.append(np.loadtxt(out, delimiter=",", skiprows=1, usecols=1))

    assert np.isfinite(scores[1]).all()
    assert scores[1].max() > 1
    np.testing.assert_allclose(scores[0], scores[1], rtol=1e-6)
