"""Model files: saved with a manifest, verified on load, refused when tampered with or foreign."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import sklearn

from adapters.files.model_file import ModelFileError, load_model, manifest_path, save_model
from detectors.model.fleet_model import FEATURES, FleetBaselineModel


@pytest.fixture
def model() -> FleetBaselineModel:
    rng = np.random.default_rng(0)
    history = {"10.0.0.1:9100": rng.random((120, len(FEATURES))), "10.0.0.2:9100": rng.random((5, len(FEATURES)))}
    return FleetBaselineModel.fit(history, trained_from=1_700_000_000, trained_to=1_700_086_400)


def test_round_trip_and_manifest(model: FleetBaselineModel, tmp_path: Path) -> None:
    path = tmp_path / "ml_models" / "anomaly_model.pkl"

    manifest = save_model(model, path)
    loaded = load_model(path)

    assert hashlib.sha256(path.read_bytes()).hexdigest() == manifest["sha256"]
    assert manifest == json.loads(manifest_path(path).read_text())
    assert list(FEATURES) == manifest["features"]
    assert sklearn.__version__ == manifest["sklearn_version"]
    assert {"from", "to"} == set(manifest["training_range"])
    assert {"on", "off"} == set(manifest["threshold"])
    assert ["10.0.0.1:9100"] == list(loaded.hosts)
    assert model.fleet.on == loaded.fleet.on
    assert model.rule == loaded.rule
    assert np.array_equal(model.fleet.median, loaded.fleet.median)


def test_a_changed_byte_is_refused(model: FleetBaselineModel, tmp_path: Path) -> None:
    path = tmp_path / "anomaly_model.pkl"
    save_model(model, path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    with pytest.raises(ModelFileError, match="does not match the manifest"):
        load_model(path)


class _Payload:
    """Would create a file when unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.marker), "ran"))  # type: ignore[return-value]


def test_a_foreign_pickle_is_refused_even_with_a_matching_manifest(model: FleetBaselineModel, tmp_path: Path) -> None:
    path = tmp_path / "anomaly_model.pkl"
    save_model(model, path)
    marker = tmp_path / "executed"
    payload = pickle.dumps(_Payload(marker))
    path.write_bytes(payload)
    manifest = json.loads(manifest_path(path).read_text())
    manifest["sha256"] = hashlib.sha256(payload).hexdigest()
    manifest_path(path).write_text(json.dumps(manifest))

    with pytest.raises(ModelFileError, match="not a SmartCloudOps model file"):
        load_model(path)
    assert not marker.exists()


def test_missing_manifest_or_file_is_a_clear_error(model: FleetBaselineModel, tmp_path: Path) -> None:
    path = tmp_path / "anomaly_model.pkl"
    with pytest.raises(ModelFileError, match="not found"):
        load_model(path)
    save_model(model, path)
    manifest_path(path).unlink()
    with pytest.raises(ModelFileError, match="not found"):
        load_model(path)
