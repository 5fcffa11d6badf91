"""Prometheus stopped and restarted during the test: answers say why metrics are missing, detection catches up."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from structlog.testing import capture_logs

from adapters.clock import ManualClock
from bot.config.settings import AuditSettings, DetectionSettings, PrometheusSettings, RemediationSettings, Settings
from bot.jobs.schedule import build_job_scheduler
from bot.jobs.scheduler import Outcome
from bot.wiring import build_services
from simulator.exposition import write_openmetrics
from tests import servers
from tests.fleet_process import FleetSimulator
from tests.integration.outages import restart


@pytest.fixture
def own_prometheus(tmp_path: Path, fleet_simulator: FleetSimulator) -> Iterator[list[servers.ServerProcess]]:
    """A Prometheus of this test's own (it gets stopped), with 15 minutes of the simulator's history."""
    home = tmp_path / "prometheus"
    home.mkdir()
    now = time.time()
    history = home / "history.om"
    with history.open("w") as out:
        write_openmetrics(
            fleet_simulator.model, start=now - 900, end=now - 1, step=15, out=out, origin=fleet_simulator.origin
        )
    servers.backfill_openmetrics(history, home / "data")
    target = f"{servers.LOOPBACK}:{fleet_simulator.server_address[1]}"
    holder = [servers.start_prometheus(home, scrape_targets={"fleet": target}, tsdb=home / "data")]
    yield holder
    holder[0].stop()


def test_prometheus_down_is_said_in_answers_and_detection_catches_up_the_missed_cycles(
    own_prometheus: list[servers.ServerProcess], tmp_path: Path
) -> None:
    prometheus = own_prometheus[0]
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: db-cpu-hot\n    rule: cpu > 90% for 2m on db-*\n")
    settings = Settings(
        prometheus=PrometheusSettings(url=prometheus.url, timeout_seconds=2),
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(rules_file=rules),
        detection=DetectionSettings(window_minutes=10, model_path=tmp_path / "none.pkl"),
    )
    t0 = datetime.fromtimestamp(time.time() // 60 * 60, UTC) - timedelta(minutes=4)
    clock = ManualClock(t0)
    services = build_services(settings, clock=clock, load_model=False)
    scheduler = build_job_scheduler(settings, services, notifier=None)

    with capture_logs() as logs:
        up = services.runner.answer("what is the cpu on db-1?")
        first = scheduler.fire("detection")
        prometheus.stop()
        down = services.runner.answer("what is the cpu on db-1?")
        missed = []
        for _ in range(2):
            clock.advance(timedelta(minutes=1))
            missed.append(scheduler.fire("detection"))
        own_prometheus[0] = restart(prometheus, servers.http_ready(f"{prometheus.url}/-/ready"))
        clock.advance(timedelta(minutes=1))
        back = scheduler.fire("detection")

    assert "%" in up.answer
    assert "metrics unavailable (" in down.answer
    assert "Traceback" not in down.answer
    assert (Outcome.RAN, [Outcome.FAILED, Outcome.FAILED], Outcome.RAN) == (first, missed, back)
    assert [t0 + timedelta(minutes=n) for n in (1, 2)] == [
        datetime.fromisoformat(e["tick"]) for e in logs if e["event"] == "detection_cycle_missed"
    ]
    cycles = [(datetime.fromisoformat(e["tick"]), e["catch_up"]) for e in logs if e["event"] == "detection_cycle"]
    assert [(t0, False), (t0 + timedelta(minutes=1), True), (t0 + timedelta(minutes=2), True)] == cycles[:3]
    assert (t0 + timedelta(minutes=3), False) == cycles[3]
    assert 'smartcloudops_job_failures_total{job="detection"} 2.0' in services.telemetry.exposition().decode()
    assert any(a.host.name == "db-1" for a in services.anomalies.open_anomalies())
    assert 200 == requests.get(f"{prometheus.url}/-/ready", timeout=5).status_code
