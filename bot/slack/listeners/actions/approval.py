"""Approve and Reject buttons: re-check policy, advance the state machine, update the original message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.slack import blocks, messages
from bot.slack.middleware import services_in
from domain.errors import (
    ApprovalExpired,
    ApprovalNotFound,
    InvalidTransition,
    NotAllowedToApprove,
    OpsError,
    PolicyError,
)
from remediation.approval import ApprovalRequest, ApprovalState
from remediation.service import RemediationService

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ClickReply:
    """Answers to one button click: a note only the clicker sees, and the clicked message's new content."""

    client: WebClient
    respond: Respond
    channel: str
    user: str
    message_ts: str

    def tell(self, text: str) -> None:
        """An ephemeral note to the clicker."""
        try:
            self.client.chat_postEphemeral(channel=self.channel, user=self.user, text=text)
        except SlackApiError:  # not a member of the channel: the click's response URL still works
            self.respond(text=text, response_type="ephemeral", replace_original=False)

    def update(self, text: str, new_blocks: list[dict[str, Any]]) -> None:
        """Replace the clicked message."""
        try:
            self.client.chat_update(channel=self.channel, ts=self.message_ts, text=text, blocks=new_blocks)
        except SlackApiError:
            self.respond(text=text, blocks=new_blocks, replace_original=True)


def outcome_text(request: ApprovalRequest, user: str) -> str:
    """What the approval message says after ``user``'s click moved ``request`` to its state. Pure."""
    if request.state is ApprovalState.REJECTED:
        return messages.approval_rejected(user)
    if request.state is ApprovalState.PENDING:
        return messages.approval_waiting(user, request.required_approvals - len(request.approvals))
    if request.state is ApprovalState.FAILED:
        return messages.approval_failed(user, request.error or "unknown error")
    return messages.approval_done(user, request.result or request.state.value)


def user_groups(client: WebClient, services: Services, request: ApprovalRequest, user: str) -> list[str]:
    """The Slack user groups named as approvers for this action that ``user`` belongs to.

    Groups are asked with ``usergroups.users.list``; a group Slack cannot list counts as not a member.
    """
    named = services.remediation.policy.approvers_for(request.call.action) if services.remediation else frozenset()
    member = []
    for group in sorted(g for g in named if g.startswith("S")):
        try:
            resp = client.usergroups_users_list(usergroup=group)
        except SlackApiError as exc:
            log.warning("usergroup_lookup_failed", usergroup=group, error=str(exc.response.get("error")))
            continue
        if user in (resp.get("users") or []):
            member.append(group)
    return member


def _tell_decided(remediation: RemediationService, request_id: str, reply: ClickReply) -> None:
    """Tell the clicker who decided already; an expired request's message loses its buttons."""
    try:
        current = remediation.get(request_id)
    except OpsError as exc:
        reply.tell(messages.sorry(str(exc)))
        return
    by = current.decided_by or (current.approvals[-1].user if current.approvals else None)
    reply.tell(messages.already_decided(current.state.value, by))
    if current.state is ApprovalState.EXPIRED:
        text = messages.already_decided(current.state.value, None)
        reply.update(text, blocks.decided_blocks(current, text))


def _advance(
    services: Services, remediation: RemediationService, reply: ClickReply, *, action_id: str, request_id: str
) -> ApprovalRequest | None:
    """Approve or reject as the clicker; on refusal or failure, tell them why and return None."""
    user = reply.user
    try:
        groups = user_groups(reply.client, services, remediation.get(request_id), user)
        if action_id == blocks.APPROVE_ACTION:
            return remediation.approve(request_id, user, groups)
        return remediation.reject(request_id, user, groups)
    except ApprovalNotFound:
        reply.tell(messages.approval_unknown(request_id))
    except NotAllowedToApprove as exc:
        log.info("approval_refused", request_id=request_id, user=user, reason=exc.reason)
        reply.tell(messages.not_allowed(exc.reason))
    except (InvalidTransition, ApprovalExpired):
        _tell_decided(remediation, request_id, reply)
    except PolicyError as exc:  # e.g. the stored parameters no longer match what was approved
        reply.tell(messages.not_allowed(str(exc)))
    except OpsError as exc:  # Redis, AWS or the audit log failed: say so; the message stays as it is
        log.error("approval_failed", request_id=request_id, user=user, error=str(exc))
        reply.tell(messages.sorry(str(exc)))
    return None


def ack_approval_click(ack: Ack, context: dict[str, Any]) -> None:
    """Acknowledge an Approve or Reject click at once."""
    context["command"] = "approval_click"
    ack()


def decide_approval(body: dict[str, Any], client: WebClient, respond: Respond, context: dict[str, Any]) -> None:
    """Apply an Approve or Reject click and update the approval message with the outcome."""
    services = services_in(context)
    action = body["actions"][0]
    request_id = str(action.get("value", ""))
    user = body["user"]["id"]
    reply = ClickReply(client, respond, body["channel"]["id"], user, body["message"]["ts"])
    if services.remediation is None:
        reply.tell(messages.REMEDIATION_OFF)
        return
    request = _advance(services, services.remediation, reply, action_id=action["action_id"], request_id=request_id)
    if request is None:
        return
    outcome = outcome_text(request, user)
    log.info("approval_decided", request_id=request_id, user=user, state=request.state.value)
    if request.state is ApprovalState.PENDING:
        reply.update(outcome, blocks.approval_blocks(request))
    else:
        reply.update(outcome, blocks.decided_blocks(request, outcome))
