"""Requests left ``executing``: finished from the audit log or the live group, with a trail and a message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.clock import ManualClock
from adapters.memory.approvals import InMemoryApprovalStore
from adapters.simulated.cloud import SimulatedCloudActions
from remediation.actions import ActionCall, ActionName
from remediation.approval import ApprovalRequest, ApprovalState, ShownIn
from remediation.cloud_state import GroupState
from remediation.ports import AuditEvent
from remediation.reconcile import OutcomeReconciler, Verdict, decide_outcome
from remediation.trail import ApprovalTrail
from tests.factories import approval_request
from tests.fakes.audit import RecordingAudit

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Posts:
    """The Notifier port, keeping what was posted."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, str]] = []

    def post(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:  # noqa: ARG002
        self.posted.append((channel, text))


def executing(call: ActionCall, *, dry_run: str = "web-asg: desired capacity 2 → 3") -> ApprovalRequest:
    return approval_request(
        request_id="req-1",
        call=call,
        at=START,
        state=ApprovalState.EXECUTING,
        dry_run=dry_run,
        version=3,
        shown_in=(ShownIn(channel="C_OPS", ts="1.1"),),
    )


SCALE = ActionCall(action=ActionName.SCALE_UP, params={"group": "web-asg", "by": 1})
RESTART = ActionCall(action=ActionName.RESTART_SERVICE, params={"instance_ids": "i-1", "service": "nginx"})


def group(desired: int) -> GroupState:
    return GroupState(name="web-asg", desired_capacity=desired, min_size=1, max_size=6)


def line(event: str, **fields: Any) -> AuditEvent:
    return AuditEvent(
        timestamp=START,
        event=event,
        request_id="req-1",
        action="scale_up",
        params={},
        requester="U_REQ",
        actor="system",
        **fields,
    )


@pytest.mark.parametrize(
    ("desired", "verdict"),
    [(3, Verdict.SUCCEEDED), (2, Verdict.FAILED), (5, Verdict.UNKNOWN)],
    ids=["at-the-plan", "not-applied", "changed-since"],
)
def test_a_scaling_run_is_judged_by_the_group(desired: int, verdict: Verdict) -> None:
    assert verdict == decide_outcome(executing(SCALE), None, group(desired)).verdict


def test_an_audited_outcome_wins_over_the_group() -> None:
    audited = line("succeeded", result="web-asg desired capacity 2 → 3")

    decision = decide_outcome(executing(SCALE), audited, group(2))

    assert Verdict.SUCCEEDED == decision.verdict
    assert "audit log has its outcome" in decision.reason


def test_a_restart_without_an_audited_outcome_is_unknown() -> None:
    assert Verdict.UNKNOWN == decide_outcome(executing(RESTART), None, None).verdict


def reconciler(
    request: ApprovalRequest, desired: int, events: list[AuditEvent], now: datetime
) -> tuple[OutcomeReconciler, InMemoryApprovalStore, RecordingAudit, Posts]:
    store, audit, posts, clock = InMemoryApprovalStore(), RecordingAudit(), Posts(), ManualClock(now)
    store.add(request)
    cloud = SimulatedCloudActions({"web-asg": group(desired)})
    trail = ApprovalTrail(store=store, audit=audit, clock=clock, sleep=lambda _s: None)
    return (
        OutcomeReconciler(
            store=store,
            cloud=cloud,
            trail=trail,
            clock=clock,
            audit_events=lambda: events,
            stale_after=timedelta(minutes=2),
            notifier=posts,
        ),
        store,
        audit,
        posts,
    )


def test_a_stale_run_whose_group_was_scaled_is_finished_succeeded_audited_and_told() -> None:
    job, store, audit, posts = reconciler(executing(SCALE), 3, [line("executing")], START + timedelta(minutes=5))

    [finished] = job.run_once()

    assert ApprovalState.SUCCEEDED == finished.state
    assert ApprovalState.SUCCEEDED == store.get("req-1").state  # type: ignore[union-attr]
    assert ["reconciled", "succeeded"] == [e.event for e in audit.events]
    assert [("C_OPS", True)] == [(c, "*succeeded*" in t) for c, t in posts.posted]


def test_an_unknown_outcome_is_stored_failed_saying_so() -> None:
    job, _store, audit, _ = reconciler(executing(RESTART), 2, [line("executing")], START + timedelta(minutes=5))

    [finished] = job.run_once()

    assert ApprovalState.FAILED == finished.state
    assert (finished.error or "").startswith("outcome unknown: ")
    assert "unknown" == audit.events[0].result


def test_a_run_that_may_still_be_going_and_requests_never_started_are_left_alone() -> None:
    job, store, audit, _ = reconciler(executing(SCALE), 3, [line("executing")], START + timedelta(seconds=30))
    assert [] == job.run_once()

    job, store, audit, _ = reconciler(executing(SCALE), 3, [], START + timedelta(minutes=5))
    assert [] == job.run_once()
    assert ApprovalState.EXECUTING == store.get("req-1").state  # type: ignore[union-attr]
    assert [] == audit.events
