"""Which requests an undo accepts, and the scale-down that undoes an automatic scale-up."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.errors import ActionNotAllowed
from remediation.actions import ActionCall, ActionName
from remediation.approval import ApprovalRequest, ApprovalState
from remediation.undo import undo_call, undo_target

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def request(**extra: Any) -> ApprovalRequest:
    call = ActionCall(action=ActionName.SCALE_UP, params={"group": "web-asg", "by": 2})
    fields: dict[str, Any] = {
        "id": "r1",
        "call": call,
        "fingerprint": call.fingerprint(),
        "requested_by": "rule:web-hot",
        "requested_at": T0,
        "expires_at": T0,
        "updated_at": T0,
        "state": ApprovalState.SUCCEEDED,
        "decided_by": "policy:web-hot",
    }
    return ApprovalRequest.model_validate(fields | extra)


def test_a_succeeded_automatic_scale_up_is_undone_on_its_group() -> None:
    assert "web-asg" == undo_target(request())


@pytest.mark.parametrize(
    "extra",
    [
        {"decided_by": "U_LEAD"},  # a person approved it
        {"state": ApprovalState.FAILED},
        {"call": ActionCall(action=ActionName.SCALE_TO, params={"group": "web-asg", "desired": 4})},
    ],
)
def test_anything_else_is_refused(extra: dict[str, Any]) -> None:
    with pytest.raises(ActionNotAllowed, match="only a succeeded automatic scale-up can be undone"):
        undo_target(request(**extra))


@pytest.mark.parametrize(("desired_now", "expected"), [(5, 3), (1, 0)])
def test_the_undo_scales_back_by_what_was_added_never_below_zero(desired_now: int, expected: int) -> None:
    assert ActionCall(action=ActionName.SCALE_TO, params={"group": "web-asg", "desired": expected}) == undo_call(
        request(), desired_now=desired_now
    )
