"""Train on Prometheus history with the real command, then detect from the resumed snapshot into Redis."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.files.engine_snapshot import manifest_path
from adapters.prometheus.metrics import PrometheusMetrics
from adapters.redis.anomalies import RedisAnomalyStore
from adapters.redis.connection import connect
from bot.cli.main import main
from bot.config.settings import DetectionSettings
from bot.jobs.detection_engine import build_live_feed
from detectors.service import DetectionService
from domain.models import AnomalyStatus, MetricKind
from simulator.fleet import FleetModel
from tests import servers
from tests.integration.conftest import INCIDENT_MINUTES_AGO


def test_train_saves_a_verified_snapshot_that_the_engine_resumes_and_finds_the_incident(
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
    path = tmp_path / "engine_snapshot.npz"

    code = main(["train", "--hours", "24", "--end", quiet_end.isoformat(), "--output", str(path)])

    assert 0 == code
    manifest = json.loads(manifest_path(path).read_text())
    assert 5 == manifest["hosts"]
    assert "bootstrap cpu: 5 rows" in capsys.readouterr().err
    metrics = PrometheusMetrics(history_prometheus.url)
    service = DetectionService(
        metrics=metrics,
        store=RedisAnomalyStore(connect(redis_url)),
        detectors=(),
        metric_kinds=(),
        feed=build_live_feed(DetectionSettings(bootstrap_hours=24, snapshot_path=path), metrics),
    )

    first = service.run_once(datetime.fromtimestamp(end, UTC))
    second = service.run_once(datetime.fromtimestamp(end, UTC))

    # The saturation drives the load up with the CPU.
    assert {("web-1", MetricKind.CPU), ("web-1", MetricKind.LOAD)} == {(a.host.name, a.metric) for a in first.opened}
    assert () == second.opened
    stored = RedisAnomalyStore(connect(redis_url)).open_anomalies()
    assert {("web-1", AnomalyStatus.OPEN)} == {(a.host.name, a.status) for a in stored}
