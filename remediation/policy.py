"""Who may approve which action, and how many approvals an action needs. Pure."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from pydantic import BaseModel, ConfigDict

from domain.errors import NotAllowedToApprove
from remediation.actions import ActionCall, ActionName, restart_targets
from remediation.approval import ApprovalRequest


class ApprovalPolicy(BaseModel):
    """Approvers per action (Slack user ids and/or user-group ids) and quorum rules.

    ``approvers`` maps an action name (or ``*`` for every action) to the ids allowed to approve
    it. A call is risky, and needs ``risky_quorum`` distinct approvers, when it is a ``scale_to``
    above ``risky_scale_to_above`` or a restart on more than one host; ``quorum`` can raise the
    number for an action outright.
    """

    model_config = ConfigDict(frozen=True)

    approvers: Mapping[str, frozenset[str]] = {}
    risky_scale_to_above: int = 10
    risky_quorum: int = 2
    quorum: Mapping[str, int] = {}

    def is_risky(self, call: ActionCall) -> bool:
        """True for a ``scale_to`` above the threshold and for a restart on more than one host."""
        if call.action is ActionName.SCALE_TO:
            return int(call.params["desired"]) > self.risky_scale_to_above
        if call.action is ActionName.RESTART_SERVICE:
            return len(restart_targets(call)) > 1
        return False

    def required_approvals(self, call: ActionCall) -> int:
        """How many distinct people must approve ``call``."""
        base = max(1, self.quorum.get(call.action.value, 1))
        return max(base, self.risky_quorum) if self.is_risky(call) else base

    def approvers_for(self, action: ActionName) -> frozenset[str]:
        """The user and user-group ids allowed to approve ``action``: its own entry and the ``*`` entry."""
        return self.approvers.get(action.value, frozenset()) | self.approvers.get("*", frozenset())

    def may_approve(self, user: str, user_groups: Collection[str] = (), *, action: ActionName | None = None) -> bool:
        """True when ``user``, or one of their groups, is listed for ``action`` (for any action when None)."""
        everyone = frozenset(who for ids in self.approvers.values() for who in ids)
        allowed = everyone if action is None else self.approvers_for(action)
        return user in allowed or not allowed.isdisjoint(user_groups)

    def check_approver(self, request: ApprovalRequest, user: str, user_groups: Collection[str] = ()) -> None:
        """Refuse ``user`` unless configuration lists them (or one of their groups) for this action.

        Raises:
            NotAllowedToApprove: with a sentence saying why.
        """
        if not self.may_approve(user, user_groups, action=request.call.action):
            raise NotAllowedToApprove(
                user, request.id, f"you are not on the approver list for {request.call.action.value}"
            )


def actions_without_approvers(policy: ApprovalPolicy) -> list[ActionName]:
    """The actions nobody may approve under ``policy``, in declaration order.

    An action is covered when its own entry or the ``*`` entry lists at least one id; a request
    for an uncovered action can only expire.
    """
    return [action for action in ActionName if not policy.approvers_for(action)]
