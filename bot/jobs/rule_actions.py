"""Duration rules with ``then <action>``: each breach that fires is acted on once, in the rule's mode.

In ``approve`` mode (the default) a firing becomes a pending approval request like any other,
requested by ``rule:<name>``, and waits for people allowed to approve it. In ``auto`` mode the
brakes of ``remediation.brakes`` decide: when none trips, the request is approved by
``policy:<rule>`` and runs through the same state machine and audit log; when one trips, it
falls back to an approval request that says which. In ``notify`` mode nothing is requested:
the outcome only carries the dry run, for the channel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from detectors.rules.evaluation import Firing, RuleTracker
from detectors.rules.file import NamedRule
from detectors.rules.ports import RuleFirings
from detectors.rules.rule import RuleAction
from detectors.windows import RollingWindows
from domain.errors import InputError, OpsError, PolicyError
from domain.models import HostRef
from domain.ports import MetricsSource
from remediation import actions
from remediation.actions import ActionCall, ActionLimits, ActionName
from remediation.approval import ApprovalRequest, ApprovalState
from remediation.brakes import AutoAction, AutoDecision, AutoPolicy, RemediationMode, auto_target, decide, inverse
from remediation.policy import ApprovalPolicy
from remediation.ports import ApprovalStore, AutoRemediationState, CloudActions
from remediation.service import RemediationService

_HISTORY = timedelta(hours=2)

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


@dataclass(frozen=True)
class RuleOutcome:
    """What one firing led to: the mode it ran in, the request (none in notify mode), and why."""

    rule: str
    host: HostRef
    mode: RemediationMode
    call: ActionCall
    request: ApprovalRequest | None
    dry_run: str = ""
    brake: str | None = None
    undo: ActionCall | None = None
    repeat: bool = False


@dataclass
class RuleActionJob:
    """Evaluates the rules that carry an action and requests approval for each new breach.

    Call ``run_once(now)`` from the scheduler; it reads ``window`` of history per metric.
    """

    metrics: MetricsSource
    #: Requests and approves through the normal workflow.
    remediation: RemediationService
    #: Where a breach's request is looked up (the same breach always has the same request id).
    approvals: ApprovalStore
    #: How many approvals an action needs (an automatic action needing more falls back to people).
    policy: ApprovalPolicy
    #: Reads a group's capacity before an automatic scale-up, for its Undo.
    cloud: CloudActions
    rules: Sequence[NamedRule]
    limits: ActionLimits
    #: Which breach each rule last fired for (shared by replicas through Redis).
    firings: RuleFirings
    auto_state: AutoRemediationState | None = None
    step_seconds: float = 60.0
    auto_policy: AutoPolicy = field(default_factory=AutoPolicy)
    tracker: RuleTracker = field(init=False)
    windows: RollingWindows = field(init=False)

    def __post_init__(self) -> None:
        self.rules = [r for r in self.rules if r.rule.action is not None]
        self.tracker = RuleTracker(((r.name, r.rule) for r in self.rules), firings=self.firings)
        self.windows = RollingWindows(self.metrics)

    @property
    def window(self) -> timedelta:
        """History needed: the longest rule duration plus five steps."""
        longest = max((r.rule.duration_seconds for r in self.rules), default=0)
        return timedelta(seconds=longest + 5 * self.step_seconds)

    def run_once(self, now: datetime) -> list[ApprovalRequest]:
        """Requests created (or found, for a breach already requested) at ``now``."""
        return [o.request for o in self.run_with_outcomes(now) if o.request is not None]

    def run_with_outcomes(self, now: datetime) -> list[RuleOutcome]:
        """Every firing at ``now`` and what came of it (``repeat`` when the breach was acted on before)."""
        if not self.rules:
            return []
        series = []
        for metric in dict.fromkeys(r.rule.metric for r in self.rules):
            series.extend(self.windows.range(metric, start=now - self.window, end=now, step_seconds=self.step_seconds))
        modes = {r.name: RemediationMode(r.mode) for r in self.rules}
        out = []
        for firing in self.tracker.evaluate(series, now=now.timestamp()):
            action = firing.rule.action
            if action is None:
                continue
            try:
                call = call_for_rule(action, firing.breach.host, self.limits)
                outcome = self._act(firing, call, modes.get(firing.rule_name, RemediationMode.APPROVE), now)
            except OpsError as exc:
                # One rule's refusal (a stopped instance, a group at MaxSize) must not stop the others.
                log.warning(
                    "rule_action_not_requested", rule=firing.rule_name, host=firing.breach.host.name, error=str(exc)
                )
                continue
            if outcome is not None:
                log.info(
                    "rule_action",
                    rule=firing.rule_name,
                    host=firing.breach.host.name,
                    mode=outcome.mode.value,
                    brake=outcome.brake,
                    request_id=outcome.request.id if outcome.request else None,
                )
                out.append(outcome)
        return out

    def _decide(self, call: ActionCall, mode: RemediationMode, now: datetime) -> AutoDecision:
        if mode is not RemediationMode.AUTO:
            return AutoDecision(mode)
        if self.auto_state is None:
            return AutoDecision(RemediationMode.APPROVE, "automatic remediation is not set up on this bot")
        history = [a for a in self.auto_state.history(now - _HISTORY) if not a.action.startswith("notify:")]
        decision = decide(
            call, mode, now=now, history=history, policy=self.auto_policy, kill_switch=self.auto_state.kill_switch()
        )
        needed = self.policy.required_approvals(call)
        if decision.mode is RemediationMode.AUTO and needed > 1:
            return AutoDecision(RemediationMode.APPROVE, f"{call.action.value} needs {needed} approvers")
        return decision

    def _act(self, firing: Firing, call: ActionCall, mode: RemediationMode, now: datetime) -> RuleOutcome | None:
        existing = self.approvals.get(breach_request_id(firing))
        if existing is not None:  # this breach was already acted on (by this replica or another)
            return RuleOutcome(
                firing.rule_name, firing.breach.host, mode, call, existing, existing.dry_run, repeat=True
            )
        decision = self._decide(call, mode, now)
        host = firing.breach.host
        if decision.mode is RemediationMode.NOTIFY:
            return self._notify(firing, call, now)
        before = None
        if decision.mode is RemediationMode.AUTO and call.action is ActionName.SCALE_UP:
            before = self.cloud.describe_group(str(call.params["group"])).desired_capacity
        request = self.remediation.request(call, f"rule:{firing.rule_name}", request_id=breach_request_id(firing))
        if decision.mode is RemediationMode.APPROVE or self.auto_state is None:
            return RuleOutcome(
                firing.rule_name, host, RemediationMode.APPROVE, call, request, request.dry_run, decision.brake
            )
        if request.state is not ApprovalState.PENDING:
            return None  # another replica already acted on this breach
        try:
            done = self.remediation.approve_by_policy(request.id, firing.rule_name)
        except PolicyError as exc:  # another replica won the race for this breach
            log.info("rule_action_already_taken", request_id=request.id, reason=str(exc))
            return None
        ok = done.state is ApprovalState.SUCCEEDED
        self.auto_state.record(AutoAction(call.action.value, auto_target(call), now, succeeded=ok))
        undo = inverse(call, before=before) if ok else None
        return RuleOutcome(firing.rule_name, host, RemediationMode.AUTO, call, done, done.dry_run, None, undo)

    def _notify(self, firing: Firing, call: ActionCall, now: datetime) -> RuleOutcome | None:
        marker = AutoAction(f"notify:{call.action.value}", breach_request_id(firing), now)
        if self.auto_state is not None:
            seen = self.auto_state.history(now - _HISTORY)
            if any(a.action == marker.action and a.target == marker.target for a in seen):
                return None
            self.auto_state.record(marker)
        dry_run = self.remediation.dry_run(call)
        return RuleOutcome(firing.rule_name, firing.breach.host, RemediationMode.NOTIFY, call, None, dry_run)
