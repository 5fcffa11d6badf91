"""The Undo button of an automatic scale-up: an approver scales the group back down."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.middleware import services_in
from domain.errors import OpsError, PolicyError


def ack_undo(ack: Ack, context: dict[str, Any]) -> None:
    """Acknowledge an Undo click at once."""
    context["command"] = "auto_undo"
    ack()


def undo_scale_up(body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    """Undo the automatic scale-up behind the button, and say so in the alert's thread."""
    services = services_in(context)
    request_id = str(body["actions"][0].get("value", ""))
    user = body["user"]["id"]
    channel = body["channel"]["id"]
    if services.remediation is None:
        return
    try:
        done = services.remediation.undo(request_id, user)
    except PolicyError as exc:
        client.chat_postEphemeral(channel=channel, user=user, text=f"You can't undo that: {exc}")
        return
    except OpsError as exc:
        client.chat_postEphemeral(channel=channel, user=user, text=f"The undo failed: {exc}")
        return
    text = f"Undone by <@{user}>: {done.call.describe()} ({done.state.value}: {done.result or done.error or ''})"
    try:
        client.chat_postMessage(channel=channel, thread_ts=body["message"]["ts"], text=text)
    except SlackApiError:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
