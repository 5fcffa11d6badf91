"""@mentions of the bot: answered in the thread (the thread is the conversation)."""

from __future__ import annotations

import re
from typing import Any

from slack_sdk import WebClient

from bot.slack.listeners.replies import Place, answer_question
from bot.slack.middleware import services_in

_MENTION = re.compile(r"<@[A-Z0-9]+>")


def answer_mention(event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    """Answer the question of an ``app_mention`` in its thread (a new thread under a top-level mention)."""
    channel = event["channel"]
    thread_ts = event.get("thread_ts") or event.get("ts")
    answer_question(
        client,
        services_in(context),
        Place(channel=channel, thread_ts=thread_ts, conversation=f"slack:{channel}:{thread_ts}"),
        question=_MENTION.sub("", event.get("text", "")).strip(),
        user=event.get("user", "unknown"),
        surface="mention",
    )
