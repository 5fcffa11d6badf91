"""A small simulated world for assistant tests: a fleet, simulated AWS, in-memory stores, a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from adapters.clock import ManualClock
from adapters.memory.conversations import InMemoryConversationStore
from adapters.simulated.cloud import SimulatedCloudActions
from adapters.simulated.metrics import SimulatedMetrics
from bot.config.settings import AuditSettings, RemediationSettings, Settings
from bot.services import Services
from bot.wiring import build_services
from remediation.cloud_state import GroupState
from simulator.fleet import FleetModel, Incident, IncidentKind

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@dataclass
class World:
    services: Services
    fleet: FleetModel
    cloud: SimulatedCloudActions
    clock: ManualClock


def make_world(tmp_path: Path, *, hosts: int = 10) -> World:
    clock = ManualClock(NOW)
    now = NOW.timestamp()
    fleet = FleetModel(hosts, (Incident(IncidentKind.CPU_SATURATION, "web-1", now - 600, 3600),))
    cloud = SimulatedCloudActions({"web-asg": GroupState(name="web-asg", desired_capacity=2, min_size=1, max_size=6)})
    settings = Settings(
        audit=AuditSettings(dir=tmp_path / "logs"),
        remediation=RemediationSettings(approvers={"*": ["U_LEAD"]}),
    )
    services = build_services(settings, clock=clock, metrics=SimulatedMetrics(fleet, clock), cloud=cloud)
    return World(services=services, fleet=fleet, cloud=cloud, clock=clock)


def with_memory_conversations(world: World) -> InMemoryConversationStore:
    store = InMemoryConversationStore()
    world.services.runner.conversations = store  # type: ignore[attr-defined]
    return store
