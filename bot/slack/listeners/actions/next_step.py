"""The Request next step button on a fix's check that did not recover: the next fix, through the normal approval flow.

The next step is chosen as Suggest fix chooses (``bot.slack.fix_requests``), knowing what already
ran: a scale-up after a restart, a restart after a scale-up. Its approval message goes in the
thread the check was told in; nothing runs until it is approved.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.jobs.remediation_verification import verification_queue
from bot.slack.fix_requests import fix_for, request_in_thread
from bot.slack.listeners.actions.approval import click_reply
from bot.slack.middleware import services_in
from bot.slack.mrkdwn import escape
from domain.errors import OpsError
from remediation.approval import ShownIn


def ack_next_step(ack: Ack, context: dict[str, Any]) -> None:
    """Acknowledge the click at once."""
    context["command"] = "verification_next_step"
    ack()


def request_next_step(body: dict[str, Any], client: WebClient, respond: Respond, context: dict[str, Any]) -> None:
    """Request the next fix after the one whose check the clicked message told, in the same thread."""
    services = services_in(context)
    reply = click_reply(body, client, respond)
    request_id = str(body["actions"][0].get("value", ""))
    entry = verification_queue(services.settings, services.leases).get(request_id)
    tried = services.approvals.get(request_id)
    if entry is None or entry.check is None or tried is None:
        reply.tell(f"I can't find the check of request `{escape(request_id)}`, so I can't suggest a next step.")
        return
    check = entry.check
    try:
        suggestion = fix_for(services, check.metric, check.hosts[0] if len(check.hosts) == 1 else None, tried.call)
    except OpsError as exc:
        reply.tell(f"I can't request a next step: {escape(str(exc))}")
        return
    if suggestion.call is None:
        reply.tell(escape(f"I have no next step to suggest after {tried.call.describe()}: {suggestion.reason}."))
        return
    message, container = body.get("message") or {}, body.get("container") or {}
    thread_ts = message.get("thread_ts") or container.get("thread_ts") or reply.message_ts
    thread = ShownIn(channel=reply.channel, ts=thread_ts) if reply.channel and thread_ts else None
    request_in_thread(services, client, reply, suggestion.call, thread=thread, anomaly_id=check.incident_id)
