"""Duration rules over a real Prometheus: the rule detector opens one anomaly per breach, and a rule's
action becomes one pending approval request (nothing runs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.clock import ManualClock
from adapters.files.audit import JsonlAuditSink
from adapters.memory.anomalies import InMemoryAnomalyStore
from adapters.memory.rule_firings import InMemoryRuleFirings
from adapters.prometheus.metrics import PrometheusMetrics
from bot.jobs.rule_actions import RuleActionJob
from detectors.rules.evaluation import RuleDetector
from detectors.rules.file import parse_rules_yaml
from detectors.service import DetectionService
from detectors.windows import RollingWindows
from domain.models import MetricKind, Severity
from remediation.actions import ActionLimits, ActionName
from remediation.approval import ApprovalState
from simulator.fleet import FleetModel
from tests import servers
from tests.factories import remediation_service, simulated_cloud

RULES = parse_rules_yaml(
    """
rules:
  - name: web-cpu-hot
    rule: cpu > 90% for 3m on web-*
    severity: critical
  - name: web-cpu-hot-long
    rule: cpu > 90% for 20m on web-*
  - name: scale-on-cpu
    rule: cpu > 90% for 5m on web-1 then scale_up web-asg by 1
"""
)


def test_rule_detector_opens_one_anomaly_for_the_breach_and_only_for_long_enough_rules(
    history_prometheus: servers.ServerProcess, history: tuple[FleetModel, float]
) -> None:
    _model, end = history
    now = datetime.fromtimestamp(end, UTC)
    store = InMemoryAnomalyStore()
    service = DetectionService(
        metrics=PrometheusMetrics(history_prometheus.url),
        store=store,
        detectors=tuple(RuleDetector(r.name, r.rule, r.severity) for r in RULES),
    )

    first = service.run_once(now)
    second = service.run_once(now)

    assert [("web-1", MetricKind.CPU, "web-cpu-hot", Severity.CRITICAL)] == [
        (a.host.name, a.metric, a.detector, a.severity) for a in first.opened if a.detector == "web-cpu-hot"
    ]
    assert [] == [a for a in first.opened if a.detector == "web-cpu-hot-long"]
    assert [] == [a for a in second.opened if a.detector == "web-cpu-hot"]
    assert "has held for" in first.opened[0].summary


def test_rule_action_becomes_one_pending_request_that_runs_nothing(
    history_prometheus: servers.ServerProcess, history: tuple[FleetModel, float], tmp_path: Path
) -> None:
    _model, end = history
    now = datetime.fromtimestamp(end, UTC)
    cloud = simulated_cloud()
    remediation = remediation_service(cloud=cloud, audit=JsonlAuditSink(tmp_path), clock=ManualClock(now))
    job = RuleActionJob(
        metrics=PrometheusMetrics(history_prometheus.url),
        remediation=remediation,
        approvals=remediation.store,
        policy=remediation.policy,
        cloud=cloud,
        rules=RULES,
        limits=ActionLimits(),
        firings=InMemoryRuleFirings(),
    )

    created = job.run_once(now)
    again = job.run_once(now)

    assert [(ActionName.SCALE_UP, "rule:scale-on-cpu", ApprovalState.PENDING)] == [
        (r.call.action, r.requested_by, r.state) for r in created
    ]
    assert [] == again
    assert 2 == cloud.describe_group("web-asg").desired_capacity


def test_rule_windows_kept_between_passes_equal_full_reads_of_the_server(
    history_prometheus: servers.ServerProcess, history: tuple[FleetModel, float]
) -> None:
    _model, end = history
    metrics = PrometheusMetrics(history_prometheus.url)
    windows = RollingWindows(metrics)
    window = timedelta(minutes=8)
    compared = 0

    # Passes a minute apart, off the minute as a scheduler's are, over the end of the stored history.
    for minute in range(-12, 1):
        now = datetime.fromtimestamp(end + minute * 60 - 7.25, UTC)
        for metric in (MetricKind.CPU, MetricKind.DISK, MetricKind.UP):
            kept = windows.range(metric, start=now - window, end=now, step_seconds=60)
            full = metrics.range(metric, None, start=now - window, end=now, step_seconds=60)
            assert {s.host.instance: s.values for s in full} == {s.host.instance: s.values for s in kept}
            compared += sum(len(s.values) for s in kept)

    assert compared > 1000
