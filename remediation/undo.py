"""Undoing an automatic scale-up, pure: which requests can be undone, and the call that undoes one.

A scale-up approved by the automatic-remediation policy (``policy:<rule>``) can be undone by a
person: its group is scaled back down by what it added, through a request of its own.
"""

from __future__ import annotations

from domain.errors import ActionNotAllowed
from remediation.actions import ActionCall, ActionName
from remediation.approval import ApprovalRequest, ApprovalState

#: Approvals made by the automatic-remediation policy are recorded as ``policy:<rule>``.
POLICY_PREFIX = "policy:"


def undo_target(original: ApprovalRequest) -> str:
    """The Auto Scaling group an undo of ``original`` scales back down.

    Raises:
        ActionNotAllowed: ``original`` is not a succeeded automatic scale-up.
    """
    automatic = (original.decided_by or "").startswith(POLICY_PREFIX)
    if (
        original.state is not ApprovalState.SUCCEEDED
        or not automatic
        or original.call.action is not ActionName.SCALE_UP
    ):
        raise ActionNotAllowed("undo", "only a succeeded automatic scale-up can be undone")
    return str(original.call.params["group"])


def undo_call(original: ApprovalRequest, *, desired_now: int) -> ActionCall:
    """The ``scale_to`` that takes ``original``'s group back down by what it added (never below zero).

    Args:
        original: a succeeded automatic scale-up (``undo_target`` accepts it).
        desired_now: the group's desired capacity now.
    """
    desired = max(desired_now - int(original.call.params["by"]), 0)
    return ActionCall(action=ActionName.SCALE_TO, params={"group": undo_target(original), "desired": desired})
