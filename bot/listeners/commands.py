"""The ``/ops`` slash command: ack at once, answer lazily."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from agent.router import HELP_TEXT
from bot import messages
from bot.listeners.replies import post_answer
from bot.main import Services


def register(app: App, services: Services) -> None:
    """Add the ``/ops`` listener."""

    def ack_ops(ack: Ack, command: dict[str, Any]) -> None:
        text = (command.get("text") or "").strip()
        if not text:
            ack(text=messages.EMPTY_COMMAND)
        elif text.lower() == "help":
            ack(text=HELP_TEXT)
        else:
            ack(text=messages.WORKING)

    def answer_ops(command: dict[str, Any], client: WebClient) -> None:
        text = (command.get("text") or "").strip()
        if not text or text.lower() == "help":
            return
        answer = services.runner.answer(text, user=command["user_id"])
        post_answer(client, services, channel=command["channel_id"], answer=answer)

    app.command("/ops")(ack=ack_ops, lazy=[answer_ops])
