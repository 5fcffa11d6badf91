"""Approve, Reject and Cancel buttons: re-check policy, advance the state machine, update the message.

A click may come without ``channel`` or ``message`` (a click on an ephemeral copy): the answer
then goes through the click's response URL, so the clicker always hears back. In a message that
lists several requests (``/ops approve-list``) only the clicked request's section changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.notifier import SlackNotifier
from bot.services import Services
from bot.slack import blocks, messages
from bot.slack.approval_messages import current_blocks, outcome_text, refresh_shown
from bot.slack.middleware import services_in
from bot.slack.mrkdwn import escape
from domain.errors import (
    ApprovalExpired,
    ApprovalNotFound,
    InvalidTransition,
    NotAllowedToApprove,
    OpsError,
    PolicyError,
)
from remediation.approval import ApprovalRequest, ApprovalState, ShownIn
from remediation.service import RemediationService

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ClickReply:
    """Answers to one button click: a note only the clicker sees, and the clicked message's new content.

    ``channel`` and ``message_ts`` are None when the click's payload lacks them; ``shown`` holds
    the clicked message's blocks, so one request's section can be replaced alone.
    """

    client: WebClient
    respond: Respond
    channel: str | None
    user: str
    message_ts: str | None
    shown: tuple[dict[str, Any], ...] = ()

    @property
    def place(self) -> ShownIn | None:
        """The clicked message, when the payload names it."""
        return ShownIn(channel=self.channel, ts=self.message_ts) if self.channel and self.message_ts else None

    def tell(self, text: str) -> None:
        """An ephemeral note to the clicker."""
        if self.channel is not None:
            try:
                self.client.chat_postEphemeral(channel=self.channel, user=self.user, text=text)
                return
            except SlackApiError:  # not a member of the channel: the click's response URL still works
                pass
        self.respond(text=text, response_type="ephemeral", replace_original=False)

    def update(self, request_id: str, text: str, section: list[dict[str, Any]]) -> None:
        """Replace the request's section of the clicked message."""
        new_blocks = blocks.replace_section(list(self.shown), request_id, section)
        if self.place is not None:
            try:
                self.client.chat_update(channel=self.place.channel, ts=self.place.ts, text=text, blocks=new_blocks)
                return
            except SlackApiError:
                pass
        self.respond(text=text, blocks=new_blocks, replace_original=True)


def click_reply(body: dict[str, Any], client: WebClient, respond: Respond) -> ClickReply:
    """The answers of the click in ``body``, whatever parts of the payload are missing."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    message = body.get("message") or {}
    ts = message.get("ts") or (body.get("container") or {}).get("message_ts")
    is_ephemeral = bool((body.get("container") or {}).get("is_ephemeral"))
    return ClickReply(
        client=client,
        respond=respond,
        channel=channel,
        user=body["user"]["id"],
        message_ts=None if is_ephemeral else ts,
        shown=tuple(message.get("blocks") or ()),
    )


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


def show_outcome(reply: ClickReply, request: ApprovalRequest, text: str) -> None:
    """Update the clicked message's section and every other message showing the request."""
    reply.update(request.id, text, current_blocks(request, text))
    notifier = SlackNotifier(reply.client)
    refresh_shown(
        lambda channel, ts, t, b: notifier.update_message(channel=channel, ts=ts, text=t, blocks=b),
        request,
        text,
        skip=reply.place,
    )


def _tell_decided(remediation: RemediationService, request_id: str, reply: ClickReply) -> None:
    """Tell the clicker who decided already; an expired request's messages lose their buttons."""
    try:
        current = remediation.get(request_id)
    except OpsError as exc:
        reply.tell(messages.sorry(escape(str(exc))))
        return
    by = current.decided_by or (current.approvals[-1].user if current.approvals else None)
    reply.tell(messages.already_decided(current.state.value, by))
    if current.state in {ApprovalState.EXPIRED, ApprovalState.CANCELLED}:
        show_outcome(reply, current, outcome_text(current))


def _advance(
    services: Services, remediation: RemediationService, reply: ClickReply, *, action_id: str, request_id: str
) -> ApprovalRequest | None:
    """Approve, reject or cancel as the clicker; on refusal or failure, tell them why and return None."""
    user = reply.user
    try:
        if action_id == blocks.CANCEL_ACTION:
            return remediation.cancel(request_id, user)
        groups = user_groups(reply.client, services, remediation.get(request_id), user)
        if action_id == blocks.APPROVE_ACTION:
            return remediation.approve(request_id, user, groups)
        return remediation.reject(request_id, user, groups)
    except ApprovalNotFound:
        reply.tell(messages.approval_unknown(request_id))
    except NotAllowedToApprove as exc:
        log.info("approval_refused", request_id=request_id, user=user, reason=exc.reason)
        refusal = messages.cancel_refused if action_id == blocks.CANCEL_ACTION else messages.not_allowed
        reply.tell(refusal(exc.reason))
    except (InvalidTransition, ApprovalExpired):
        _tell_decided(remediation, request_id, reply)
    except PolicyError as exc:  # e.g. the stored parameters no longer match what was approved
        reply.tell(messages.not_allowed(str(exc)))
    except OpsError as exc:  # Redis, AWS or the audit log failed: say so; the message stays as it is
        log.error("approval_failed", request_id=request_id, user=user, error=str(exc))
        reply.tell(messages.sorry(escape(str(exc))))
    return None


def ack_approval_click(ack: Ack, context: dict[str, Any]) -> None:
    """Acknowledge an Approve, Reject or Cancel click at once."""
    context["command"] = "approval_click"
    ack()


def decide_approval(body: dict[str, Any], client: WebClient, respond: Respond, context: dict[str, Any]) -> None:
    """Apply an Approve, Reject or Cancel click and update the approval message with the outcome."""
    services = services_in(context)
    action = body["actions"][0]
    request_id = str(action.get("value", ""))
    reply = click_reply(body, client, respond)
    if services.remediation is None:
        reply.tell(messages.REMEDIATION_OFF)
        return
    request = _advance(services, services.remediation, reply, action_id=action["action_id"], request_id=request_id)
    if request is None:
        return
    outcome = outcome_text(request, reply.user)
    log.info("approval_decided", request_id=request_id, user=reply.user, state=request.state.value)
    show_outcome(reply, request, outcome)
    if reply.place is None:  # no message to update in place: the clicker still hears what happened
        reply.tell(outcome)
