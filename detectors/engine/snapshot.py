"""The engine's state as bytes, and back: what ``train`` and the scheduled retrain save. Pure (bytes in, bytes out).

A snapshot is a NumPy ``.npz`` archive read with ``allow_pickle=False``: one array per piece of
per-lane state (``baselines.centre``, ``peaks.u``, ``levels.open``…, found by walking the
engine's parts, so state a part gains is saved without a change here), and ``meta``, a JSON
document naming the format and its version, the lanes (instance × signal × mountpoint), the
incidents open and the period the state has seen. The manifest beside the file vouches for it
with the sha256 of the bytes; ``verify`` checks both before anything is decoded. A file that is
not ours, of another format version, or laid out for other engine settings is refused with one
``SnapshotError`` line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from detectors.engine.config import EngineConfig
from detectors.engine.events import Incident, IncidentKind
from detectors.engine.fleet import FleetEngine
from detectors.engine.lanes import LaneKey
from detectors.engine.trend import TrendConfig
from domain.errors import InputError
from domain.models import HostRef, MetricKind, Severity

FORMAT = "smartcloudops.engine_snapshot"
FORMAT_VERSION = 7
_META = "meta"
_SEEN = "lanes.seen_at"
_PARTS = ("baselines", "peaks", "levels", "slow", "down", "trends", "trend_incidents")


class SnapshotError(InputError):
    """A snapshot or its manifest is not ours, of another version, changed since it was written, or unusable."""


@dataclass(frozen=True)
class EngineSnapshot:
    """An engine restored from a snapshot, and the period its state has seen (epoch seconds)."""

    engine: FleetEngine
    covered_from: float
    covered_until: float


def _is_part(value: object) -> bool:
    kind = type(value)
    return kind.__module__.startswith("detectors.engine.") and not dataclasses.is_dataclass(value)


def _arrays(owner: object, prefix: str) -> Iterator[tuple[str, object, str, npt.NDArray[Any]]]:
    """Every array of ``owner`` and of the parts inside it, as (name, holder, attribute, array)."""
    for attribute, value in vars(owner).items():
        if isinstance(value, np.ndarray):
            yield f"{prefix}.{attribute}", owner, attribute, value
        elif _is_part(value):
            yield from _arrays(value, f"{prefix}.{attribute}")


def _state(engine: FleetEngine) -> Iterator[tuple[str, object, str, npt.NDArray[Any]]]:
    for name in _PARTS:
        yield from _arrays(getattr(engine, name), name)


def _incident_data(incident: Incident) -> dict[str, Any]:
    data = dataclasses.asdict(incident)
    data["host"] = incident.host.model_dump()
    data["signal"], data["kind"], data["severity"] = incident.signal.value, incident.kind.value, incident.severity.value
    return data


def _incident(data: Mapping[str, Any]) -> Incident:
    fields = dict(data)
    fields["host"] = HostRef(**fields["host"])
    fields["signal"], fields["kind"] = MetricKind(fields["signal"]), IncidentKind(fields["kind"])
    fields["severity"] = Severity(fields["severity"])
    return Incident(**fields)


def encode(engine: FleetEngine, *, covered_from: float, covered_until: float) -> bytes:
    """The engine's state (its live lanes only) as snapshot bytes."""
    live = engine.index.live_lanes()
    renumber = {int(lane): n for n, lane in enumerate(live.tolist())}
    capacity = engine.baselines.size
    arrays: dict[str, Any] = {_SEEN: engine.index.seen_at[live]}
    for name, _, _, array in _state(engine):
        arrays[name] = array[live] if array.ndim and array.shape[0] == capacity else array
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "step_seconds": engine.step_seconds,
        "covered_from": covered_from,
        "covered_until": covered_until,
        "config": dataclasses.asdict(engine.config),
        "trend": dataclasses.asdict(engine.trend_config),
        "lanes": [
            [k.host.instance, k.host.host, k.host.instance_id, k.signal.value, k.mountpoint]
            for k in (engine.keys[lane] for lane in live.tolist())
        ],
        "open": [
            [renumber[lane], kind.value, _incident_data(incident)]
            for (lane, kind), incident in engine.open.items()
            if lane in renumber
        ],
    }
    arrays[_META] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)
    return out.getvalue()


