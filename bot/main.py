"""The composition root: the one place that knows every concrete class and wires them from Settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from adapters.audit_file import JsonlAuditSink
from adapters.clock import SystemClock
from adapters.memory import InMemoryAnomalyStore, InMemoryApprovalStore
from agent.router import DeterministicRouter
from agent.runner import AgentRunner
from bot.settings import Settings
from bot.telemetry import BotMetrics
from detectors.service import DetectionService
from detectors.zscore import RobustZScoreDetector
from domain.ports import AnomalyStore, ApprovalStore, AuditSink, Clock, CloudActions, MetricsSource
from remediation.actions import ActionLimits
from remediation.policy import ApprovalPolicy
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


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    metrics: MetricsSource | None = None,
    cloud: CloudActions | None = None,
) -> Services:
    """Create adapters and services from ``settings``; explicit arguments replace the configured ones."""
    clock = clock or SystemClock()
    if metrics is None and settings.prometheus.url is not None:
        from adapters.prometheus import PrometheusMetrics

        metrics = PrometheusMetrics(str(settings.prometheus.url), timeout_seconds=settings.prometheus.timeout_seconds)

    anomalies: AnomalyStore
    approvals: ApprovalStore
    if settings.redis.url:
        from adapters.redis_approvals import RedisApprovalStore
        from adapters.redis_store import RedisAnomalyStore, connect

        client = connect(settings.redis.url)
        anomalies, approvals = RedisAnomalyStore(client), RedisApprovalStore(client)
    else:
        anomalies, approvals = InMemoryAnomalyStore(), InMemoryApprovalStore()

    if cloud is None and settings.aws.enabled:
        from adapters.aws import AwsCloudActions

        endpoint = str(settings.aws.endpoint_url) if settings.aws.endpoint_url else None
        cloud = AwsCloudActions.from_endpoint(region=settings.aws.region, endpoint_url=endpoint)

    audit = JsonlAuditSink(settings.audit.dir)
    rem = settings.remediation
    limits = ActionLimits(allowed_services=frozenset(rem.allowed_services), max_scale_step=rem.max_scale_step)
    remediation = None
    if cloud is not None:
        remediation = RemediationService(
            store=approvals,
            cloud=cloud,
            audit=audit,
            policy=ApprovalPolicy(approvers={k: frozenset(v) for k, v in rem.approvers.items()}),
            limits=limits,
            clock=clock,
            expiry=timedelta(minutes=rem.expiry_minutes),
        )
    registry = ToolRegistry()
    ctx = ToolContext(metrics=metrics, anomalies=anomalies, remediation=remediation, limits=limits, clock=clock)
    runner = DeterministicRouter(registry=registry, ctx=ctx)
    detection = None
    if metrics is not None:
        detection = DetectionService(
            metrics=metrics,
            store=anomalies,
            detectors=(RobustZScoreDetector(),),
            window=timedelta(minutes=settings.detection.window_minutes),
        )
    return Services(
        settings=settings,
        clock=clock,
        metrics=metrics,
        anomalies=anomalies,
        approvals=approvals,
        audit=audit,
        remediation=remediation,
        registry=registry,
        tools=ctx,
        runner=runner,
        detection=detection,
    )
