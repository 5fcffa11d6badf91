"""Approval-gated remediation against moto (server mode) and Redis: every rule of the state machine, end to end."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from adapters.aws.cloud_actions import AwsCloudActions
from adapters.clock import ManualClock
from bot.config.settings import AuditSettings, AwsSettings, RedisSettings, RemediationSettings, Settings
from bot.services import Services
from bot.wiring import build_services
from domain.errors import (
    ActionNotAllowed,
    ApprovalExpired,
    AuditWriteFailed,
    CloudActionFailed,
    InvalidTransition,
    NotAllowedToApprove,
)
from remediation import actions
from remediation.actions import ActionCall
from remediation.approval import ApprovalState
from remediation.service import RemediationService
from tests.integration.moto_aws import REGION, client, create_group, desired_capacity, run_instances

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def audit_lines(settings: Settings) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted(settings.audit.dir.glob("audit-*.jsonl"))
        for line in path.read_text().splitlines()
    ]


@pytest.fixture
def settings(aws_env: str, redis_url: str, tmp_path: Path) -> Settings:
    return Settings(
        aws=AwsSettings(endpoint_url=aws_env),
        redis=RedisSettings(url=redis_url),
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(
            approvers={
                "scale_up": ["U_LEAD", "U_SRE"],
                "scale_to": ["U_LEAD", "S_ONCALL"],
                "restart_service": ["U_LEAD", "U_SRE"],
            },
            allowed_services=["nginx", "api"],
            risky_scale_to_above=3,
            poll_seconds=0.05,
            command_polls=20,
        ),
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def services(settings: Settings, clock: ManualClock) -> Services:
    return build_services(settings, clock=clock)


def remediation_of(services: Services) -> RemediationService:
    assert services.remediation is not None
    return services.remediation


def scale_up(by: int = 1) -> ActionCall:
    return actions.scale_up(group="web-asg", by=by, limits=actions.ActionLimits(max_scale_step=2))


def test_allowed_approver_runs_the_action_and_every_step_is_in_the_audit_file(
    services: Services, settings: Settings, aws_env: str
) -> None:
    create_group(aws_env)
    rem = remediation_of(services)
    request = rem.request(scale_up(), "U_ONCALL")
    assert "desired capacity 2 → 3" in request.dry_run
    assert 2 == desired_capacity(aws_env)

    done = rem.approve(request.id, "U_LEAD")

    assert ApprovalState.SUCCEEDED == done.state
    assert 3 == desired_capacity(aws_env)
    lines = audit_lines(settings)
    assert [f"audit-{T0:%Y-%m-%d}.jsonl"] == [p.name for p in settings.audit.dir.iterdir()]
    assert [
        ("requested", "U_ONCALL", ()),
        ("approved", "U_LEAD", ("U_LEAD",)),
        ("executing", "smartcloudops", ("U_LEAD",)),
        ("succeeded", "smartcloudops", ("U_LEAD",)),
    ] == [(e["event"], e["actor"], tuple(e["approvers"])) for e in lines]
    last = lines[-1]
    assert (request.id, "scale_up", "web-asg", "U_ONCALL") == (
        last["request_id"],
        last["action"],
        last["target"],
        last["requester"],
    )
    assert {"group": "web-asg", "by": 1} == last["params"]
    assert request.dry_run == last["dry_run"]
    assert "web-asg desired capacity 2 → 3" == last["result"]
    assert "2026-03-01T09:30:00Z" == last["timestamp"]


def test_wrong_user_and_requester_are_refused_and_nothing_runs(
    services: Services, settings: Settings, aws_env: str
) -> None:
    create_group(aws_env)
    rem = remediation_of(services)
    request = rem.request(scale_up(), "U_LEAD")

    with pytest.raises(NotAllowedToApprove, match="not on the approver list"):
        rem.approve(request.id, "U_MALLORY")
    with pytest.raises(NotAllowedToApprove, match="someone else"):
        rem.approve(request.id, "U_LEAD")
    with pytest.raises(NotAllowedToApprove):
        rem.approve(request.id, "U_MALLORY", user_groups=["S_UNRELATED"])

    assert ApprovalState.PENDING == rem.get(request.id).state
    assert 2 == desired_capacity(aws_env)
    assert [("refused", "U_MALLORY"), ("refused", "U_LEAD"), ("refused", "U_MALLORY")] == [
        (e["event"], e["actor"]) for e in audit_lines(settings)[1:]
    ]


def test_user_group_membership_allows_approval(services: Services, aws_env: str) -> None:
    create_group(aws_env)
    rem = remediation_of(services)
    request = rem.request(actions.scale_to(group="web-asg", desired=3), "U_REQ")

    done = rem.approve(request.id, "U_OTHER", user_groups=["S_ONCALL"])

    assert (ApprovalState.SUCCEEDED, 3) == (done.state, desired_capacity(aws_env))


def test_expired_request_cannot_be_approved(
    services: Services, settings: Settings, clock: ManualClock, aws_env: str
) -> None:
    create_group(aws_env)
    rem = remediation_of(services)
    request = rem.request(scale_up(), "U_REQ")
    clock.advance(timedelta(minutes=15))

    with pytest.raises(ApprovalExpired):
        rem.approve(request.id, "U_LEAD")
    with pytest.raises(ApprovalExpired):
        rem.approve(request.id, "U_SRE")

    assert ApprovalState.EXPIRED == rem.get(request.id).state
    assert 2 == desired_capacity(aws_env)
    assert ["requested", "expired"] == [e["event"] for e in audit_lines(settings)]


def test_replayed_approval_after_execution_runs_nothing(services: Services, settings: Settings, aws_env: str) -> None:
    create_group(aws_env)
    rem = remediation_of(services)
    request = rem.request(scale_up(), "U_REQ")
    rem.approve(request.id, "U_LEAD")

    for user in ("U_LEAD", "U_SRE"):
        with pytest.raises((InvalidTransition, NotAllowedToApprove)):
            rem.approve(request.id, user)

    assert 3 == desired_capacity(aws_env)
    assert 1 == [e["event"] for e in audit_lines(settings)].count("executing")


def test_parameters_tampered_in_redis_are_refused(
    services: Services, settings: Settings, redis_url: str, aws_env: str
) -> None:
    create_group(aws_env)
    rem = remediation_of(services)
    request = rem.request(scale_up(1), "U_REQ")
    r = redis.Redis.from_url(redis_url)
    key = f"sco:{{approvals}}:r:{request.id}"
    stored = json.loads(r.hget(key, "json") or b"{}")
    stored["call"]["params"]["by"] = 2
    r.hset(key, "json", json.dumps(stored))

    with pytest.raises(ActionNotAllowed, match="fingerprint"):
        rem.approve(request.id, "U_LEAD")

    assert 2 == desired_capacity(aws_env)
    assert ("refused", "U_LEAD") == (audit_lines(settings)[-1]["event"], audit_lines(settings)[-1]["actor"])


def test_tampering_that_also_rewrites_the_fingerprint_is_caught_by_the_button_fingerprint(
    services: Services, redis_url: str, aws_env: str
) -> None:
    create_group(aws_env)
    rem = remediation_of(services)
    request = rem.request(scale_up(1), "U_REQ")
    forged_call = scale_up(2)
    r = redis.Redis.from_url(redis_url)
    key = f"sco:{{approvals}}:r:{request.id}"
    stored = json.loads(r.hget(key, "json") or b"{}")
    stored["call"] = forged_call.model_dump(mode="json")
    stored["fingerprint"] = forged_call.fingerprint()
    r.hset(key, "json", json.dumps(stored))

    with pytest.raises(ActionNotAllowed, match="does not match"):
        rem.approve(request.id, "U_LEAD", expected_fingerprint=request.fingerprint)

    assert 2 == desired_capacity(aws_env)


def test_risky_scale_needs_two_distinct_approvers(services: Services, settings: Settings, aws_env: str) -> None:
    create_group(aws_env)
    rem = remediation_of(services)
    request = rem.request(actions.scale_to(group="web-asg", desired=4), "U_REQ")
    assert 2 == request.required_approvals

    once = rem.approve(request.id, "U_LEAD")
    assert (ApprovalState.PENDING, 2) == (once.state, desired_capacity(aws_env))
    with pytest.raises(NotAllowedToApprove, match="already approved"):
        rem.approve(request.id, "U_LEAD")
    assert 2 == desired_capacity(aws_env)
    done = rem.approve(request.id, "U_OPS", user_groups=["S_ONCALL"])

    assert (ApprovalState.SUCCEEDED, 4) == (done.state, desired_capacity(aws_env))
    assert ["U_LEAD", "U_OPS"] == audit_lines(settings)[-1]["approvers"]


def test_twenty_concurrent_approvals_on_two_replicas_execute_once(
    settings: Settings, clock: ManualClock, aws_env: str
) -> None:
    create_group(aws_env)
    replicas = [remediation_of(build_services(settings, clock=clock)) for _ in range(2)]
    request = replicas[0].request(scale_up(), "U_REQ")
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def click(n: int) -> None:
        barrier.wait()
        try:
            outcomes.append(replicas[n % 2].approve(request.id, "U_LEAD" if n % 3 else "U_SRE").state.value)
        except (InvalidTransition, NotAllowedToApprove) as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=click, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert 3 == desired_capacity(aws_env)
    assert 1 == outcomes.count("succeeded")
    assert 20 == len(outcomes)
    assert 1 == [e["event"] for e in audit_lines(settings)].count("executing")


def test_aws_error_during_execution_fails_the_request_with_the_reason(
    services: Services, settings: Settings, aws_env: str
) -> None:
    create_group(aws_env)
    rem = remediation_of(services)
    request = rem.request(scale_up(), "U_REQ")
    client(aws_env, "autoscaling").delete_auto_scaling_group(AutoScalingGroupName="web-asg", ForceDelete=True)

    done = rem.approve(request.id, "U_LEAD")

    assert ApprovalState.FAILED == done.state
    last = audit_lines(settings)[-1]
    assert ("failed", request.id) == (last["event"], last["request_id"])
    assert "Auto Scaling group 'web-asg' not found" in last["error"]


def test_max_size_lowered_after_the_request_is_refused_at_execution(
    services: Services, settings: Settings, aws_env: str
) -> None:
    """moto accepts a desired capacity above MaxSize; the product's own check refuses it from live state."""
    create_group(aws_env)
    rem = remediation_of(services)
    request = rem.request(scale_up(2), "U_REQ")
    client(aws_env, "autoscaling").update_auto_scaling_group(AutoScalingGroupName="web-asg", MaxSize=3)

    done = rem.approve(request.id, "U_LEAD")

    assert ApprovalState.FAILED == done.state
    assert "above its MaxSize of 3" in (done.error or "")
    assert 2 == desired_capacity(aws_env)


