"""Every edge of the approval state machine, and every refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import ApprovalExpired, InvalidTransition, NotAllowedToApprove
from remediation.actions import ActionCall, ActionName
from remediation.approval import ApprovalRequest, ApprovalState, ShownIn, conflicting_request
from tests.factories import approval_request

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
LATER = T0 + timedelta(minutes=1)
CALL = ActionCall(action=ActionName.SCALE_UP, params={"group": "web-asg", "by": 1})


def request(required: int = 1, state: ApprovalState = ApprovalState.PENDING) -> ApprovalRequest:
    return approval_request(call=CALL, at=T0, required_approvals=required, state=state)


Step = Callable[[ApprovalRequest], ApprovalRequest]
STEPS: dict[str, Step] = {
    "approve": lambda r: r.approve("U_OK", LATER),
    "reject": lambda r: r.reject("U_OK", LATER),
    "expire": lambda r: r.expire(T0 + timedelta(hours=1)),
    "cancel": lambda r: r.cancel("U_REQ", LATER),
    "start": lambda r: r.start(LATER),
    "succeed": lambda r: r.succeed("done", LATER),
    "fail": lambda r: r.fail("boom", LATER),
}
ALLOWED: dict[ApprovalState, dict[str, ApprovalState]] = {
    ApprovalState.PENDING: {
        "approve": ApprovalState.APPROVED,
        "reject": ApprovalState.REJECTED,
        "expire": ApprovalState.EXPIRED,
        "cancel": ApprovalState.CANCELLED,
    },
    ApprovalState.APPROVED: {"start": ApprovalState.EXECUTING},
    ApprovalState.EXECUTING: {"succeed": ApprovalState.SUCCEEDED, "fail": ApprovalState.FAILED},
}
EDGES = [(state, step) for state in ApprovalState for step in STEPS]


@pytest.mark.parametrize(("state", "step"), EDGES, ids=[f"{s.value}-{t}" for s, t in EDGES])
def test_each_transition_is_allowed_only_from_its_source_state(state: ApprovalState, step: str) -> None:
    current = request(state=state)
    target = ALLOWED.get(state, {}).get(step)
    if target is None:
        with pytest.raises(InvalidTransition):
            STEPS[step](current)
    else:
        updated = STEPS[step](current)
        assert target == updated.state
        assert current.version + 1 == updated.version


def test_requester_cannot_approve_own_request() -> None:
    with pytest.raises(NotAllowedToApprove, match="someone else"):
        request().approve("U_REQ", LATER)


def test_expired_request_cannot_be_approved() -> None:
    with pytest.raises(ApprovalExpired):
        request().approve("U_OK", T0 + timedelta(minutes=15))


def test_expire_refuses_before_the_expiry_time() -> None:
    with pytest.raises(InvalidTransition):
        request().expire(LATER)


def test_quorum_of_two_needs_two_distinct_approvers() -> None:
    once = request(required=2).approve("U_A", LATER)
    assert ApprovalState.PENDING == once.state
    with pytest.raises(NotAllowedToApprove, match="already approved"):
        once.approve("U_A", LATER)
    twice = once.approve("U_B", LATER)
    assert ApprovalState.APPROVED == twice.state
    assert ("U_A", "U_B") == twice.approvers
    assert "U_B" == twice.decided_by


def test_tampered_parameters_are_detected_by_the_fingerprint() -> None:
    tampered = request().model_copy(
        update={"call": ActionCall(action=ActionName.SCALE_UP, params={"group": "web-asg", "by": 9})}
    )
    assert not tampered.parameters_intact()
    assert request().parameters_intact()


@pytest.mark.parametrize("state", list(ApprovalState))
def test_a_message_showing_the_request_is_remembered_once_in_any_state(state: ApprovalState) -> None:
    shown = request(state=state).shown("C1", "1.1", LATER)

    assert (ShownIn(channel="C1", ts="1.1"),) == shown.shown_in
    assert state is shown.state
    assert shown is shown.shown("C1", "1.1", LATER)
    assert 2 == len(shown.shown("C2", "2.2", LATER).shown_in)


def test_calls_on_one_group_or_one_instance_conflict() -> None:
    other_group = ActionCall(action=ActionName.SCALE_TO, params={"group": "db-asg", "desired": 2})
    same_group = ActionCall(action=ActionName.SCALE_TO, params={"group": "web-asg", "desired": 4})
    restart_1 = ActionCall(action=ActionName.RESTART_SERVICE, params={"service": "nginx", "instance_ids": "i-1,i-2"})
    restart_2 = ActionCall(action=ActionName.RESTART_SERVICE, params={"service": "redis", "instance_id": "i-2"})
    restart_3 = ActionCall(action=ActionName.RESTART_SERVICE, params={"service": "nginx", "instance_id": "i-3"})
    waiting = [request(), approval_request(call=restart_1, at=T0)]

    assert conflicting_request(same_group, waiting, LATER) is waiting[0]
    assert conflicting_request(restart_2, waiting, LATER) is waiting[1]
    assert conflicting_request(other_group, waiting, LATER) is None
    assert conflicting_request(restart_3, waiting, LATER) is None
    assert conflicting_request(same_group, waiting, T0 + timedelta(hours=1)) is None
