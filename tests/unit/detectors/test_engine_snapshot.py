"""The engine's state as a snapshot: restored exactly; refused when not ours, of another version, or changed."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from adapters.files.engine_snapshot import manifest_path, read_snapshot, save_snapshot
from detectors.engine.config import EngineConfig
from detectors.engine.events import IncidentEvent
from detectors.engine.fleet import FleetEngine
from detectors.engine.snapshot import FORMAT_VERSION, SnapshotError, decode, encode, manifest, verify
from detectors.engine.trend import TrendConfig
from domain.models import MetricKind
from simulator.fleet import FleetModel, Incident, IncidentKind

START = 1_800_000_000.0
HOUR = 3600.0
SIGNALS = (MetricKind.CPU, MetricKind.MEMORY, MetricKind.DISK, MetricKind.UP)
MODEL = FleetModel(6, (Incident(IncidentKind.CPU_SATURATION, "web-1", START + 600, HOUR),))
MOUNTS = tuple(m for _ in MODEL.refs for m in ("/", "/data"))
DISK_ROWS = tuple(ref for ref in MODEL.refs for _ in range(2))


def _disk(times: np.ndarray) -> np.ndarray:
    root, data = MODEL.rates(MetricKind.DISK, times), MODEL.data_disk(times)
    return np.stack([root, data], axis=1).reshape(-1, times.size)


def _observe(engine: FleetEngine, t: float) -> list[IncidentEvent]:
    events: list[IncidentEvent] = []
    for signal in SIGNALS:
        if signal is MetricKind.DISK:
            events += engine.observe(t, signal, DISK_ROWS, _disk(np.array([t]))[:, 0], MOUNTS)
        else:
            events += engine.observe(t, signal, MODEL.refs, MODEL.rates(signal, np.array([t]))[:, 0])
    return events


def _running() -> FleetEngine:
    engine = FleetEngine()
    history = np.arange(START - 24 * HOUR, START, 300.0)
    for signal in SIGNALS:
        if signal is MetricKind.DISK:
            engine.bootstrap(signal, DISK_ROWS, history, _disk(history), MOUNTS)
        else:
            engine.bootstrap(signal, MODEL.refs, history, MODEL.rates(signal, history))
    for t in np.arange(START, START + 30 * 60, 60.0):
        _observe(engine, float(t))
    return engine


def _state(engine: FleetEngine) -> dict[str, np.ndarray]:
    size = len(engine.keys)
    return {
        f"{name}.{attribute}": value[:size]
        for name in ("baselines", "peaks", "levels", "down", "trends", "trend_incidents")
        for attribute, value in vars(getattr(engine, name)).items()
        if isinstance(value, np.ndarray)
    }


def _restore(payload: bytes) -> FleetEngine:
    return decode(payload, config=EngineConfig(), trend=TrendConfig(), step_seconds=60.0).engine


def test_a_restored_engine_scores_the_next_row_exactly_like_the_original() -> None:
    original = _running()
    assert original.open_incidents()
    restored = _restore(encode(original, covered_from=START - 24 * HOUR, covered_until=START + 29 * 60))
    t = START + 30 * 60

    after_original, after_restored = _observe(original, t), _observe(restored, t)

    assert [e.incident.record() for e in after_original] == [e.incident.record() for e in after_restored]
    assert restored.keys == original.keys
    assert [i.record() for i in original.open_incidents()] == [i.record() for i in restored.open_incidents()]
    expected, actual = _state(original), _state(restored)
    assert expected.keys() == actual.keys()
    for name, array in expected.items():
        assert np.array_equal(array, actual[name], equal_nan=True), name


def test_the_snapshot_says_what_it_covers() -> None:
    payload = encode(_running(), covered_from=START - 24 * HOUR, covered_until=START + 29 * 60)

    snapshot = decode(payload, config=EngineConfig(), trend=TrendConfig(), step_seconds=60.0)
    vouched = manifest(payload, file="engine.npz", created_at=datetime(2027, 1, 1, tzinfo=UTC))

    assert (START - 24 * HOUR, START + 29 * 60) == (snapshot.covered_from, snapshot.covered_until)
    assert 6 == vouched["hosts"]
    assert 12 == vouched["lanes_per_signal"]["disk"]
    assert hashlib.sha256(payload).hexdigest() == vouched["sha256"]


def test_a_foreign_archive_is_refused() -> None:
    other = io.BytesIO()
    np.savez(other, weights=np.zeros(3))

    with pytest.raises(SnapshotError, match="not a SmartCloudOps engine snapshot"):
        _restore(other.getvalue())
    with pytest.raises(SnapshotError, match="not a SmartCloudOps engine snapshot"):
        _restore(b"GIF89a not even a zip")


def test_a_snapshot_laid_out_for_other_engine_settings_is_refused() -> None:
    payload = encode(_running(), covered_from=START - HOUR, covered_until=START)

    with pytest.raises(SnapshotError, match=r"peaks\.recent\.tops"):
        decode(payload, config=EngineConfig(raise_keep=8), trend=TrendConfig(), step_seconds=60.0)
    with pytest.raises(SnapshotError, match="30 s"):
        decode(payload, config=EngineConfig(), trend=TrendConfig(), step_seconds=30.0)


def test_a_manifest_of_another_version_or_hash_is_refused() -> None:
    payload = encode(FleetEngine(), covered_from=START - HOUR, covered_until=START)
    vouched = manifest(payload, file="engine.npz", created_at=datetime(2027, 1, 1, tzinfo=UTC))

    with pytest.raises(SnapshotError, match=f"version {FORMAT_VERSION + 1}"):
        verify(payload, {**vouched, "version": FORMAT_VERSION + 1})
    with pytest.raises(SnapshotError, match="does not match the manifest"):
        verify(payload + b"\0", vouched)
    with pytest.raises(SnapshotError, match="not a SmartCloudOps engine snapshot manifest"):
        verify(payload, {"version": 3, "sha256": vouched["sha256"]})


def test_the_file_round_trips_and_a_tampered_or_unvouched_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ml_models" / "engine_snapshot.npz"
    payload = encode(_running(), covered_from=START - HOUR, covered_until=START)

    save_snapshot(path, payload, created_at=datetime(2027, 1, 1, tzinfo=UTC))

    assert payload == read_snapshot(path)
    assert read_snapshot(tmp_path / "absent.npz") is None
    path.write_bytes(payload[:-1] + bytes([payload[-1] ^ 1]))
    with pytest.raises(SnapshotError, match="changed or replaced"):
        read_snapshot(path)
    manifest_path(path).unlink()
    with pytest.raises(SnapshotError, match="no manifest beside it"):
        read_snapshot(path)


def test_a_snapshot_written_in_another_format_version_is_refused_even_with_a_fresh_manifest() -> None:
    with np.load(io.BytesIO(encode(FleetEngine(), covered_from=START - HOUR, covered_until=START))) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays["meta"].tobytes())
    arrays["meta"] = np.frombuffer(json.dumps({**meta, "version": FORMAT_VERSION + 1}).encode(), dtype=np.uint8)
    out = io.BytesIO()
    np.savez(out, **arrays)

    with pytest.raises(SnapshotError, match="run `smartcloudops train` again"):
        _restore(out.getvalue())
