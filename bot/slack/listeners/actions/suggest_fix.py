"""The Suggest fix button: the fix for the incident's signal, requested through the normal approval flow.

The fix is what a rule maps the signal to or, for CPU or memory on a member of an Auto Scaling
group, a scale-up of the group by one (``bot.slack.fix_requests``). The approval message goes in
the incident message's thread; nothing runs until it is approved.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.slack.fix_requests import fix_for, request_in_thread
from bot.slack.listeners.actions.approval import click_reply
from bot.slack.middleware import services_in
from bot.slack.mrkdwn import escape
from domain.errors import OpsError


def ack_suggest_fix(ack: Ack, context: dict[str, Any]) -> None:
    """Acknowledge the click at once."""
    context["command"] = "incident_suggest_fix"
    ack()


def suggest_fix(body: dict[str, Any], client: WebClient, respond: Respond, context: dict[str, Any]) -> None:
    """Create the approval request for the suggested fix and post its approval message in the incident's thread."""
    services = services_in(context)
    reply = click_reply(body, client, respond)
    anomaly_id = str(body["actions"][0].get("value", ""))
    anomaly = services.anomalies.get(anomaly_id)
    if anomaly is None or services.remediation is None:
        reply.tell(f"I can't suggest a fix for `{escape(anomaly_id)}`: no such incident, or remediation is off.")
        return
    try:
        suggestion = fix_for(services, anomaly.metric, anomaly.host)
    except OpsError as exc:  # the rule's action cannot be built for this host, or AWS down
        reply.tell(f"I can't request that fix: {escape(str(exc))}")
        return
    if suggestion.call is None:
        hint = f"ask in the thread, e.g. `restart nginx on {anomaly.host.name}`"
        why = suggestion.reason or f"no rule maps {anomaly.metric.label} to an action"
        reply.tell(escape(f"I have no fix to suggest: {why}; {hint}."))
        return
    request_in_thread(services, client, reply, suggestion.call, thread=reply.place, anomaly_id=anomaly.id)