def test_scale_above_max_size_is_refused_at_request_time(services: Services, aws_env: str) -> None:
    create_group(aws_env, max_size=3)
    with pytest.raises(ActionNotAllowed, match="MaxSize"):
        remediation_of(services).request(scale_up(2), "U_REQ")
    client(aws_env, "autoscaling").set_desired_capacity(AutoScalingGroupName="web-asg", DesiredCapacity=9)
    assert 9 == desired_capacity(aws_env)  # what moto itself allows


def test_unknown_group_is_a_clear_error_not_a_server_error(aws_env: str) -> None:
    cloud = AwsCloudActions.from_endpoint(region=REGION, endpoint_url=aws_env)

    with pytest.raises(CloudActionFailed, match="'no-such-asg' not found"):
        cloud.describe_group("no-such-asg")
    with pytest.raises(CloudActionFailed):
        cloud.set_desired_capacity("no-such-asg", 1)


def test_restart_service_runs_through_ssm_and_its_status_is_polled(
    services: Services, settings: Settings, aws_env: str
) -> None:
    target, bystander = run_instances(aws_env, count=2)
    rem = remediation_of(services)
    call = actions.restart_service(instance_id=target, service="nginx", limits=services.tools.limits)
    request = rem.request(call, "U_REQ")
    assert f"on 1 instance(s): {target} (running, " in request.dry_run

    done = rem.approve(request.id, "U_SRE")

    assert ApprovalState.SUCCEEDED == done.state
    commands = client(aws_env, "ssm").list_commands()["Commands"]
    assert 1 == len(commands)
    command = commands[0]
    assert ("AWS-RunShellScript", ["systemctl restart nginx"]) == (
        command["DocumentName"],
        command["Parameters"]["commands"],
    )
    # moto lists every instance of the account on the command; only the requested one was polled.
    assert {target, bystander} == set(command["InstanceIds"])
    assert f"{target}: command {command['CommandId']} Success" == done.result
    assert bystander not in (done.result or "")
    assert ("succeeded", target) == (audit_lines(settings)[-1]["event"], audit_lines(settings)[-1]["target"])


