"""@mentions of the bot: ack, then answer in the thread."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.listeners.replies import post_answer
from bot.main import Services

_MENTION = re.compile(r"<@[A-Z0-9]+>")


def register(app: App, services: Services) -> None:
    """Add the ``app_mention`` listener."""

    def ack_mention(ack: Ack) -> None:
        ack()

    def answer_mention(event: dict[str, Any], client: WebClient) -> None:
        question = _MENTION.sub("", event.get("text", "")).strip()
        answer = services.runner.answer(question, user=event.get("user", "unknown"))
        post_answer(
            client,
            services,
            channel=event["channel"],
            answer=answer,
            thread_ts=event.get("thread_ts") or event.get("ts"),
        )

    app.event("app_mention")(ack=ack_mention, lazy=[answer_mention])
