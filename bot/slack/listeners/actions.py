"""Approve and Reject buttons: re-check policy, advance the state machine, update the original message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.slack import blocks, messages
from domain.errors import (
    ApprovalExpired,
    ApprovalNotFound,
    InvalidTransition,
    NotAllowedToApprove,
    OpsError,
    PolicyError,
)
from remediation.approval import ApprovalRequest, ApprovalState

log = structlog.get_logger(__name__)


def _outcome(request: ApprovalRequest, user: str) -> str:
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
    approvers = services.settings.remediation.approvers
    named = {*approvers.get(request.call.action.value, []), *approvers.get("*", [])}
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


def _tell_decided(
    services: Services,
    request_id: str,
    tell: Callable[[str], None],
    update: Callable[[str, list[dict[str, Any]]], None],
) -> None:
    """Tell the clicker who decided already; an expired request's message loses its buttons."""
    if services.remediation is None:
        return
    try:
        current = services.remediation.get(request_id)
    except OpsError as exc:
        tell(messages.sorry(str(exc)))
        return
    by = current.decided_by or (current.approvals[-1].user if current.approvals else None)
    tell(messages.already_decided(current.state.value, by))
    if current.state is ApprovalState.EXPIRED:
        text = messages.already_decided(current.state.value, None)
        update(text, blocks.decided_blocks(current, text))


def register(app: App, services: Services) -> None:
    """Add the Approve and Reject listeners."""

    def ack_click(ack: Ack, context: dict[str, Any]) -> None:
        context["command"] = "approval_click"
        ack()

    def decide(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        action = body["actions"][0]
        request_id = str(action.get("value", ""))
        user = body["user"]["id"]
        channel = body["channel"]["id"]

        def tell(text: str) -> None:
            try:
                client.chat_postEphemeral(channel=channel, user=user, text=text)
            except SlackApiError:  # not a member of the channel: the click's response URL still works
                respond(text=text, response_type="ephemeral", replace_original=False)

        def update(text: str, new_blocks: list[dict[str, Any]]) -> None:
            try:
                client.chat_update(channel=channel, ts=body["message"]["ts"], text=text, blocks=new_blocks)
            except SlackApiError:
                respond(text=text, blocks=new_blocks, replace_original=True)

        if services.remediation is None:
            tell(messages.REMEDIATION_OFF)
            return
        try:
            current = services.remediation.get(request_id)
            groups = user_groups(client, services, current, user)
            if action["action_id"] == blocks.APPROVE_ACTION:
                request = services.remediation.approve(request_id, user, groups)
            else:
                request = services.remediation.reject(request_id, user, groups)
        except ApprovalNotFound:
            tell(messages.approval_unknown(request_id))
            return
        except NotAllowedToApprove as exc:
            log.info("approval_refused", request_id=request_id, user=user, reason=exc.reason)
            tell(messages.not_allowed(exc.reason))
            return
        except (InvalidTransition, ApprovalExpired):
            _tell_decided(services, request_id, tell, update)
            return
        except PolicyError as exc:  # e.g. the stored parameters no longer match what was approved
            tell(messages.not_allowed(str(exc)))
            return
        except OpsError as exc:  # Redis, AWS or the audit log failed: say so; the message stays as it is
            log.error("approval_failed", request_id=request_id, user=user, error=str(exc))
            tell(messages.sorry(str(exc)))
            return
        outcome = _outcome(request, user)
        log.info("approval_decided", request_id=request_id, user=user, state=request.state.value)
        new_blocks = (
            blocks.approval_blocks(request)
            if request.state is ApprovalState.PENDING
            else blocks.decided_blocks(request, outcome)
        )
        update(outcome, new_blocks)

    for action_id in (blocks.APPROVE_ACTION, blocks.REJECT_ACTION):
        app.action(action_id)(ack=ack_click, lazy=[decide])
