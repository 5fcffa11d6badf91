"""Redis goes down in the middle of detection: anomalies are spooled to a file and replayed, none lost."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis as redis_lib

from adapters.clock import ManualClock
from adapters.files.anomaly_spool import SpoolingAnomalyStore
from adapters.redis.anomalies import RedisAnomalyStore
from adapters.redis.connection import connect
from adapters.simulated.metrics import SimulatedMetrics
from detectors.model.zscore import RobustZScoreDetector
from detectors.service import DetectionService
from domain.models import Anomaly, AnomalyStatus
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests import servers

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _start_redis(workdir: Path, port: int) -> servers.ServerProcess:
    """A Redis of our own that keeps its data across a restart (append-only file, fsync always)."""
    binary = servers.find_binary("redis-server", "the Debian package redis-server")
    argv = [binary, "--port", str(port), "--bind", servers.LOOPBACK, "--save", ""]
    argv += ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(workdir)]

    def ping() -> bool:
        try:
            return bool(redis_lib.Redis(host=servers.LOOPBACK, port=port, socket_timeout=1).ping())
        except redis_lib.exceptions.RedisError:
            return False

    return servers.start_server("redis-own", argv, port=port, workdir=workdir, ready=ping)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[servers.ServerProcess]:
    try:
        server = _start_redis(tmp_path / "redis", servers.free_port())
    except servers.ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


def test_anomalies_written_while_redis_is_down_are_replayed_in_order(
    own_redis: servers.ServerProcess, tmp_path: Path
) -> None:
    now = T0.timestamp()
    fleet = FleetModel(
        5,
        (
            Incident(IncidentKind.CPU_SATURATION, "web-1", now - 6 * 60, 16 * 60),
            Incident(IncidentKind.CPU_SATURATION, "db-1", now + 4 * 60, 3600),
        ),
    )
    clock = ManualClock(T0)
    url = f"redis://{servers.LOOPBACK}:{own_redis.port}/0"
    spool = tmp_path / "state" / "anomaly-spool.jsonl"
    store = SpoolingAnomalyStore(RedisAnomalyStore(connect(url, timeout_seconds=0.5)), spool)
    service = DetectionService(metrics=SimulatedMetrics(fleet, clock), store=store, detectors=(RobustZScoreDetector(),))
    latest: dict[str, Anomaly] = {}

    def cycle(minutes: int) -> None:
        clock.advance(T0 + timedelta(minutes=minutes) - clock.now())
        report = service.run_once(clock.now())
        for a in (*report.opened, *report.updated, *report.resolved):
            latest[a.id] = a

    cycle(0)
    assert ["web-1"] == [a.host.name for a in latest.values()]
    own_redis.stop()

    cycle(8)
    cycle(12)
    cycle(16)

    assert store.spooled >= 3
    assert spool.exists()
    assert {"web-1", "db-1"} == {a.host.name for a in latest.values()}
    assert AnomalyStatus.RESOLVED in {a.status for a in latest.values()}
    restarted = _start_redis(own_redis.workdir, own_redis.port)
    try:
        cycle(18)
        stored = {a.id: a for a in RedisAnomalyStore(connect(url)).recent(100)}
    finally:
        restarted.stop()

    assert 0 == store.spooled
    assert not spool.exists()
    assert set(latest) == set(stored)
    assert {i: (a.status, a.updated_at) for i, a in latest.items()} == {
        i: (a.status, a.updated_at) for i, a in stored.items()
    }
    assert 1 == sum(1 for a in stored.values() if a.host.name == "web-1")
    assert 1 == sum(1 for a in stored.values() if a.host.name == "db-1")
