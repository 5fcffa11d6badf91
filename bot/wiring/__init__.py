"""The composition root: the one place that knows every concrete class and wires them from Settings.

``assistant`` builds the conversation store, runner and chat model; ``sources`` the metrics and log sources.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import structlog

from adapters.clock import SystemClock
from adapters.files.audit import JsonlAuditSink
from adapters.memory.anomalies import InMemoryAnomalyStore
from adapters.memory.approvals import InMemoryApprovalStore
from adapters.memory.auto_state import InMemoryAutoRemediationState
from adapters.memory.rule_firings import InMemoryRuleFirings
from bot.config.secrets import secret_values
from bot.config.settings import AutoRemediationSettings, Settings
from bot.jobs.detection_engine import build_live_feed
from bot.jobs.rule_actions import RuleActionJob
from bot.services import Services
from bot.telemetry import BotMetrics
from bot.wiring.assistant import build_chat_model, build_conversations, build_runner
from bot.wiring.sources import build_log_sources, build_metrics
from detectors.model.fleet_model import FleetBaselineModel
from detectors.rules.evaluation import RuleDetector, window_for
from detectors.rules.file import load_rules_file
from detectors.rules.ports import RuleFirings
from detectors.service import DetectionService
from domain.ports import AnomalyStore, Clock, JobLeases, MetricsSource
from domain.redaction import SecretRedactor
from remediation.actions import ActionLimits
from remediation.brakes import AutoPolicy, RateLimit
from remediation.policy import ApprovalPolicy, actions_without_approvers
from remediation.ports import ApprovalStore, AutoRemediationState, CloudActions
from remediation.service import RemediationService
from tools.context import ToolContext
from tools.registry import ToolRegistry


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    metrics: MetricsSource | None = None,
    cloud: CloudActions | None = None,
    load_model: bool = True,
    in_memory: bool = False,
    redactor: SecretRedactor | None = None,
) -> Services:
    """Create adapters and services from ``settings``; explicit arguments replace the configured ones.

    Args:
        load_model: load the trained detection model (one-shot commands that only answer skip it,
            since loading scikit-learn takes seconds).
        in_memory: without Redis, keep the stores in this process (the demo) instead of the SQLite
            file under the state directory that the machine's processes share (``StateStoreRefused``
            when it cannot be used).
        redactor: the configured secrets (built from ``settings`` when None), removed at every edge.
    """
    clock = clock or SystemClock()
    redactor = redactor or SecretRedactor.of(secret_values(settings))
    if metrics is None and settings.prometheus.url is not None:
        metrics = build_metrics(settings)

    anomalies: AnomalyStore
    approvals: ApprovalStore
    if settings.redis.url:
        from adapters.files.anomaly_spool import SpoolingAnomalyStore
        from adapters.redis.anomalies import RedisAnomalyStore
        from adapters.redis.approvals import RedisApprovalStore
        from adapters.redis.auto_state import RedisAutoRemediationState
        from adapters.redis.connection import connect
        from adapters.redis.leases import RedisJobLeases
        from adapters.redis.rule_firings import RedisRuleFirings

        client = connect(settings.redis.url)
        leases: JobLeases = RedisJobLeases(client)
        auto_state: AutoRemediationState = RedisAutoRemediationState(client)
        firings: RuleFirings = RedisRuleFirings(client)
        spool = settings.detection.spool_path or settings.state.dir / "anomaly-spool.jsonl"
        anomalies = SpoolingAnomalyStore(RedisAnomalyStore(client), spool)
        approvals = RedisApprovalStore(client)
    elif in_memory:
        from adapters.memory.leases import InMemoryJobLeases

        anomalies, approvals = InMemoryAnomalyStore(), InMemoryApprovalStore()
        leases = InMemoryJobLeases(clock)
        auto_state = InMemoryAutoRemediationState()
        firings = InMemoryRuleFirings()
    else:
        from adapters.sqlite.stores import SqliteStores

        local = SqliteStores.in_directory(settings.state.dir, clock)
        anomalies, approvals, leases = local.anomalies, local.approvals, local.leases
        auto_state, firings = local.auto_state, local.firings

    if cloud is None and settings.aws.enabled:
        from adapters.aws.cloud_actions import AwsCloudActions

        endpoint = str(settings.aws.endpoint_url) if settings.aws.endpoint_url else None
        cloud = AwsCloudActions.from_endpoint(region=settings.aws.region, endpoint_url=endpoint)

    audit = JsonlAuditSink(settings.audit.dir, redactor=redactor)
    rem = settings.remediation
    limits = ActionLimits(
        allowed_services=frozenset(rem.allowed_services),
        max_scale_step=rem.max_scale_step,
        max_restart_hosts=rem.max_restart_hosts,
    )
    rules = load_rules_file(rem.rules_file) if rem.rules_file is not None else []
    if rem.rules_file is not None and not rules:
        structlog.get_logger(__name__).warning("rules_file_empty", path=str(rem.rules_file), then="no rules run")
    remediation = None
    if cloud is not None:
        remediation = RemediationService(
            store=approvals,
            cloud=cloud,
            audit=audit,
            policy=ApprovalPolicy(
                approvers={k: frozenset(v) for k, v in rem.approvers.items()},
                risky_quorum=rem.risky_quorum,
                risky_scale_to_above=rem.risky_scale_to_above,
                quorum=rem.quorum,
            ),
            limits=limits,
            clock=clock,
            expiry=timedelta(minutes=rem.expiry_minutes),
            poll_seconds=rem.poll_seconds,
            command_polls=rem.command_polls,
            locks=leases,
        )
        if metrics is not None and rem.verify_for > timedelta(0) and (settings.redis.url or not in_memory):
            from bot.jobs.remediation_verification import verification_queue

            remediation.on_succeeded = verification_queue(settings, leases).add
    ctx = ToolContext(
        metrics=metrics,
        anomalies=anomalies,
        remediation=remediation,
        limits=limits,
        clock=clock,
        approvals=approvals,
        log_sources=build_log_sources(settings),
        rules=tuple(rules),
    )
    registry = ToolRegistry.for_context(ctx)
    telemetry = BotMetrics()
    runner = build_runner(settings, registry, ctx, on_tokens=telemetry.llm_tokens.inc)
    detection = None
    if metrics is not None:
        detection = DetectionService(
            metrics=metrics,
            store=anomalies,
            detectors=tuple(RuleDetector(r.name, r.rule, r.severity) for r in rules),
            # Only the rules judge windows, each of its own metric: the engine reads its own minutes.
            metric_kinds=tuple(dict.fromkeys(r.rule.metric for r in rules)),
            # A rule needs its whole duration (and a few samples more) inside the window to fire.
            window=window_for((r.rule for r in rules), at_least=timedelta(minutes=settings.detection.window_minutes)),
            model=_trained_model(settings.detection.model_path) if load_model else None,
            feed=build_live_feed(settings.detection, metrics),
        )
    services = Services(
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
        leases=leases,
        telemetry=telemetry,
        rule_actions=(
            RuleActionJob(
                metrics=metrics,
                remediation=remediation,
                approvals=approvals,
                policy=remediation.policy,
                cloud=remediation.cloud,
                rules=rules,
                limits=limits,
                auto_state=auto_state,
                auto_policy=auto_policy(settings.auto_remediation),
                firings=firings,
            )
            if metrics is not None and remediation is not None and any(r.rule.action for r in rules)
            else None
        ),
        auto_state=auto_state,
        redactor=redactor,
    )
    if remediation is not None:
        for action in actions_without_approvers(remediation.policy):
            structlog.get_logger(__name__).warning("no_approvers_configured", action=action.value)
    return services


def auto_policy(settings: AutoRemediationSettings) -> AutoPolicy:
    """The brakes of automatic remediation, from settings."""
    return AutoPolicy(
        enabled=settings.enabled,
        low_risk_actions=frozenset(settings.low_risk_actions),
        per_target={
            "restart_service": RateLimit(
                count=settings.restarts_per_window, window_seconds=60 * settings.restart_window_minutes
            ),
            "scale_up": RateLimit(
                count=settings.scale_ups_per_window, window_seconds=60 * settings.scale_window_minutes
            ),
        },
        fleet_budget_per_hour=settings.fleet_budget_per_hour,
        cooldown_after_failure_seconds=60 * settings.cooldown_minutes,
    )


def _trained_model(path: Path) -> FleetBaselineModel | None:
    """The trained detection model, if one was saved; a refused file is logged and left out."""
    if not path.exists():
        return None
    from adapters.files.model_file import ModelFileError, load_model

    try:
        return load_model(path)
    except ModelFileError as exc:
        structlog.get_logger(__name__).error("anomaly_model_refused", path=str(path), error=str(exc))
        return None


__all__ = [
    "auto_policy",
    "build_chat_model",
    "build_conversations",
    "build_log_sources",
    "build_metrics",
    "build_runner",
    "build_services",
]
