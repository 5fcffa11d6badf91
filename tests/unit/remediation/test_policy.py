"""Who may approve, and how many approvals each call needs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import NotAllowedToApprove
from remediation import actions
from remediation.actions import ActionCall, ActionLimits, ActionName
from remediation.approval import ApprovalRequest
from remediation.policy import ApprovalPolicy, actions_without_approvers
from tests.factories import approval_request

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
LIMITS = ActionLimits(allowed_services=frozenset({"nginx"}), max_scale_step=2, max_restart_hosts=3)
I1, I2 = "i-0123456789abcdef0", "i-0123456789abcdef1"
POLICY = ApprovalPolicy(
    approvers={"scale_up": frozenset({"U_LEAD", "S_SRE"}), "*": frozenset({"U_ADMIN"})},
    risky_scale_to_above=10,
    risky_quorum=2,
)


def pending(call: ActionCall) -> ApprovalRequest:
    return approval_request(call=call, at=T0)


@pytest.mark.parametrize(
    ("call", "needed"),
    [
        (actions.scale_up(group="web-asg", by=1, limits=LIMITS), 1),
        (actions.scale_to(group="web-asg", desired=10), 1),
        (actions.scale_to(group="web-asg", desired=11), 2),
        (actions.restart_service(instance_id=I1, service="nginx", limits=LIMITS), 1),
        (actions.restart_service(instance_ids=[I1, I1], service="nginx", limits=LIMITS), 1),
        (actions.restart_service(instance_ids=[I1, I2], service="nginx", limits=LIMITS), 2),
    ],
)
def test_risky_calls_need_the_quorum(call: ActionCall, needed: int) -> None:
    assert needed == POLICY.required_approvals(call)


def test_configured_quorum_applies_to_every_call_of_an_action() -> None:
    policy = ApprovalPolicy(quorum={"scale_up": 3}, risky_quorum=2)

    assert 3 == policy.required_approvals(actions.scale_up(group="g", by=1, limits=LIMITS))
    assert 1 == policy.required_approvals(actions.scale_to(group="g", desired=2))


@pytest.mark.parametrize(
    ("action_call", "user", "groups", "allowed"),
    [
        (actions.scale_up(group="g", by=1, limits=LIMITS), "U_LEAD", (), True),
        (actions.scale_up(group="g", by=1, limits=LIMITS), "U_OTHER", ("S_SRE",), True),
        (actions.scale_up(group="g", by=1, limits=LIMITS), "U_OTHER", ("S_NOT",), False),
        (actions.scale_up(group="g", by=1, limits=LIMITS), "S_SRE", (), True),
        (actions.scale_to(group="g", desired=2), "U_LEAD", (), False),
        (actions.scale_to(group="g", desired=2), "U_ADMIN", (), True),
        (actions.restart_service(instance_id=I1, service="nginx", limits=LIMITS), "U_NOBODY", (), False),
    ],
)
def test_only_listed_users_or_group_members_may_approve(
    action_call: ActionCall, user: str, groups: tuple[str, ...], allowed: bool
) -> None:
    request = pending(action_call)
    if allowed:
        POLICY.check_approver(request, user, groups)
    else:
        with pytest.raises(NotAllowedToApprove, match="not on the approver list"):
            POLICY.check_approver(request, user, groups)


@pytest.mark.parametrize(
    ("user", "groups", "allowed"),
    [
        ("U_LEAD", (), True),
        ("U_ADMIN", (), True),
        ("U_OTHER", ("S_SRE",), True),
        ("U_OTHER", ("S_NOT",), False),
        ("U_NOBODY", (), False),
    ],
)
def test_an_approver_of_any_action_is_one_listed_for_some_action(
    user: str, groups: tuple[str, ...], allowed: bool
) -> None:
    assert allowed == POLICY.may_approve(user, groups)


def test_the_approvers_of_an_action_are_its_own_and_the_wildcard_entry() -> None:
    assert frozenset({"U_LEAD", "S_SRE", "U_ADMIN"}) == POLICY.approvers_for(ActionName.SCALE_UP)
    assert frozenset({"U_ADMIN"}) == POLICY.approvers_for(ActionName.SCALE_TO)


def test_nobody_may_approve_when_no_approvers_are_configured() -> None:
    with pytest.raises(NotAllowedToApprove):
        ApprovalPolicy().check_approver(pending(actions.scale_to(group="g", desired=2)), "U_ANY", ())


@pytest.mark.parametrize(
    ("approvers", "uncovered"),
    [
        ({}, list(ActionName)),
        ({"*": frozenset()}, list(ActionName)),
        ({"scale_up": frozenset({"U_LEAD"})}, [ActionName.RESTART_SERVICE, ActionName.SCALE_TO]),
        ({"scale_up": frozenset({"U_LEAD"}), "*": frozenset({"S_SRE"})}, []),
        ({a.value: frozenset({"U_LEAD"}) for a in ActionName}, []),
    ],
)
def test_actions_without_approvers_lists_what_nobody_may_approve(
    approvers: dict[str, frozenset[str]], uncovered: list[ActionName]
) -> None:
    assert actions_without_approvers(ApprovalPolicy(approvers=approvers)) == uncovered
