"""RemediationService over in-memory stores and simulated AWS: each step audited, nothing runs unapproved."""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.clock import ManualClock
from adapters.files.audit import JsonlAuditSink
from adapters.simulated.cloud import SimulatedCloudActions
from domain.errors import (
    ActionNotAllowed,
    ApprovalExpired,
    AuditWriteFailed,
    CloudActionFailed,
    InvalidTransition,
    NotAllowedToApprove,
)
from remediation import actions
from remediation.actions import ActionLimits
from remediation.approval import ApprovalState
from remediation.cloud_state import GroupState, InstanceState
from remediation.ports import AuditEvent
from remediation.service import RemediationService
from tests.factories import remediation_service, simulated_cloud
from tests.fakes.audit import FailingAudit, RecordingAudit

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
LIMITS = ActionLimits(allowed_services=frozenset({"nginx"}), max_scale_step=2)
I1, I2, I3 = "i-0000000000000000a", "i-0000000000000000b", "i-0000000000000000c"
RUNNING_1 = InstanceState(instance_id=I1, lifecycle_state="running", health_status="ok")
RUNNING_2 = InstanceState(instance_id=I2, lifecycle_state="running", health_status="ok")
STOPPED = InstanceState(instance_id=I3, lifecycle_state="stopped", health_status="not-applicable")


class FailingCloud(SimulatedCloudActions):
    def set_desired_capacity(self, name: str, desired: int) -> None:
        raise CloudActionFailed(
            "set_desired_capacity", f"Throttling: Rate exceeded ({name} → {desired})", code="Throttling"
        )


class SlowCommandCloud(SimulatedCloudActions):
    """SSM commands report InProgress ``polls_until_done`` times, then ``final``."""

    def __init__(self, polls_until_done: int, final: str = "Success") -> None:
        super().__init__({}, instances=[RUNNING_1, RUNNING_2, STOPPED])
        self.polls_until_done = polls_until_done
        self.final = final
        self.polls: dict[str, int] = {}
        self.sent: list[tuple[str, str]] = []

    def send_restart(self, instance_id: str, service: str) -> str:
        self.sent.append((instance_id, service))
        return super().send_restart(instance_id, service)

    def command_status(self, command_id: str, instance_id: str) -> str:
        self.polls[command_id] = self.polls.get(command_id, 0) + 1
        if self.polls[command_id] <= self.polls_until_done:
            return "InProgress"
        return self.final if super().command_status(command_id, instance_id) == "Success" else "Failed"


def make(
    audit: RecordingAudit | None = None, cloud: SimulatedCloudActions | None = None
) -> tuple[RemediationService, RecordingAudit, SimulatedCloudActions, ManualClock]:
    audit = audit or RecordingAudit()
    cloud = cloud or simulated_cloud(max_size=5)
    clock = ManualClock(T0)
    service = remediation_service(
        cloud=cloud,
        audit=audit,
        approvers={
            "scale_up": ["U_LEAD", "U_SRE"],
            "scale_to": ["S_ONCALL"],
            "restart_service": ["U_LEAD", "U_SRE", "U_REQ"],
        },
        limits=LIMITS,
        clock=clock,
        sleep=lambda seconds: clock.advance(timedelta(seconds=seconds)),
    )
    return service, audit, cloud, clock


def test_approved_request_runs_once_and_every_step_is_audited() -> None:
    service, audit, cloud, _ = make()
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    assert 2 == cloud.describe_group("web-asg").desired_capacity

    done = service.approve(request.id, "U_LEAD")

    assert ApprovalState.SUCCEEDED == done.state
    assert 3 == cloud.describe_group("web-asg").desired_capacity
    assert ["requested", "approved", "executing", "succeeded"] == [e.event for e in audit.events]
    assert "desired capacity 2 → 3" in request.dry_run


def test_user_group_membership_counts_as_allowed() -> None:
    service, _, _, _ = make()
    request = service.request(actions.scale_to(group="web-asg", desired=3), "U_REQ")
    with pytest.raises(NotAllowedToApprove):
        service.approve(request.id, "U_X")
    assert ApprovalState.SUCCEEDED == service.approve(request.id, "U_X", user_groups=["S_ONCALL"]).state


def test_second_approve_after_execution_is_refused_and_nothing_runs_twice() -> None:
    service, _, cloud, _ = make()
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    service.approve(request.id, "U_LEAD")
    with pytest.raises(Exception, match="cannot become approved"):
        service.approve(request.id, "U_SRE")
    assert 3 == cloud.describe_group("web-asg").desired_capacity


