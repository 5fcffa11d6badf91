"""Real services without servers: in-memory stores, a simulated five-host fleet and simulated AWS."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.clock import ManualClock
from adapters.simulated.cloud import SimulatedCloudActions
from adapters.simulated.metrics import SimulatedMetrics
from bot.config.settings import Settings
from bot.services import Services
from bot.wiring import build_services
from domain.ports import MetricsSource
from remediation.cloud_state import GroupState
from simulator.fleet import FleetModel

GROUP = "web-asg"
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def simulated_cloud() -> SimulatedCloudActions:
    """One Auto Scaling group, ``web-asg``, at 2 instances (1 to 6)."""
    return SimulatedCloudActions({GROUP: GroupState(name=GROUP, desired_capacity=2, min_size=1, max_size=6)})


def simulated_services(
    settings: Settings,
    *,
    clock: ManualClock,
    cloud: SimulatedCloudActions,
    metrics: MetricsSource | None = None,
) -> Services:
    """Services from ``settings`` over the simulated fleet (or ``metrics``) and ``cloud``."""
    return build_services(
        settings, clock=clock, metrics=metrics or SimulatedMetrics(FleetModel(5), clock), cloud=cloud, load_model=False
    )
