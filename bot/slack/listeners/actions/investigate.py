"""The Investigate button: the assistant's diagnosis of the incident's host, answered in the message's thread.

The diagnosis is the registry's ``diagnose_host`` tool (``host_status`` where it is not offered),
phrased as the assistant phrases it, so the thread gets the same facts as asking in a DM.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from agent.phrasing import phrase
from agent.runner import ToolCallRecord
from bot.services import Services
from bot.slack.listeners.actions.approval import click_reply
from bot.slack.listeners.replies import Place, answer_lazily
from bot.slack.middleware import services_in
from bot.slack.mrkdwn import escape
from bot.slack.ops_answers import Reply


def diagnose(services: Services, anomaly_id: str, *, user: str) -> Reply:
    """The diagnosis of the host behind incident ``anomaly_id``, as ``user`` asked it."""
    anomaly = services.anomalies.get(anomaly_id)
    if anomaly is None:
        return Reply(text=f"I can't find incident {anomaly_id}.")
    names = {tool.name for tool in services.registry}
    tool = "diagnose_host" if "diagnose_host" in names else "host_status"
    args = {"host": anomaly.host.name}
    result = services.registry.call(tool, args, dataclasses.replace(services.tools, user=user))
    record = ToolCallRecord(name=tool, args=args, status=result.status.value, error=result.error)
    return Reply(text=phrase(tool, result), tool_calls=[record])


def ack_investigate(ack: Ack, context: dict[str, Any]) -> None:
    """Acknowledge the click at once."""
    context["command"] = "incident_investigate"
    ack()


def investigate_incident(body: dict[str, Any], client: WebClient, respond: Respond, context: dict[str, Any]) -> None:
    """Answer in the incident message's thread with the diagnosis (to the clicker alone without a message)."""
    services = services_in(context)
    reply = click_reply(body, client, respond)
    anomaly_id = str(body["actions"][0].get("value", ""))
    if reply.place is None:
        reply.tell(escape(diagnose(services, anomaly_id, user=reply.user).text))
        return
    place = Place(
        channel=reply.place.channel,
        thread_ts=reply.place.ts,
        conversation=f"slack:{reply.place.channel}:{reply.place.ts}",
    )
    answer_lazily(
        client, services, place, lambda: diagnose(services, anomaly_id, user=reply.user), surface="investigate"
    )
