"""The Acknowledge, Silence and Unsilence buttons of an incident message."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.jobs.incident_notifier import incident_message_map
from bot.slack.incident_actions import acknowledge_click
from bot.slack.incident_blocks import SILENCE_ACTION_PREFIX, UNSILENCE_ACTION
from bot.slack.incident_silence import set_silence
from bot.slack.listeners.actions.approval import click_reply
from bot.slack.middleware import services_in
from bot.slack.mrkdwn import escape


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


def silence_incident(body: dict[str, Any], client: WebClient, respond: Respond, context: dict[str, Any]) -> None:
    """Silence (or unsilence) the incident behind the button as the clicker; the message and its thread say so."""
    services = services_in(context)
    action = body["actions"][0]
    action_id = str(action.get("action_id", ""))
    choice = None if action_id == UNSILENCE_ACTION else action_id.removeprefix(SILENCE_ACTION_PREFIX)
    reply = click_reply(body, client, respond)
    anomaly_id = str(action.get("value", ""))
    done = set_silence(
        services, client, anomaly_id, user=reply.user, choice=choice, posted_map=incident_message_map(services.settings)
    )
    reply.tell(escape(done))
