"""@mentions of the bot: ack, then answer in the thread (the thread is the conversation)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.services import Services
from bot.slack.listeners.replies import Place, answer_lazily
from bot.slack.ops_answers import Reply, ask

_MENTION = re.compile(r"<@[A-Z0-9]+>")


def register(app: App, services: Services) -> None:
    """Add the ``app_mention`` listener."""

    def ack_mention(ack: Ack) -> None:
        ack()

    def answer_mention(event: dict[str, Any], client: WebClient) -> None:
        question = _MENTION.sub("", event.get("text", "")).strip()
        channel = event["channel"]
        thread_ts = event.get("thread_ts") or event.get("ts")
        place = Place(channel=channel, thread_ts=thread_ts, conversation=f"slack:{channel}:{thread_ts}")
        user = event.get("user", "unknown")

        def work() -> Reply:
            return ask(services, question, user=user, conversation=place.conversation)

        answer_lazily(client, services, place, work, question=question, surface="mention")

    app.event("app_mention")(ack=ack_mention, lazy=[answer_mention])