def test_concurrent_approvals_execute_exactly_once() -> None:
    service, audit, cloud, _ = make()
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    barrier = threading.Barrier(20)

    def click(user: str) -> None:
        barrier.wait()
        with contextlib.suppress(InvalidTransition, NotAllowedToApprove):
            service.approve(request.id, user)

    threads = [threading.Thread(target=click, args=("U_LEAD" if n % 2 else "U_SRE",)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 3 == cloud.describe_group("web-asg").desired_capacity
    assert 1 == [e.event for e in audit.events].count("executing")


def test_expired_request_cannot_be_approved_and_is_audited_as_expired() -> None:
    service, audit, cloud, clock = make()
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    clock.advance(timedelta(minutes=16))
    with pytest.raises(ApprovalExpired):
        service.approve(request.id, "U_LEAD")
    assert ApprovalState.EXPIRED == service.get(request.id).state
    assert "expired" == audit.events[-1].event
    assert 2 == cloud.describe_group("web-asg").desired_capacity


def test_expire_due_sweeps_only_overdue_requests() -> None:
    service, _, _, clock = make()
    old = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    clock.advance(timedelta(minutes=10))
    fresh = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    clock.advance(timedelta(minutes=6))
    assert [old.id] == [r.id for r in service.expire_due()]
    assert ApprovalState.PENDING == service.get(fresh.id).state


def test_aws_error_marks_the_request_failed_with_the_reason() -> None:
    cloud = FailingCloud({"web-asg": GroupState(name="web-asg", desired_capacity=2, min_size=1, max_size=5)})
    service, audit, _, _ = make(cloud=cloud)
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    done = service.approve(request.id, "U_LEAD")
    assert ApprovalState.FAILED == done.state
    assert "Throttling" in (audit.events[-1].error or "")


def test_action_does_not_run_when_the_audit_log_cannot_be_written() -> None:
    service, _, cloud, _ = make(audit=FailingAudit("executing"))
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    with pytest.raises(AuditWriteFailed):
        service.approve(request.id, "U_LEAD")
    assert 2 == cloud.describe_group("web-asg").desired_capacity
    assert ApprovalState.FAILED == service.get(request.id).state


def test_request_above_max_size_is_refused_at_request_time() -> None:
    service, audit, _, _ = make()
    with pytest.raises(Exception, match="MaxSize"):
        service.request(actions.scale_to(group="web-asg", desired=6), "U_REQ")
    assert [] == audit.events


def test_jsonl_audit_rotates_by_utc_day(tmp_path: Path) -> None:
    sink = JsonlAuditSink(tmp_path)
    for day in (1, 1, 2):
        sink.record(
            AuditEvent(
                timestamp=datetime(2026, 1, day, 23, 59, tzinfo=UTC),
                event="requested",
                request_id="r",
                action="scale_up",
                params={"group": "g", "by": 1},
                requester="U",
                actor="U",
            )
        )
    assert ["audit-2026-01-01.jsonl", "audit-2026-01-02.jsonl"] == sorted(p.name for p in tmp_path.iterdir())
    assert 2 == len((tmp_path / "audit-2026-01-01.jsonl").read_text().splitlines())


def test_jsonl_audit_raises_when_it_cannot_write(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    sink = JsonlAuditSink(blocker)
    event = AuditEvent(timestamp=T0, event="requested", request_id="r", action="a", params={}, requester="U", actor="U")
    with pytest.raises(AuditWriteFailed, match="cannot write audit log"):
        sink.record(event)


def restart(*targets: str) -> actions.ActionCall:
    return actions.restart_service(instance_ids=targets, service="nginx", limits=LIMITS)


def test_restart_polls_the_command_until_it_ends_and_sleeps_between_polls() -> None:
    cloud = SlowCommandCloud(polls_until_done=3)
    service, audit, _, clock = make(cloud=cloud)
    request = service.request(restart(I1), "U_REQ")

    done = service.approve(request.id, "U_LEAD")

    assert ApprovalState.SUCCEEDED == done.state
    assert [(I1, "nginx")] == cloud.sent
    assert T0 + timedelta(seconds=6) == clock.now()
    assert "Success" in (audit.events[-1].result or "")
    assert I1 == audit.events[-1].target


def test_restart_that_never_finishes_is_failed_with_the_command_id() -> None:
    cloud = SlowCommandCloud(polls_until_done=1000)
    service, audit, _, _ = make(cloud=cloud)
    request = service.request(restart(I1), "U_REQ")

    done = service.approve(request.id, "U_LEAD")

    assert ApprovalState.FAILED == done.state
    assert "InProgress" in (done.error or "")
    assert "failed" == audit.events[-1].event


def test_restart_on_two_hosts_needs_two_approvers_and_then_runs_on_both() -> None:
    cloud = SlowCommandCloud(polls_until_done=0)
    service, audit, _, _ = make(cloud=cloud)
    request = service.request(restart(I1, I2), "U_REQ")
    assert 2 == request.required_approvals

    first = service.approve(request.id, "U_LEAD")
    assert (ApprovalState.PENDING, []) == (first.state, cloud.sent)
    with pytest.raises(NotAllowedToApprove, match="already approved"):
        service.approve(request.id, "U_LEAD")
    done = service.approve(request.id, "U_SRE")

    assert ApprovalState.SUCCEEDED == done.state
    assert [(I1, "nginx"), (I2, "nginx")] == cloud.sent
    assert ("U_LEAD", "U_SRE") == audit.events[-1].approvers


def test_restart_on_a_stopped_or_unknown_instance_is_refused_at_request_time() -> None:
    service, audit, _, _ = make(cloud=SlowCommandCloud(polls_until_done=0))
    with pytest.raises(ActionNotAllowed, match="not running"):
        service.request(restart(I3), "U_REQ")
    with pytest.raises(ActionNotAllowed, match="not found"):
        service.request(restart("i-0000000000000000f"), "U_REQ")
    assert [] == audit.events


def test_requester_cannot_approve_even_when_listed_and_the_refusal_is_audited() -> None:
    cloud = SlowCommandCloud(polls_until_done=0)
    service, audit, _, _ = make(cloud=cloud)
    request = service.request(restart(I1), "U_REQ")

    with pytest.raises(NotAllowedToApprove, match="someone else"):
        service.approve(request.id, "U_REQ")

    assert ApprovalState.PENDING == service.get(request.id).state
    assert [] == cloud.sent
    assert ("refused", "U_REQ") == (audit.events[-1].event, audit.events[-1].actor)


def test_unlisted_user_is_refused_and_audited() -> None:
    service, audit, _, _ = make()
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")

    with pytest.raises(NotAllowedToApprove):
        service.approve(request.id, "U_MALLORY")

    assert ("refused", "U_MALLORY") == (audit.events[-1].event, audit.events[-1].actor)


def test_tampered_stored_parameters_are_refused_and_never_run() -> None:
    service, audit, cloud, _ = make()
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    tampered = request.model_copy(
        update={"call": actions.ActionCall(action=actions.ActionName.SCALE_UP, params={"group": "web-asg", "by": 3})}
    )
    assert service.store.compare_and_set(request.version, tampered.model_copy(update={"version": 1}))

    with pytest.raises(ActionNotAllowed, match="fingerprint"):
        service.approve(request.id, "U_LEAD")

    assert 2 == cloud.describe_group("web-asg").desired_capacity
    assert "refused" == audit.events[-1].event


def test_an_approval_for_another_fingerprint_is_refused() -> None:
    service, _, cloud, _ = make()
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")

    with pytest.raises(ActionNotAllowed, match="does not match"):
        service.approve(request.id, "U_LEAD", expected_fingerprint="0" * 64)
    done = service.approve(request.id, "U_LEAD", expected_fingerprint=request.fingerprint)

    assert ApprovalState.SUCCEEDED == done.state
    assert 3 == cloud.describe_group("web-asg").desired_capacity


def test_rejected_request_cannot_be_approved_afterwards() -> None:
    service, audit, cloud, _ = make()
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    service.reject(request.id, "U_SRE")

    with pytest.raises(InvalidTransition):
        service.approve(request.id, "U_LEAD")

    assert ["requested", "rejected"] == [e.event for e in audit.events]
    assert 2 == cloud.describe_group("web-asg").desired_capacity


def test_unlisted_user_cannot_reject_but_the_requester_can_withdraw() -> None:
    service, _, _, _ = make()
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    with pytest.raises(NotAllowedToApprove):
        service.reject(request.id, "U_MALLORY")

    assert ApprovalState.REJECTED == service.reject(request.id, "U_REQ").state


def test_expired_state_is_reported_as_expired_on_later_clicks() -> None:
    service, _, _, clock = make()
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    clock.advance(timedelta(minutes=15))
    service.expire_due()

    with pytest.raises(ApprovalExpired):
        service.approve(request.id, "U_LEAD")


def test_approval_is_not_executed_when_its_audit_entry_cannot_be_written() -> None:
    service, _, cloud, _ = make(audit=FailingAudit("approved"))
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")

    with pytest.raises(AuditWriteFailed):
        service.approve(request.id, "U_LEAD")

    assert 2 == cloud.describe_group("web-asg").desired_capacity
    assert ApprovalState.FAILED == service.get(request.id).state


def test_request_is_not_stored_when_its_audit_entry_cannot_be_written() -> None:
    service, _, _, _ = make(audit=FailingAudit("requested"))

    with pytest.raises(AuditWriteFailed):
        service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")

    assert [] == service.store.pending()


def test_audit_events_carry_target_state_and_dry_run() -> None:
    service, audit, _, _ = make()
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    service.approve(request.id, "U_LEAD")

    assert [("web-asg", "pending"), ("web-asg", "approved"), ("web-asg", "executing"), ("web-asg", "succeeded")] == [
        (e.target, e.state) for e in audit.events
    ]
    assert all(e.dry_run == request.dry_run for e in audit.events)


def test_only_the_requester_can_cancel_and_a_cancelled_request_never_runs() -> None:
    service, audit, cloud, _ = make()
    request = service.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ")
    with pytest.raises(NotAllowedToApprove, match="only the requester"):
        service.cancel(request.id, "U_LEAD")

    assert ApprovalState.CANCELLED == service.cancel(request.id, "U_REQ").state
    with pytest.raises(InvalidTransition):
        service.approve(request.id, "U_LEAD")
    with pytest.raises(InvalidTransition):
        service.cancel(request.id, "U_REQ")
    assert 2 == cloud.describe_group("web-asg").desired_capacity
    assert ["requested", "cancelled"] == [e.event for e in audit.events]
