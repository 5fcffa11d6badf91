"""Rules with ``then <action>`` ask for approval once per breach; nothing runs without a person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.clock import ManualClock
from adapters.memory.rule_firings import InMemoryRuleFirings
from bot.jobs.rule_actions import RuleActionJob, call_for_rule
from detectors.rules.file import parse_rules_yaml
from detectors.rules.rule import RuleAction
from domain.errors import InputError
from domain.models import HostRef, MetricKind, Series
from domain.ports import MetricsSource
from remediation.actions import ActionLimits, ActionName
from remediation.approval import ApprovalState
from remediation.cloud_state import InstanceState
from remediation.service import RemediationService
from tests.factories import remediation_service, simulated_cloud

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
WEB1 = HostRef(instance="10.0.1.11:9100", host="web-1", instance_id="i-0000000000000000a")
DB1 = HostRef(instance="10.0.1.13:9100", host="db-1")
LIMITS = ActionLimits(allowed_services=frozenset({"nginx"}), max_scale_step=2)
RULES = """
rules:
  - name: web-cpu
    rule: cpu > 90% for 3m on web-* then restart_service nginx
  - name: busy
    rule: cpu > 90% for 3m then scale_up web-asg by 1
  - name: watch-only
    rule: cpu > 90% for 1m
"""


class ScriptedMetrics:
    """A metrics source whose CPU per host follows a pattern, one sample a minute from T0 ('H' = 95%)."""

    def __init__(self, patterns: dict[HostRef, str]) -> None:
        self.patterns = patterns

    def range(
        self, metric: MetricKind, hosts: Any, *, start: datetime, end: datetime, step_seconds: float
    ) -> list[Series]:
        assert hosts is None  # the job asks for the whole fleet
        assert 60.0 == step_seconds
        out = []
        for host, pattern in self.patterns.items():
            points = [
                (T0.timestamp() + 60 * n, 95.0 if c == "H" else 20.0)
                for n, c in enumerate(pattern)
                if start.timestamp() <= T0.timestamp() + 60 * n <= end.timestamp()
            ]
            out.append(Series(host, metric, tuple(t for t, _ in points), tuple(v for _, v in points)))
        return out


def make_job(metrics: MetricsSource, service: RemediationService) -> RuleActionJob:
    """A job on ``service`` with fresh memory of what fired (as after a restart)."""
    return RuleActionJob(
        metrics=metrics,
        remediation=service,
        approvals=service.store,
        policy=service.policy,
        cloud=service.cloud,
        rules=parse_rules_yaml(RULES),
        limits=LIMITS,
        firings=InMemoryRuleFirings(),
    )


def job(patterns: dict[HostRef, str]) -> tuple[RuleActionJob, RemediationService]:
    cloud = simulated_cloud(
        instances=[InstanceState(instance_id="i-0000000000000000a", lifecycle_state="running", health_status="ok")]
    )
    service = remediation_service(cloud=cloud, limits=LIMITS, clock=ManualClock(T0), sleep=lambda _s: None)
    return make_job(ScriptedMetrics(patterns), service), service


def test_a_breach_requests_each_rules_action_once_and_runs_nothing() -> None:
    rule_job, service = job({WEB1: "LHHHHHHH", DB1: "LLLLLLLL"})

    first = rule_job.run_once(T0 + timedelta(minutes=4))
    again = rule_job.run_once(T0 + timedelta(minutes=6))

    assert [(ActionName.RESTART_SERVICE, "rule:web-cpu"), (ActionName.SCALE_UP, "rule:busy")] == [
        (r.call.action, r.requested_by) for r in first
    ]
    assert [] == again
    assert {ApprovalState.PENDING} == {r.state for r in service.store.pending()}
    assert 2 == len(service.store.pending())


def test_a_restarted_job_finds_the_request_of_the_same_breach() -> None:
    rule_job, service = job({WEB1: "LHHHHH"})
    first = rule_job.run_once(T0 + timedelta(minutes=4))
    fresh = make_job(rule_job.metrics, service)

    second = fresh.run_once(T0 + timedelta(minutes=5))

    assert [r.id for r in first] == [r.id for r in second]
    assert 2 == len(service.store.pending())


def test_a_host_without_instance_id_cannot_be_restarted_but_other_rules_still_ask() -> None:
    rule_job, _ = job({DB1: "HHHHH"})

    created = rule_job.run_once(T0 + timedelta(minutes=4))

    assert ["rule:busy"] == [r.requested_by for r in created]
    with pytest.raises(InputError, match="no instance_id label"):
        call_for_rule(RuleAction("restart_service", service="nginx"), DB1, LIMITS)


def test_a_new_breach_after_recovery_asks_again() -> None:
    rule_job, _ = job({WEB1: "HHHHLHHHH"})

    fired = [m for m in range(9) if rule_job.run_once(T0 + timedelta(minutes=m))]

    assert [3, 8] == fired
