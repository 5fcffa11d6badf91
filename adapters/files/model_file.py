"""The trained model on disk: a skops file (no pickle) and a JSON manifest that vouches for it.

``anomaly_model.pkl`` holds plain data (numbers, strings, numpy arrays) in skops' format; the
manifest beside it (``anomaly_model.manifest.json``) records the version, features, thresholds,
training range, scikit-learn version and the file's sha256. Loading checks the sha256 before
the file is parsed, and parses it with no trusted types beyond plain data, so a swapped,
tampered or foreign file is refused with a clear error and never executed.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
import skops.io as sio

from adapters.files.atomic import write_bytes_atomically
from detectors.model.fleet_model import MODEL_VERSION, Baseline, FleetBaselineModel
from detectors.model.scoring import AlarmRule
from domain.errors import InputError

DEFAULT_PATH = Path("ml_models/anomaly_model.pkl")


class ModelFileError(InputError):
    """A model file or its manifest is missing, tampered with, foreign or of another version."""


def manifest_path(model_path: Path) -> Path:
    """Where the manifest of ``model_path`` lives."""
    return model_path.with_name(model_path.stem + ".manifest.json")


def _baseline_data(b: Baseline) -> dict[str, Any]:
    return {"median": np.asarray(b.median), "scale": np.asarray(b.scale), "on": float(b.on), "off": float(b.off)}


def _to_data(model: FleetBaselineModel) -> dict[str, Any]:
    rule = model.rule
    return {
        "kind": "smartcloudops.fleet_baseline",
        "version": MODEL_VERSION,
        "features": list(model.features),
        "top_k": model.top_k,
        "rule": [rule.quantile, rule.on_factor, rule.off_factor, float(rule.smoothing)],
        "trained_from": model.trained_from,
        "trained_to": model.trained_to,
        "fleet": _baseline_data(model.fleet),
        "hosts": {k: _baseline_data(v) for k, v in model.hosts.items()},
    }


def _baseline(data: Any, width: int) -> Baseline:
    median = np.asarray(data["median"], dtype=np.float64)
    scale = np.asarray(data["scale"], dtype=np.float64)
    if median.shape != (width,) or scale.shape != (width,) or not np.all(scale > 0):
        raise ValueError("baseline arrays do not match the features")
    return Baseline(median=median, scale=scale, on=float(data["on"]), off=float(data["off"]))


def _from_data(data: Any) -> FleetBaselineModel:
    if not isinstance(data, dict) or data.get("kind") != "smartcloudops.fleet_baseline":
        raise ValueError("not a SmartCloudOps anomaly model")
    if data.get("version") != MODEL_VERSION:
        raise ValueError(f"model version {data.get('version')} is not {MODEL_VERSION}; retrain it")
    features = tuple(str(f) for f in data["features"])
    quantile, on_factor, off_factor, smoothing = (float(v) for v in data["rule"])
    return FleetBaselineModel(
        features=features,
        hosts={str(k): _baseline(v, len(features)) for k, v in data["hosts"].items()},
        fleet=_baseline(data["fleet"], len(features)),
        rule=AlarmRule(quantile=quantile, on_factor=on_factor, off_factor=off_factor, smoothing=int(smoothing)),
        top_k=int(data["top_k"]),
        trained_from=float(data["trained_from"]),
        trained_to=float(data["trained_to"]),
    )


def save_model(model: FleetBaselineModel, path: Path = DEFAULT_PATH) -> dict[str, Any]:
    """Write the model and its manifest (each atomically); returns the manifest."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = sio.dumps(_to_data(model))
    manifest = {
        "version": MODEL_VERSION,
        "file": path.name,
        "sha256": hashlib.sha256(payload).hexdigest(),
        "features": list(model.features),
        "threshold": {"on": model.fleet.on, "off": model.fleet.off},
        "rule": {
            "quantile": model.rule.quantile,
            "on_factor": model.rule.on_factor,
            "off_factor": model.rule.off_factor,
            "smoothing": model.rule.smoothing,
        },
        "hosts": len(model.hosts),
        "training_range": {
            "from": datetime.fromtimestamp(model.trained_from, UTC).isoformat(),
            "to": datetime.fromtimestamp(model.trained_to, UTC).isoformat(),
        },
        "sklearn_version": sklearn.__version__,
        "created_at": datetime.now(UTC).isoformat(),
    }
    write_bytes_atomically(path, payload)
    write_bytes_atomically(manifest_path(path), (json.dumps(manifest, indent=2) + "\n").encode())
    return manifest


def load_model(path: Path = DEFAULT_PATH) -> FleetBaselineModel:
    """Load a model after checking it against its manifest.

    Raises:
        ModelFileError: the file or manifest is missing or unreadable, the sha256 differs, the
            file holds anything but plain data, or it is not a model of this version.
    """
    mpath = manifest_path(path)
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        payload = path.read_bytes()
    except FileNotFoundError as exc:
        raise ModelFileError(f"{exc.filename}: not found (train a model with `smartcloudops train`)") from exc
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{mpath}: unreadable manifest ({exc})") from exc
    if not isinstance(manifest, dict) or "sha256" not in manifest:
        raise ModelFileError(f"{mpath}: not a model manifest (no sha256)")
    digest = hashlib.sha256(payload).hexdigest()
    if digest != manifest["sha256"]:
        raise ModelFileError(
            f"{path}: sha256 {digest[:12]}… does not match the manifest ({str(manifest['sha256'])[:12]}…); "
            "refusing to load a file that was changed or replaced"
        )
    try:
        untrusted = sio.get_untrusted_types(data=payload)
        if untrusted:
            raise ModelFileError(f"{path}: holds types a model file never has ({', '.join(untrusted[:3])})")
        data = sio.loads(payload, trusted=[])
        return _from_data(data)
    except ModelFileError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, OSError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{path}: not a SmartCloudOps model file ({exc})") from exc
