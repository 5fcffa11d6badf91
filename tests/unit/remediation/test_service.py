"""RemediationService over in-memory stores and simulated AWS: each step audited, nothing runs unapproved."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.audit_file import JsonlAuditSink
from adapters.clock import ManualClock
from adapters.memory import InMemoryApprovalStore
from adapters.simulated_cloud import SimulatedCloudActions
from domain.errors import ApprovalExpired, AuditWriteFailed, CloudActionFailed, NotAllowedToApprove
from domain.ports import AuditEvent, GroupState
from remediation import actions
from remediation.actions import ActionLimits
from remediation.approval import ApprovalState
from remediation.policy import ApprovalPolicy
from remediation.service import RemediationService

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
LIMITS = ActionLimits(allowed_services=frozenset({"nginx"}), max_scale_step=2)


class ListAudit:
    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def record(self, event: AuditEvent) -> None:
        self.events.append(event)


class BrokenAudit(ListAudit):
    def __init__(self, fail_on: str) -> None:
        super().__init__()
        self.fail_on = fail_on

    def record(self, event: AuditEvent) -> None:
        if event.event == self.fail_on:
            raise AuditWriteFailed("disk full")
        super().record(event)


class FailingCloud(SimulatedCloudActions):
    def set_desired_capacity(self, name: str, desired: int) -> None:
        raise CloudActionFailed("set_desired_capacity", "Throttling: Rate exceeded", code="Throttling")


def make(
    audit: ListAudit | None = None, cloud: SimulatedCloudActions | None = None
) -> tuple[RemediationService, ListAudit, SimulatedCloudActions, ManualClock]:
    audit = audit or ListAudit()
    cloud = cloud or SimulatedCloudActions(
        {"web-asg": GroupState(name="web-asg", desired_capacity=2, min_size=1, max_size=5)}
    )
    clock = ManualClock(T0)
    service = RemediationService(
        store=InMemoryApprovalStore(),
        cloud=cloud,
        audit=audit,
        policy=ApprovalPolicy(
            approvers={"scale_up": frozenset({"U_LEAD", "U_SRE"}), "scale_to": frozenset({"S_ONCALL"})}
        ),
        limits=LIMITS,
        clock=clock,
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
        try:
            service.approve(request.id, user)
        except Exception:  # noqa: BLE001, S110 - losers of the race are refused; the count below is the point
            pass

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
    service, _, cloud, _ = make(audit=BrokenAudit(fail_on="executing"))
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
