"""ToolContext: the services a tool may use, handed to every tool call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from detectors.rules.file import NamedRule
from domain.ports import AnomalyStore, Clock, LogSource, MetricsSource
from remediation.actions import ActionLimits
from remediation.ports import ApprovalStore
from remediation.service import RemediationService


@dataclass(frozen=True)
class ToolContext:
    """What tools can reach. Optional parts are None (or empty) when not configured."""

    metrics: MetricsSource | None
    anomalies: AnomalyStore
    remediation: RemediationService | None
    limits: ActionLimits
    clock: Clock
    user: str = "cli"
    #: Where approval requests are kept: listable even where remediation itself is not configured.
    approvals: ApprovalStore | None = None
    log_sources: Sequence[LogSource] = field(default_factory=tuple)
    rules: Sequence[NamedRule] = field(default_factory=tuple)
    #: Set per question: True only when the person's own message asks for a remediation (deny by default).
    remediation_asked: bool = False
