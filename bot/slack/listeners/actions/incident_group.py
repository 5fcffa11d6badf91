"""The Acknowledge all, Silence all and Unsilence all buttons of a fleet-wide incident message."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.slack.incident_group_actions import acknowledge_group
from bot.slack.incident_group_blocks import GROUP_SILENCE_ACTION_PREFIX, GROUP_UNSILENCE_ACTION
from bot.slack.incident_silence import silence_group
from bot.slack.listeners.actions.approval import click_reply
from bot.slack.middleware import services_in
from bot.slack.mrkdwn import escape


def acknowledge_incident_group(
    body: dict[str, Any], client: WebClient, respond: Respond, context: dict[str, Any]
) -> None:
    """Acknowledge every open incident of the group behind the button as the clicker."""
    reply = click_reply(body, client, respond)
    group_id = str(body["actions"][0].get("value", ""))
    acknowledge_group(services_in(context), client, group_id, user=reply.user, tell=reply.tell)


def silence_incident_group(body: dict[str, Any], client: WebClient, respond: Respond, context: dict[str, Any]) -> None:
    """Silence (or unsilence) every open incident of the group behind the button as the clicker."""
    action = body["actions"][0]
    action_id = str(action.get("action_id", ""))
    choice = None if action_id == GROUP_UNSILENCE_ACTION else action_id.removeprefix(GROUP_SILENCE_ACTION_PREFIX)
    reply = click_reply(body, client, respond)
    done = silence_group(services_in(context), client, str(action.get("value", "")), user=reply.user, choice=choice)
    reply.tell(escape(done))
