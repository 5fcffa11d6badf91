"""The Acknowledge button of an incident message."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.slack.incident_actions import acknowledge_click
from bot.slack.listeners.actions.approval import click_reply
from bot.slack.middleware import services_in


def ack_incident_click(ack: Ack, context: dict[str, Any]) -> None:
    """Acknowledge the click at once."""
    context["command"] = "incident_click"
    ack()


def acknowledge_incident(body: dict[str, Any], client: WebClient, respond: Respond, context: dict[str, Any]) -> None:
    """Acknowledge the incident behind the button as the clicker, and show it on the message."""
    reply = click_reply(body, client, respond)
    place = reply.place
    acknowledge_click(
        services_in(context),
        client,
        anomaly_id=str(body["actions"][0].get("value", "")),
        user=reply.user,
        where={"channel": place.channel, "ts": place.ts} if place else {},
        tell=reply.tell,
    )
