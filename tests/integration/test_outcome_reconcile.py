"""A scale-up left ``executing`` (the process died after AWS applied it) is finished from the real group on moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.aws.cloud_actions import AwsCloudActions
from adapters.clock import ManualClock
from adapters.files.audit import JsonlAuditSink, read_records
from adapters.memory.approvals import InMemoryApprovalStore
from bot.jobs.reconcile import audit_events
from remediation.approval import ApprovalRequest, ApprovalState
from remediation.reconcile import OutcomeReconciler
from remediation.trail import SYSTEM_ACTOR, ApprovalTrail
from tests.factories import approval_request, scale_up_call
from tests.integration.moto_aws import client, create_group

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def left_executing(group: str, store: InMemoryApprovalStore, trail: ApprovalTrail) -> ApprovalRequest:
    request = approval_request(
        request_id=f"req-{group}",
        call=scale_up_call(group=group),
        at=START,
        state=ApprovalState.EXECUTING,
        dry_run=f"{group}: desired capacity 2 → 3 (MinSize 1, MaxSize 5)",
    )
    store.add(request)
    trail.record(request, "executing", actor=SYSTEM_ACTOR)
    return request


def test_an_applied_scale_up_left_executing_is_finished_succeeded_and_an_unapplied_one_failed(
    aws_env: str, tmp_path: Path
) -> None:
    create_group(aws_env, "reconcile-applied", desired=2)
    create_group(aws_env, "reconcile-lost", desired=2)
    client(aws_env, "autoscaling").set_desired_capacity(AutoScalingGroupName="reconcile-applied", DesiredCapacity=3)
    store, clock = InMemoryApprovalStore(), ManualClock(START + timedelta(minutes=10))
    trail = ApprovalTrail(store=store, audit=JsonlAuditSink(tmp_path), clock=clock, sleep=lambda _s: None)
    for group in ("reconcile-applied", "reconcile-lost"):
        left_executing(group, store, trail)
    reconciler = OutcomeReconciler(
        store=store,
        cloud=AwsCloudActions.from_endpoint(region="us-east-1", endpoint_url=aws_env),
        trail=trail,
        clock=clock,
        audit_events=lambda: audit_events(tmp_path),
        stale_after=timedelta(minutes=2),
    )

    reconciler.run_once()

    applied, lost = store.get("req-reconcile-applied"), store.get("req-reconcile-lost")
    assert applied is not None
    assert lost is not None
    assert (ApprovalState.SUCCEEDED, ApprovalState.FAILED) == (applied.state, lost.state)
    assert "still 2: the change was not applied" in (lost.error or "")
    lines = [(r["request_id"], r["event"]) for r in read_records(tmp_path) if r["event"] != "executing"]
    assert [
        ("req-reconcile-applied", "reconciled"),
        ("req-reconcile-applied", "succeeded"),
        ("req-reconcile-lost", "reconciled"),
        ("req-reconcile-lost", "failed"),
    ] == lines
    assert [] == reconciler.run_once()
