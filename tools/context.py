"""ToolContext: the services a tool may use, handed to every tool call."""

from __future__ import annotations

from dataclasses import dataclass

from domain.ports import AnomalyStore, Clock, MetricsSource
from remediation.actions import ActionLimits
from remediation.service import RemediationService


@dataclass(frozen=True)
class ToolContext:
    """What tools can reach. Optional parts are None when not configured."""

    metrics: MetricsSource | None
    anomalies: AnomalyStore
    remediation: RemediationService | None
    limits: ActionLimits
    clock: Clock
    user: str = "cli"
