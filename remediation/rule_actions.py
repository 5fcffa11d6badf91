"""Duration rules with ``then <action>``: each breach that fires asks, once, for an approval.

A rule never runs anything by itself: a firing becomes a pending approval request like any
other, requested by ``rule:<name>``, and waits for people allowed to approve it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from detectors.rule_evaluation import Firing, RuleTracker
from detectors.rule_file import NamedRule
from detectors.rules import RuleAction
from domain.errors import InputError, OpsError
from domain.models import HostRef
from domain.ports import MetricsSource
from remediation import actions
from remediation.actions import ActionCall, ActionLimits
from remediation.approval import ApprovalRequest
from remediation.service import RemediationService

log = structlog.get_logger(__name__)


def call_for_rule(action: RuleAction, host: HostRef, limits: ActionLimits) -> ActionCall:
    """The action call a rule asks for on ``host``.

    Raises:
        InputError: a restart on a host without an ``instance_id`` label, or bad parameters.
        ActionNotAllowed: outside the configured limits (allowlist, step).
    """
    if action.name == "restart_service":
        if not host.instance_id:
            raise InputError(f"{host.name} has no instance_id label, so it cannot be restarted through SSM")
        return actions.restart_service(instance_id=host.instance_id, service=str(action.service), limits=limits)
    if action.name == "scale_up":
        return actions.scale_up(group=str(action.group), by=int(action.amount or 1), limits=limits)
    return actions.scale_to(group=str(action.group), desired=int(action.amount or 0))


def breach_request_id(firing: Firing) -> str:
    """The same breach always maps to the same request id, across restarts and replicas."""
    name, instance, started = firing.key
    return "rule-" + hashlib.sha256(f"{name}|{instance}|{started}".encode()).hexdigest()[:12]


@dataclass
class RuleActionJob:
    """Evaluates the rules that carry an action and requests approval for each new breach.

    Call ``run_once(now)`` from the scheduler; it reads ``window`` of history per metric.
    """

    metrics: MetricsSource
    remediation: RemediationService
    rules: Sequence[NamedRule]
    limits: ActionLimits
    step_seconds: float = 60.0
    tracker: RuleTracker = field(init=False)

    def __post_init__(self) -> None:
        self.rules = [r for r in self.rules if r.rule.action is not None]
        self.tracker = RuleTracker((r.name, r.rule) for r in self.rules)

    @property
    def window(self) -> timedelta:
        """History needed: the longest rule duration plus five steps."""
        longest = max((r.rule.duration_seconds for r in self.rules), default=0)
        return timedelta(seconds=longest + 5 * self.step_seconds)

    def run_once(self, now: datetime) -> list[ApprovalRequest]:
        """Requests created (or found, for a breach already requested) at ``now``."""
        if not self.rules:
            return []
        series = []
        for metric in dict.fromkeys(r.rule.metric for r in self.rules):
            series.extend(
                self.metrics.range(metric, None, start=now - self.window, end=now, step_seconds=self.step_seconds)
            )
        out = []
        for firing in self.tracker.evaluate(series, now=now.timestamp()):
            action = firing.rule.action
            if action is None:
                continue
            try:
                call = call_for_rule(action, firing.breach.host, self.limits)
                request = self.remediation.request(
                    call, f"rule:{firing.rule_name}", request_id=breach_request_id(firing)
                )
            except OpsError as exc:
                # One rule's refusal (a stopped instance, a group at MaxSize) must not stop the others.
                log.warning(
                    "rule_action_not_requested", rule=firing.rule_name, host=firing.breach.host.name, error=str(exc)
                )
                continue
            log.info(
                "rule_action_requested", rule=firing.rule_name, host=firing.breach.host.name, request_id=request.id
            )
            out.append(request)
        return out
