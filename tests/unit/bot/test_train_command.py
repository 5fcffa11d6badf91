"""``smartcloudops train --file``: history CSV in, verified model file out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from adapters.files.model_file import load_model, manifest_path
from bot.cli.main import main
from detectors.model.fleet_model import FEATURES
from domain.models import MetricKind
from simulator.fleet import FleetModel


def test_train_from_a_history_file(tmp_path: Path) -> None:
    fleet = FleetModel(3)
    times = np.arange(1_700_000_000, 1_700_000_000 + 4 * 3600, 60, dtype=np.float64)
    lines = ["timestamp,instance,metric,value"]
    for feature in FEATURES:
        values = fleet.rates(MetricKind(feature), times)
        for h, ref in enumerate(fleet.refs):
            lines += [f"{t:.0f},{ref.instance},{feature},{v:.4f}" for t, v in zip(times, values[h], strict=True)]
    history = tmp_path / "history.csv"
    history.write_text("\n".join(lines) + "\n")
    out = tmp_path / "model" / "anomaly_model.pkl"

    code = main(["train", "--file", str(history), "--output", str(out)])

    assert 0 == code
    assert manifest_path(out).exists()
    assert {r.instance for r in fleet.refs} == set(load_model(out).hosts)


def test_bad_history_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = tmp_path / "history.csv"
    history.write_text("when,what\n1,2\n")

    code = main(["train", "--file", str(history), "--output", str(tmp_path / "m.pkl")])

    assert 0 != code
    assert "expected the header timestamp,instance,metric,value" in capsys.readouterr().err
    assert not (tmp_path / "m.pkl").exists()
