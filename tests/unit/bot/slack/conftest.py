"""Real in-memory services over a simulated fleet and simulated AWS, and the request context a listener sees."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.clock import ManualClock
from adapters.simulated.cloud import SimulatedCloudActions
from adapters.simulated.metrics import SimulatedMetrics
from bot.config.settings import AuditSettings, RemediationSettings, Settings
from bot.services import Services
from bot.slack.middleware import SERVICES_KEY
from bot.wiring import build_services
from remediation.cloud_state import GroupState
from simulator.fleet import FleetModel
from tests.unit.bot.slack.fakes import FakeSlackClient, Recorder

GROUP = "web-asg"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))


@pytest.fixture
def cloud() -> SimulatedCloudActions:
    return SimulatedCloudActions({GROUP: GroupState(name=GROUP, desired_capacity=2, min_size=1, max_size=6)})


@pytest.fixture
def services(tmp_path: Path, clock: ManualClock, cloud: SimulatedCloudActions) -> Services:
    settings = Settings(
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(approvers={"*": ["U_LEAD", "S_SRE"]}),
    )
    metrics = SimulatedMetrics(FleetModel(5), clock)
    return build_services(settings, clock=clock, metrics=metrics, cloud=cloud, load_model=False)


@pytest.fixture
def context(services: Services) -> dict[str, Any]:
    return {SERVICES_KEY: services}


@pytest.fixture
def client() -> FakeSlackClient:
    return FakeSlackClient()


@pytest.fixture
def ack() -> Recorder:
    return Recorder()


@pytest.fixture
def respond() -> Recorder:
    return Recorder()