def test_restart_on_two_hosts_needs_quorum_and_runs_on_both(services: Services, aws_env: str) -> None:
    first, second = run_instances(aws_env, count=2)
    rem = remediation_of(services)
    call = actions.restart_service(instance_ids=[first, second], service="api", limits=services.tools.limits)
    request = rem.request(call, "U_REQ")

    assert ApprovalState.PENDING == rem.approve(request.id, "U_LEAD").state
    assert [] == client(aws_env, "ssm").list_commands()["Commands"]
    done = rem.approve(request.id, "U_SRE")

    assert ApprovalState.SUCCEEDED == done.state
    assert 2 == len(client(aws_env, "ssm").list_commands()["Commands"])


def test_restart_on_a_stopped_or_unknown_instance_is_refused(services: Services, aws_env: str) -> None:
    (instance,) = run_instances(aws_env)
    client(aws_env, "ec2").stop_instances(InstanceIds=[instance])
    rem = remediation_of(services)
    limits = services.tools.limits

    with pytest.raises(ActionNotAllowed, match="not running"):
        rem.request(actions.restart_service(instance_id=instance, service="nginx", limits=limits), "U_REQ")
    with pytest.raises(ActionNotAllowed, match="not found"):
        rem.request(actions.restart_service(instance_id="i-0000000000000dead", service="nginx", limits=limits), "U_R")
    with pytest.raises(ActionNotAllowed, match="allowlist"):
        actions.restart_service(instance_id=instance, service="sshd", limits=limits)


