"""Real in-memory services over a simulated fleet and simulated AWS, and the request context a listener sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.clock import ManualClock
from adapters.simulated.cloud import SimulatedCloudActions
from bot.config.settings import AuditSettings, RemediationSettings, Settings
from bot.services import Services
from bot.slack.middleware import SERVICES_KEY
from tests.unit.bot.simulated_services import START, simulated_cloud, simulated_services
from tests.unit.bot.slack.fakes import FakeSlackClient, Recorder


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def cloud() -> SimulatedCloudActions:
    return simulated_cloud()


@pytest.fixture
def services(tmp_path: Path, clock: ManualClock, cloud: SimulatedCloudActions) -> Services:
    settings = Settings(
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(approvers={"*": ["U_LEAD", "S_SRE"]}),
    )
    return simulated_services(settings, clock=clock, cloud=cloud)


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
