"""Rules in auto, approve and notify mode over a simulated fleet: one action per breach, brakes, fallbacks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.clock import ManualClock
from adapters.memory.approvals import InMemoryApprovalStore
from adapters.memory.auto_state import InMemoryAutoRemediationState
from adapters.memory.rule_firings import InMemoryRuleFirings
from adapters.simulated.cloud import SimulatedCloudActions
from adapters.simulated.metrics import SimulatedMetrics
from bot.jobs.rule_actions import RuleActionJob
from detectors.rules.file import parse_rules_yaml
from domain.errors import CloudActionFailed
from remediation.actions import ActionLimits, ActionName
from remediation.approval import ApprovalState
from remediation.brakes import AutoPolicy, RateLimit, RemediationMode
from remediation.cloud_state import GroupState
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests.factories import remediation_service, simulated_cloud
from tests.fakes.audit import RecordingAudit

T0 = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
M = timedelta(minutes=1)
LIMITS = ActionLimits(allowed_services=frozenset({"nginx"}), max_scale_step=2)
RULES = """
rules:
  - name: web-hot
    rule: cpu > 90% for 3m on web-1 then scale_up web-asg by 1
    mode: {mode}
"""


class FailingCloud(SimulatedCloudActions):
    def set_desired_capacity(self, name: str, desired: int) -> None:  # noqa: ARG002 - the port's signature
        raise CloudActionFailed("set_desired_capacity", "Throttling: Rate exceeded", code="Throttling")


class World:
    def __init__(self, mode: str = "auto", *, cloud: SimulatedCloudActions | None = None, per_hour: int = 1) -> None:
        start = T0.timestamp()
        fleet = FleetModel(
            5,
            (
                Incident(IncidentKind.CPU_SATURATION, "web-1", start - 10 * 60, 15 * 60),
                Incident(IncidentKind.CPU_SATURATION, "web-1", start + 8 * 60, 20 * 60),
            ),
        )
        self.clock = ManualClock(T0)
        self.cloud = cloud or simulated_cloud()
        self.audit = RecordingAudit()
        self.store = InMemoryApprovalStore()
        self.state = InMemoryAutoRemediationState()
        self.remediation = remediation_service(
            store=self.store, cloud=self.cloud, audit=self.audit, limits=LIMITS, clock=self.clock
        )
        self.metrics = SimulatedMetrics(fleet, self.clock)
        self.rules = parse_rules_yaml(RULES.format(mode=mode))
        self.policy = AutoPolicy(per_target={"scale_up": RateLimit(count=per_hour, window_seconds=3600)})
        self.firings = InMemoryRuleFirings()
        self.job = self.new_job()

    def new_job(self) -> RuleActionJob:
        return RuleActionJob(
            metrics=self.metrics,
            remediation=self.remediation,
            approvals=self.remediation.store,
            policy=self.remediation.policy,
            cloud=self.remediation.cloud,
            rules=self.rules,
            limits=LIMITS,
            auto_state=self.state,
            auto_policy=self.policy,
            firings=self.firings,
        )

    def at(self, offset: timedelta) -> datetime:
        self.clock.advance(T0 + offset - self.clock.now())
        return self.clock.now()

    @property
    def desired(self) -> int:
        return self.cloud.describe_group("web-asg").desired_capacity


def test_auto_rule_runs_once_approved_by_the_policy() -> None:
    world = World("auto")

    outcomes = world.job.run_with_outcomes(world.at(0 * M))
    again = world.job.run_with_outcomes(world.at(1 * M))

    assert [RemediationMode.AUTO] == [o.mode for o in outcomes]
    request = outcomes[0].request
    assert request is not None
    assert ApprovalState.SUCCEEDED == request.state
    assert "policy:web-hot" == request.decided_by
    assert 3 == world.desired
    assert [] == again
    assert ("approved", "policy:web-hot") in [(e.event, e.actor) for e in world.audit.events]
    undo = outcomes[0].undo
    assert undo is not None
    assert (ActionName.SCALE_TO, {"group": "web-asg", "desired": 2}) == (undo.action, undo.params)


def test_a_second_breach_inside_the_rate_window_becomes_an_approval_request() -> None:
    world = World("auto")
    world.job.run_with_outcomes(world.at(0 * M))

    outcomes = world.job.run_with_outcomes(world.at(12 * M))

    assert [RemediationMode.APPROVE] == [o.mode for o in outcomes]
    assert outcomes[0].brake is not None
    assert "rate limit" in outcomes[0].brake
    assert outcomes[0].request is not None
    assert ApprovalState.PENDING == outcomes[0].request.state
    assert 3 == world.desired


def test_the_kill_switch_stops_the_next_automatic_action() -> None:
    world = World("auto")
    world.state.set_kill_switch(True, by="U_LEAD")

    outcomes = world.job.run_with_outcomes(world.at(0 * M))

    assert [RemediationMode.APPROVE] == [o.mode for o in outcomes]
    assert "kill switch" in str(outcomes[0].brake)
    assert 2 == world.desired


def test_a_failed_action_starts_the_cool_down() -> None:
    cloud = FailingCloud({"web-asg": GroupState(name="web-asg", desired_capacity=2, min_size=1, max_size=6)})
    world = World("auto", cloud=cloud, per_hour=5)

    first = world.job.run_with_outcomes(world.at(0 * M))
    second = world.job.run_with_outcomes(world.at(12 * M))

    assert first[0].request is not None
    assert ApprovalState.FAILED == first[0].request.state
    assert [RemediationMode.APPROVE] == [o.mode for o in second]
    assert "cool-down after the failed scale_up on web-asg" in str(second[0].brake)


def test_notify_mode_says_what_would_run_and_runs_nothing() -> None:
    world = World("notify")

    outcomes = world.job.run_with_outcomes(world.at(0 * M))
    again = world.new_job().run_with_outcomes(world.at(1 * M))

    assert [RemediationMode.NOTIFY] == [o.mode for o in outcomes]
    assert outcomes[0].request is None
    assert "desired capacity 2 → 3" in outcomes[0].dry_run
    assert [] == again
    assert 2 == world.desired
    assert [] == world.store.pending()


def test_approve_mode_waits_for_a_person() -> None:
    world = World("approve")

    outcomes = world.job.run_with_outcomes(world.at(0 * M))

    assert [RemediationMode.APPROVE] == [o.mode for o in outcomes]
    assert outcomes[0].brake is None
    assert 2 == world.desired


def test_two_replicas_acting_on_the_same_breach_run_it_once() -> None:
    world = World("auto")
    replica = world.new_job()

    first = world.job.run_with_outcomes(world.at(0 * M))
    second = replica.run_with_outcomes(world.at(0 * M))

    assert 1 == len([o for o in [*first, *second] if not o.repeat])
    assert 3 == world.desired
    assert 1 == [e.event for e in world.audit.events].count("executing")


@pytest.mark.parametrize("mode", ["sometimes", "AUTO!"])
def test_unknown_modes_are_refused_in_the_rules_file(mode: str) -> None:
    from domain.errors import ConfigError

    with pytest.raises(ConfigError, match="mode must be one of approve, auto, notify"):
        parse_rules_yaml(RULES.format(mode=mode))


def test_auto_mode_needs_an_action() -> None:
    from domain.errors import ConfigError

    with pytest.raises(ConfigError, match="needs a 'then <action>'"):
        parse_rules_yaml("rules:\n  - name: x\n    rule: cpu > 90% for 3m\n    mode: auto\n")


def test_undo_scales_back_down_once_approved_by_an_approver() -> None:
    from domain.errors import NotAllowedToApprove

    world = World("auto")
    request = world.job.run_with_outcomes(world.at(0 * M))[0].request
    assert request is not None

    with pytest.raises(NotAllowedToApprove):
        world.remediation.undo(request.id, "U_RANDOM")
    undone = world.remediation.undo(request.id, "U_LEAD")
    again = world.remediation.undo(request.id, "U_LEAD")

    assert ApprovalState.SUCCEEDED == undone.state
    assert 2 == world.desired
    assert undone.id == again.id
    assert 1 == [e.event for e in world.audit.events if e.request_id == undone.id].count("executing")


def test_only_automatic_scale_ups_can_be_undone() -> None:
    from domain.errors import ActionNotAllowed

    world = World("approve")
    request = world.job.run_with_outcomes(world.at(0 * M))[0].request
    assert request is not None
    with pytest.raises(ActionNotAllowed, match="only a succeeded automatic scale-up"):
        world.remediation.undo(request.id, "U_LEAD")
