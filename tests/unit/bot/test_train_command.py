"""``smartcloudops train --file``: history CSV in, a verified snapshot of the engine's state out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from adapters.files.engine_snapshot import manifest_path, read_snapshot
from bot.cli.main import main
from detectors.engine.config import EngineConfig
from detectors.engine.snapshot import decode
from detectors.engine.trend import TrendConfig
from domain.models import MetricKind
from simulator.fleet import FleetModel

SIGNALS = (MetricKind.CPU, MetricKind.MEMORY, MetricKind.DISK)


def _history(tmp_path: Path, fleet: FleetModel) -> Path:
    times = np.arange(1_700_000_000, 1_700_000_000 + 4 * 3600, 60, dtype=np.float64)
    lines = ["timestamp,instance,metric,value,mountpoint"]
    for signal in SIGNALS:
        values = fleet.rates(signal, times)
        mount = "/" if signal is MetricKind.DISK else ""
        for h, ref in enumerate(fleet.refs):
            lines += [
                f"{t:.0f},{ref.instance},{signal.value},{v:.4f},{mount}" for t, v in zip(times, values[h], strict=True)
            ]
    data = fleet.data_disk(times)
    for h, ref in enumerate(fleet.refs):
        lines += [f"{t:.0f},{ref.instance},disk,{v:.4f},/data" for t, v in zip(times, data[h], strict=True)]
    path = tmp_path / "history.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_train_from_a_history_file_saves_a_snapshot_the_engine_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = FleetModel(3)
    out = tmp_path / "model" / "engine_snapshot.npz"

    code = main(["train", "--file", str(_history(tmp_path, fleet)), "--output", str(out)])

    assert 0 == code
    assert manifest_path(out).exists()
    payload = read_snapshot(out)
    assert payload is not None
    engine = decode(payload, config=EngineConfig(), trend=TrendConfig(), step_seconds=60.0).engine
    lanes = {(k.host.instance, k.signal, k.mountpoint) for k in engine.keys}
    assert {(r.instance, MetricKind.DISK, m) for r in fleet.refs for m in ("/", "/data")} <= lanes
    assert 12 == len(lanes)
    assert f"saved {out}: 12 lanes on 3 hosts" in capsys.readouterr().out


def test_bad_history_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = tmp_path / "history.csv"
    history.write_text("when,what\n1,2\n")

    code = main(["train", "--file", str(history), "--output", str(tmp_path / "m.npz")])

    assert 0 != code
    assert "expected the header timestamp,instance,metric,value" in capsys.readouterr().err
    assert not (tmp_path / "m.npz").exists()


def test_help_says_what_the_file_is_for(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--help"])

    shown = " ".join(capsys.readouterr().out.split())
    assert "`serve` resumes it when present" in shown
    assert "sha256" in shown


def test_a_history_file_that_is_not_text_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = tmp_path / "history.csv"
    history.write_bytes(b"\xff\xfe\x00garbage")

    code = main(["train", "--file", str(history), "--output", str(tmp_path / "m.npz")])

    assert 0 != code
    err = capsys.readouterr().err
    assert "is not UTF-8 text" in err
    assert "Traceback" not in err
