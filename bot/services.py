"""Services: everything the entry points use, built once at start-up by ``bot.wiring``.

A leaf module: it names the types and builds nothing, so every layer may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.telemetry import BotMetrics

if TYPE_CHECKING:
    from agent.runner import AgentRunner
    from bot.config.settings import Settings
    from bot.jobs.rule_actions import RuleActionJob
    from detectors.service import DetectionService
    from domain.ports import AnomalyStore, Clock, JobLeases, MetricsSource
    from domain.redaction import SecretRedactor
    from remediation.ports import ApprovalStore, AuditSink, AutoRemediationState
    from remediation.service import RemediationService
    from tools.context import ToolContext
    from tools.registry import ToolRegistry


@dataclass
class Services:
    """Everything the entry points use, built once at start-up."""

    settings: Settings
    clock: Clock
    metrics: MetricsSource | None
    anomalies: AnomalyStore
    approvals: ApprovalStore
    audit: AuditSink
    remediation: RemediationService | None
    registry: ToolRegistry
    tools: ToolContext
    runner: AgentRunner
    detection: DetectionService | None
    telemetry: BotMetrics = field(default_factory=BotMetrics)
    #: Requests approval when a rule with ``then <action>`` fires; schedule ``run_once(now)``.
    rule_actions: RuleActionJob | None = None
    #: One lease per scheduled job and tick, shared by the replicas (in memory without Redis).
    leases: JobLeases | None = None
    auto_state: AutoRemediationState | None = None
    #: Removes the configured secrets from what leaves the process (Slack messages, HTTP answers, audit
    #: lines); without one, only token-shaped strings are removed.
    redactor: SecretRedactor | None = None

    def __deepcopy__(self, memo: dict[int, object]) -> Services:
        """The same services: Bolt deep-copies a request's context for its lazy listeners, and a copy
        would split the in-memory stores and duplicate clients and locks."""
        return self
