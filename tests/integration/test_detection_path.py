"""Detection pass → anomaly in Redis, over the session's Prometheus of simulated history."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.prometheus.metrics import PrometheusMetrics
from adapters.redis.anomalies import RedisAnomalyStore
from adapters.redis.connection import connect
from detectors.model.zscore import RobustZScoreDetector
from detectors.service import DetectionService
from domain.models import AnomalyStatus, MetricKind, Severity
from simulator.fleet import FleetModel
from tests import servers


def test_detection_pass_stores_one_anomaly_with_status_and_severity_in_redis(
    history_prometheus: servers.ServerProcess, history: tuple[FleetModel, float], redis_url: str
) -> None:
    _model, end = history
    now = datetime.fromtimestamp(end, UTC)
    service = DetectionService(
        metrics=PrometheusMetrics(history_prometheus.url),
        store=RedisAnomalyStore(connect(redis_url)),
        detectors=(RobustZScoreDetector(),),
    )

    first = service.run_once(now)
    second = service.run_once(now)

    assert [(a.host.name, a.metric) for a in first.opened] == [("web-1", MetricKind.CPU)]
    assert first.series_checked == 15
    assert second.opened == ()
    stored = RedisAnomalyStore(connect(redis_url)).recent(10)
    assert len(stored) == 1
    assert stored[0].status is AnomalyStatus.OPEN
    assert stored[0].severity is Severity.CRITICAL
    assert stored[0].host.instance_id is not None
