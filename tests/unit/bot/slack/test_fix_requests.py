"""Suggest fix for CPU or memory on an Auto Scaling group member, and the next step after a fix that did not help."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from adapters.clock import ManualClock
from adapters.memory.rule_firings import InMemoryRuleFirings
from adapters.simulated.cloud import SimulatedCloudActions
from bot.jobs.remediation_verification import build_verification_job
from bot.jobs.rule_actions import RuleActionJob
from bot.services import Services
from bot.slack.fix_requests import rule_call_for
from bot.slack.listeners.actions.next_step import ack_next_step, request_next_step
from bot.slack.listeners.actions.suggest_fix import suggest_fix
from bot.slack.verification_blocks import NEXT_STEP_ACTION
from detectors.rules.file import parse_rules_yaml
from domain.models import Anomaly, HostRef, MetricKind, Severity
from remediation.actions import ActionCall, ActionLimits, ActionName
from remediation.cloud_state import GroupState, InstanceState
from tests.unit.bot.simulated_services import GROUP
from tests.unit.bot.slack.fakes import FakeSlackClient, Recorder, RecordingChat

INCIDENT_TS = "1700000300.000300"
WEB1_ID = "i-0000000000a000000"
API1_ID = "i-0000000000a001eef"


@pytest.fixture
def cloud() -> SimulatedCloudActions:
    """web-asg at 2 of at most 6, with web-1 and api-1 (as the simulated fleet names them) its members."""
    members = tuple(
        InstanceState(instance_id=i, lifecycle_state="InService", health_status="Healthy") for i in (WEB1_ID, API1_ID)
    )
    return SimulatedCloudActions(
        {GROUP: GroupState(name=GROUP, desired_capacity=2, min_size=1, max_size=6, instances=members)}
    )


def host(services: Services, name: str) -> HostRef:
    assert services.metrics is not None
    return next(h for h in services.metrics.hosts() if h.name == name)


def incident(services: Services, name: str = "web-1", metric: MetricKind = MetricKind.CPU) -> Anomaly:
    now = services.clock.now()
    found = Anomaly(
        id=f"{name}-{metric.value}",
        host=host(services, name),
        metric=metric,
        detector="engine",
        severity=Severity.HIGH,
        score=6.0,
        value=96.0,
        started_at=now,
        updated_at=now,
    )
    services.anomalies.upsert(found)
    return found


def click(
    action_id: str, value: str, *, user: str, ts: str = INCIDENT_TS, thread_ts: str | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {"ts": ts} | ({"thread_ts": thread_ts} if thread_ts else {})
    return {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": "C_ALERTS"},
        "message": message,
        "actions": [{"action_id": action_id, "value": value}],
    }


def ephemeral(client: FakeSlackClient) -> str:
    return str(client.received("chat.postEphemeral")[-1]["text"])


def test_cpu_on_a_group_member_suggests_scaling_the_group_up_by_one_in_the_thread(
    services: Services, client: FakeSlackClient, respond: Recorder, context: dict[str, Any]
) -> None:
    found = incident(services)

    suggest_fix(click("incident_suggest_fix", found.id, user="U_ONCALL"), client, respond, context)

    [posted] = client.received("chat.postMessage")
    assert (INCIDENT_TS, "Approval needed: scale web-asg up by 1") == (posted["thread_ts"], posted["text"])
    [pending] = services.approvals.pending()
    assert ("U_ONCALL", ActionCall(action=ActionName.SCALE_UP, params={"group": GROUP, "by": 1})) == (
        pending.requested_by,
        pending.call,
    )


def test_memory_on_a_group_member_suggests_the_same(
    services: Services, client: FakeSlackClient, respond: Recorder, context: dict[str, Any]
) -> None:
    found = incident(services, "api-1", MetricKind.MEMORY)

    suggest_fix(click("incident_suggest_fix", found.id, user="U_ONCALL"), client, respond, context)

    assert ["scale_up"] == [r.call.action.value for r in services.approvals.pending()]


def test_a_group_at_its_max_size_is_refused_with_the_reason(
    services: Services,
    cloud: SimulatedCloudActions,
    client: FakeSlackClient,
    respond: Recorder,
    context: dict[str, Any],
) -> None:
    cloud.set_desired_capacity(GROUP, 6)
    found = incident(services)

    suggest_fix(click("incident_suggest_fix", found.id, user="U_ONCALL"), client, respond, context)

    assert "web-asg is already at its MaxSize of 6" in ephemeral(client)
    assert [] == services.approvals.pending()


@pytest.mark.parametrize(("name", "metric"), [("db-1", MetricKind.CPU), ("web-1", MetricKind.DISK)])
def test_no_fix_is_suggested_off_a_group_or_for_another_signal(
    services: Services,
    client: FakeSlackClient,
    respond: Recorder,
    context: dict[str, Any],
    name: str,
    metric: MetricKind,
) -> None:
    found = incident(services, name, metric)

    suggest_fix(click("incident_suggest_fix", found.id, user="U_ONCALL"), client, respond, context)

    assert ephemeral(client).startswith("I have no fix to suggest: no rule maps")
    assert [] == services.approvals.pending()


def test_the_next_step_after_a_restart_that_did_not_help_is_requested_in_the_same_thread(
    services: Services, clock: ManualClock, client: FakeSlackClient, respond: Recorder, context: dict[str, Any]
) -> None:
    assert services.remediation is not None
    found = incident(services)
    restart = ActionCall(action=ActionName.RESTART_SERVICE, params={"instance_id": WEB1_ID, "service": "nginx"})
    request = services.remediation.request(restart, "U_ONCALL")
    services.remediation.approve(request.id, "U_LEAD")
    job = build_verification_job(services.settings, services, RecordingChat())
    assert job is not None
    job(clock.now())  # builds the check, as the scheduled job does on its next tick
    ack = Recorder()
    ack_next_step(ack, context)

    request_next_step(
        click(NEXT_STEP_ACTION, request.id, user="U_ONCALL", ts="1.9", thread_ts="1.5"), client, respond, context
    )

    assert [{}] == ack.calls
    [posted] = client.received("chat.postMessage")
    assert ("1.5", "Approval needed: scale web-asg up by 1") == (posted["thread_ts"], posted["text"])
    assert [ActionName.SCALE_UP] == [r.call.action for r in services.approvals.pending()]
    assert found.host.instance_id == WEB1_ID


def test_a_next_step_for_an_unknown_check_is_refused_in_words(
    client: FakeSlackClient, respond: Recorder, context: dict[str, Any]
) -> None:
    request_next_step(click(NEXT_STEP_ACTION, "nope", user="U_ONCALL"), client, respond, context)

    assert "I can't find the check of request `nope`" in ephemeral(client)


def test_a_rule_written_for_other_hosts_is_not_offered_as_their_fix(services: Services) -> None:
    assert services.remediation is not None
    assert services.metrics is not None
    rules = parse_rules_yaml(
        "rules:\n  - name: web-restart\n    rule: cpu > 90% for 3m on web-* then restart_service nginx\n"
    )
    job = RuleActionJob(
        metrics=services.metrics,
        remediation=services.remediation,
        approvals=services.remediation.store,
        policy=services.remediation.policy,
        cloud=services.remediation.cloud,
        rules=rules,
        limits=ActionLimits(),
        firings=InMemoryRuleFirings(),
    )
    with_rules = replace(services, rule_actions=job)

    web = rule_call_for(with_rules, MetricKind.CPU, host(services, "web-1"))
    api = rule_call_for(with_rules, MetricKind.CPU, host(services, "api-1"))

    assert web is not None
    assert web.action is ActionName.RESTART_SERVICE
    assert api is None
