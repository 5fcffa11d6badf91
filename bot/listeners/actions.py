"""Approve and Reject buttons: re-check policy, advance the state machine, update the message."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import blocks, messages
from bot.main import Services
from domain.errors import ApprovalExpired, InvalidTransition, NotAllowedToApprove, OpsError
from remediation.approval import ApprovalRequest, ApprovalState


def _outcome(request: ApprovalRequest, user: str) -> str:
    if request.state is ApprovalState.REJECTED:
        return messages.approval_rejected(user)
    if request.state is ApprovalState.PENDING:
        return messages.approval_waiting(user, request.required_approvals - len(request.approvals))
    return messages.approval_done(user, request.result or request.error or request.state.value)


def register(app: App, services: Services) -> None:
    """Add the Approve and Reject listeners."""

    def ack_click(ack: Ack) -> None:
        ack()

    def decide(body: dict[str, Any], client: WebClient) -> None:
        action = body["actions"][0]
        request_id = str(action.get("value", ""))
        user = body["user"]["id"]
        channel = body["channel"]["id"]
        if services.remediation is None:
            return
        try:
            if action["action_id"] == blocks.APPROVE_ACTION:
                request = services.remediation.approve(request_id, user)
            else:
                request = services.remediation.reject(request_id, user)
        except NotAllowedToApprove as exc:
            client.chat_postEphemeral(channel=channel, user=user, text=messages.not_allowed(exc.reason))
            return
        except (InvalidTransition, ApprovalExpired):
            current = services.remediation.get(request_id)
            client.chat_postEphemeral(
                channel=channel, user=user, text=messages.already_decided(current.state.value, current.decided_by)
            )
            return
        except OpsError as exc:
            client.chat_postEphemeral(channel=channel, user=user, text=messages.not_allowed(str(exc)))
            return
        outcome = _outcome(request, user)
        new_blocks = (
            blocks.approval_blocks(request)
            if request.state is ApprovalState.PENDING
            else blocks.decided_blocks(request, outcome)
        )
        client.chat_update(channel=channel, ts=body["message"]["ts"], text=outcome, blocks=new_blocks)

    for action_id in (blocks.APPROVE_ACTION, blocks.REJECT_ACTION):
        app.action(action_id)(ack=ack_click, lazy=[decide])
