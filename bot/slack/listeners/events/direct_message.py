"""Direct messages to the bot: answered in the DM (in the thread when the message is in one)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.slack.listeners.replies import Place, answer_question
from bot.slack.middleware import services_in


def is_dm_from_a_person(event: dict[str, Any]) -> bool:
    """A person's DM with text (not a bot's message, an edit or another subtype). Pure."""
    return (
        event.get("channel_type") == "im"
        and not event.get("bot_id")
        and event.get("subtype") in (None, "file_share")
        and bool(event.get("text", "").strip())
    )


def answer_direct_message(event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    """Answer a person's DM; every other ``message`` event is left alone."""
    if not is_dm_from_a_person(event):
        return
    channel = event["channel"]
    thread_ts = event.get("thread_ts")
    answer_question(
        client,
        services_in(context),
        Place(channel=channel, thread_ts=thread_ts, conversation=f"slack:{channel}:{thread_ts or 'dm'}"),
        question=event["text"].strip(),
        user=event.get("user", "unknown"),
        surface="dm",
    )