def test_instance_stopped_after_approval_request_fails_without_sending(
    services: Services, settings: Settings, aws_env: str
) -> None:
    (instance,) = run_instances(aws_env)
    rem = remediation_of(services)
    request = rem.request(
        actions.restart_service(instance_id=instance, service="nginx", limits=services.tools.limits), "U_REQ"
    )
    client(aws_env, "ec2").stop_instances(InstanceIds=[instance])

    done = rem.approve(request.id, "U_LEAD")

    assert ApprovalState.FAILED == done.state
    assert "not running" in (done.error or "")
    assert [] == client(aws_env, "ssm").list_commands()["Commands"]


def test_audit_write_failure_stops_the_action(services: Services, settings: Settings, aws_env: str) -> None:
    create_group(aws_env)
    rem = remediation_of(services)
    request = rem.request(scale_up(), "U_REQ")
    day_file = settings.audit.dir / f"audit-{T0:%Y-%m-%d}.jsonl"
    day_file.rename(settings.audit.dir / "kept.jsonl")
    day_file.mkdir()  # the day's file can no longer be appended to

    with pytest.raises(AuditWriteFailed, match="cannot write audit log"):
        rem.approve(request.id, "U_LEAD")

    assert 2 == desired_capacity(aws_env)
    assert ApprovalState.FAILED == rem.get(request.id).state
