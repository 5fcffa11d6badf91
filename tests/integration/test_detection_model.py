"""Train on Prometheus history with the real command, then detect with the saved model into Redis."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.files.model_file import load_model, manifest_path
from adapters.prometheus.metrics import PrometheusMetrics
from adapters.redis.anomalies import RedisAnomalyStore
from adapters.redis.connection import connect
from bot.cli.main import main
from detectors.service import DetectionService
from domain.models import AnomalyStatus
from simulator.fleet import FleetModel
from tests import servers
from tests.integration.conftest import INCIDENT_MINUTES_AGO


def test_train_saves_a_verified_model_that_finds_the_incident(
    history_prometheus: servers.ServerProcess,
    history: tuple[FleetModel, float],
    redis_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _fleet, end = history
    quiet_end = datetime.fromtimestamp(end - (INCIDENT_MINUTES_AGO + 2) * 60, UTC)
    monkeypatch.setenv("SCO_PROMETHEUS__URL", history_prometheus.url)
    path = tmp_path / "anomaly_model.pkl"

    code = main(["train", "--hours", "24", "--end", quiet_end.isoformat(), "--output", str(path)])

    assert 0 == code
    manifest = json.loads(manifest_path(path).read_text())
    assert 5 == manifest["hosts"]
    assert "reading" in capsys.readouterr().err
    model = load_model(path)
    service = DetectionService(
        metrics=PrometheusMetrics(history_prometheus.url),
        store=RedisAnomalyStore(connect(redis_url)),
        detectors=(),
        metric_kinds=(),
        model=model,
    )

    first = service.run_once(datetime.fromtimestamp(end, UTC))
    second = service.run_once(datetime.fromtimestamp(end, UTC))

    assert ["web-1"] == [a.host.name for a in first.opened]
    assert [first.opened[0].id] == [a.id for a in second.updated]
    stored = RedisAnomalyStore(connect(redis_url)).open_anomalies()
    assert [("web-1", AnomalyStatus.OPEN)] == [(a.host.name, a.status) for a in stored]
    assert stored[0].severity.value in {"high", "critical"}
