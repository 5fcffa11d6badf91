"""Who may approve which action, and how many approvals an action needs. Pure."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from pydantic import BaseModel, ConfigDict

from domain.errors import NotAllowedToApprove
from remediation.actions import ActionCall, ActionName
from remediation.approval import ApprovalRequest


class ApprovalPolicy(BaseModel):
    """Approvers per action (Slack user ids and/or user-group ids) and quorum rules."""

    model_config = ConfigDict(frozen=True)

    approvers: Mapping[str, frozenset[str]] = {}
    risky_scale_to_above: int = 10
    risky_quorum: int = 2

    def required_approvals(self, call: ActionCall) -> int:
        """How many distinct people must approve ``call``."""
        if call.action is ActionName.SCALE_TO and int(call.params["desired"]) > self.risky_scale_to_above:
            return self.risky_quorum
        return 1

    def check_approver(self, request: ApprovalRequest, user: str, user_groups: Collection[str] = ()) -> None:
        """Refuse ``user`` unless configuration lists them (or one of their groups) for this action.

        Raises:
            NotAllowedToApprove: with a sentence saying why.
        """
        allowed = self.approvers.get(request.call.action.value, frozenset()) | self.approvers.get("*", frozenset())
        if user not in allowed and not allowed.intersection(user_groups):
            raise NotAllowedToApprove(
                user, request.id, f"you are not on the approver list for {request.call.action.value}"
            )
