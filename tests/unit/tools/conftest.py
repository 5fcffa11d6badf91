"""A simulated fleet of 10 hosts for tool tests: db-1 saturating its CPU, cache-1 down since 14:40 UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.clock import ManualClock
from adapters.simulated.cloud import SimulatedCloudActions
from adapters.simulated.metrics import SimulatedMetrics
from bot.config.settings import AuditSettings, RemediationSettings, Settings
from bot.services import Services
from bot.wiring import build_services
from domain.models import Anomaly, MetricKind, Severity
from remediation.cloud_state import GroupState
from simulator.fleet import FleetModel, Incident, IncidentKind

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
DOWN_SINCE = NOW - timedelta(minutes=20)


@pytest.fixture
def services(tmp_path: Path) -> Services:
    clock = ManualClock(NOW)
    t = NOW.timestamp()
    fleet = FleetModel(
        10,
        (
            Incident(IncidentKind.CPU_SATURATION, "db-1", t - 600, 3600),
            Incident(IncidentKind.HOST_DOWN, "cache-1", DOWN_SINCE.timestamp(), 3600),
        ),
    )
    cloud = SimulatedCloudActions({"web-asg": GroupState(name="web-asg", desired_capacity=2, min_size=1, max_size=6)})
    settings = Settings(
        audit=AuditSettings(dir=tmp_path / "logs"), remediation=RemediationSettings(approvers={"*": ["U_LEAD"]})
    )
    return build_services(settings, clock=clock, metrics=SimulatedMetrics(fleet, clock), cloud=cloud, load_model=False)


def db_cpu_incident(services: Services, *, minutes_ago: int = 10, anomaly_id: str = "a1") -> Anomaly:
    """Store an open critical CPU incident of db-1 at 97.0%, started ``minutes_ago`` before NOW."""
    db = next(h for h in services.tools.metrics.hosts() if h.name == "db-1")  # type: ignore[union-attr]
    started = NOW - timedelta(minutes=minutes_ago)
    incident = Anomaly(
        id=anomaly_id, host=db, metric=MetricKind.CPU, detector="engine", severity=Severity.CRITICAL,
        score=9.0, value=97.0, started_at=started, updated_at=NOW,
    )  # fmt: skip
    services.anomalies.upsert(incident)
    return incident