def _read(payload: bytes) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(arrays.pop(_META).tobytes().decode()) if _META in arrays else None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise SnapshotError(f"not a SmartCloudOps engine snapshot ({exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SnapshotError("not a SmartCloudOps engine snapshot (no snapshot header)")
    if meta.get("version") != FORMAT_VERSION:
        raise SnapshotError(
            f"snapshot format version {meta.get('version')}, this version reads {FORMAT_VERSION}: "
            "run `smartcloudops train` again"
        )
    return meta, arrays


def decode(payload: bytes, *, config: EngineConfig, trend: TrendConfig, step_seconds: float) -> EngineSnapshot:
    """An engine with ``config`` and ``trend`` holding the state in ``payload``.

    Raises:
        SnapshotError: the bytes are not a snapshot of this format version, were taken at another
            sampling step, or hold state laid out for other engine settings.
    """
    meta, arrays = _read(payload)
    if meta["step_seconds"] != step_seconds:
        raise SnapshotError(
            f"snapshot taken at {meta['step_seconds']:g} s steps, the engine runs at {step_seconds:g} s"
        )
    engine = FleetEngine(config, trend, step_seconds=step_seconds)
    try:
        for instance, host, instance_id, signal, mountpoint in meta["lanes"]:
            ref = HostRef(instance=instance, host=host, instance_id=instance_id)
            engine.index.add(LaneKey(ref, MetricKind(signal), mountpoint))
        size = len(engine.keys)
        engine.reserve(size)
        engine.index.seen_at[:size] = arrays.pop(_SEEN)
        capacity = engine.baselines.size
        for name, holder, attribute, target in list(_state(engine)):
            stored = arrays.pop(name, None)
            per_lane = target.ndim > 0 and target.shape[0] == capacity
            wanted = (size, *target.shape[1:]) if per_lane else target.shape
            if stored is None or stored.shape != wanted or not np.can_cast(stored.dtype, target.dtype, "same_kind"):
                shown = "missing" if stored is None else f"shaped {stored.shape}"
                raise SnapshotError(f"snapshot's {name} is {shown}, this engine's settings need {wanted}")
            if per_lane:
                target[:size] = stored
            else:
                setattr(holder, attribute, stored.astype(target.dtype))
        for lane, kind, incident in meta["open"]:
            engine.open[(int(lane), IncidentKind(kind))] = _incident(incident)
    except (KeyError, TypeError, ValueError) as exc:
        raise SnapshotError(f"snapshot's contents do not match its header ({exc})") from exc
    if arrays:
        raise SnapshotError(f"snapshot holds state this engine does not have ({', '.join(sorted(arrays)[:3])})")
    return EngineSnapshot(engine, float(meta["covered_from"]), float(meta["covered_until"]))


def manifest(payload: bytes, *, file: str, created_at: datetime) -> dict[str, Any]:
    """The manifest vouching for ``payload``: format, version, sha256, lanes and the period covered."""
    meta, arrays = _read(payload)
    signals: dict[str, int] = {}
    for lane in meta["lanes"]:
        signals[lane[3]] = signals.get(lane[3], 0) + 1
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "file": file,
        "sha256": hashlib.sha256(payload).hexdigest(),
        "lanes": len(meta["lanes"]),
        "hosts": len({lane[0] for lane in meta["lanes"]}),
        "lanes_per_signal": signals,
        "open_incidents": len(meta["open"]),
        "step_seconds": meta["step_seconds"],
        "covered": {"from": _iso(meta["covered_from"]), "until": _iso(meta["covered_until"])},
        "arrays": len(arrays),
        "created_at": created_at.astimezone(UTC).isoformat(),
    }


def verify(payload: bytes, vouched: Mapping[str, Any]) -> None:
    """Check ``payload`` against its manifest before it is decoded.

    Raises:
        SnapshotError: the manifest is not ours or of another version, or the sha256 differs.
    """
    if vouched.get("format") != FORMAT or "sha256" not in vouched:
        raise SnapshotError("its manifest is not a SmartCloudOps engine snapshot manifest")
    if vouched.get("version") != FORMAT_VERSION:
        raise SnapshotError(
            f"snapshot format version {vouched.get('version')}, this version reads {FORMAT_VERSION}: "
            "run `smartcloudops train` again"
        )
    digest = hashlib.sha256(payload).hexdigest()
    if digest != vouched["sha256"]:
        raise SnapshotError(
            f"sha256 {digest[:12]}… does not match the manifest ({str(vouched['sha256'])[:12]}…): "
            "the file was changed or replaced since it was written"
        )


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()
