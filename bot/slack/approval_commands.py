"""``/ops cancel <id>``: the requester withdraws a pending request, and its messages say so."""

from __future__ import annotations

from slack_sdk import WebClient

from adapters.slack.notifier import SlackNotifier
from bot.services import Services
from bot.slack import messages
from bot.slack.approval_messages import outcome_text, refresh_shown
from bot.slack.ops_answers import Reply
from domain.errors import ApprovalNotFound, InvalidTransition, NotAllowedToApprove


def cancel_request(services: Services, client: WebClient, request_id: str, *, user: str) -> Reply:
    """Cancel ``request_id`` as ``user`` (its requester) and update the messages that show it.

    Raises:
        OpsError: the store or the audit log failed (the lazy listener's boundary says so).
    """
    remediation = services.remediation
    if remediation is None:
        return Reply(text=messages.REMEDIATION_OFF)
    try:
        cancelled = remediation.cancel(request_id, user)
    except ApprovalNotFound:
        return Reply(text=messages.approval_unknown(request_id))
    except NotAllowedToApprove as exc:
        return Reply(text=messages.cancel_refused(exc.reason))
    except InvalidTransition:
        current = remediation.get(request_id)
        return Reply(text=messages.already_decided(current.state.value, current.decided_by))
    text = outcome_text(cancelled, user)
    notifier = SlackNotifier(client)
    refresh_shown(
        lambda channel, ts, t, b: notifier.update_message(channel=channel, ts=ts, text=t, blocks=b), cancelled, text
    )
    return Reply(text=f"`{request_id}`: {text}")
