"""``train`` against a real Prometheus, then start-up: a sound snapshot is resumed, a tampered one bootstrapped over."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from adapters.clock import ManualClock
from adapters.files.engine_snapshot import manifest_path
from bot.cli.main import main
from bot.config.settings import AuditSettings, DetectionSettings, PrometheusSettings, Settings, StateSettings
from bot.wiring import build_services
from simulator.fleet import FleetModel
from tests import servers

pytestmark = pytest.mark.integration


def _start_up(url: str, snapshot: Path, tmp_path: Path, now: datetime) -> list[dict[str, object]]:
    settings = Settings(
        prometheus=PrometheusSettings(url=url),
        audit=AuditSettings(dir=tmp_path),
        state=StateSettings(dir=tmp_path),
        detection=DetectionSettings(bootstrap_hours=24, snapshot_path=snapshot, model_path=tmp_path / "none.pkl"),
    )
    services = build_services(settings, clock=ManualClock(now), load_model=False)
    assert services.detection is not None
    with capture_logs() as logs:
        services.detection.run_once(now)
    return logs


def test_serve_resumes_the_trained_snapshot_and_bootstraps_over_a_tampered_one(
    history_prometheus: servers.ServerProcess,
    history: tuple[FleetModel, float],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model, end = history
    snapshot = tmp_path / "engine_snapshot.npz"
    trained_until = datetime.fromtimestamp(end - 3600, UTC)
    monkeypatch.setenv("SCO_PROMETHEUS__URL", history_prometheus.url)

    code = main(["train", "--hours", "24", "--end", trained_until.isoformat(), "--output", str(snapshot)])
    trained = json.loads(manifest_path(snapshot).read_text())
    resumed = _start_up(history_prometheus.url, snapshot, tmp_path, datetime.fromtimestamp(end, UTC))
    snapshot.write_bytes(snapshot.read_bytes()[:-8] + b"tampered")
    refused = _start_up(history_prometheus.url, snapshot, tmp_path, datetime.fromtimestamp(end, UTC))

    assert 0 == code
    loaded = [e for e in resumed if e["event"] == "detection_snapshot_loaded"]
    assert [60] == [e["caught_up_minutes"] for e in loaded]
    assert 0 == loaded[0]["bootstrapped_lanes"]
    assert not [e for e in resumed if e["event"] == "detection_bootstrapped"]
    assert trained["lanes"] == loaded[0]["lanes"]
    assert len(model.refs) == trained["hosts"]
    assert 2 * len(model.refs) == trained["lanes_per_signal"]["disk"]
    assert ["detection_snapshot_refused", "detection_bootstrapped"] == [
        e["event"] for e in refused if e["event"] in ("detection_snapshot_refused", "detection_bootstrapped")
    ]
    assert "does not match the manifest" in str(next(e for e in refused if e["event"] == "detection_snapshot_refused"))
