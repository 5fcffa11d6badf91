"""Direct messages to the bot: answered in the DM (in the thread when the message is in one)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.services import Services
from bot.slack.listeners.replies import Place, answer_lazily
from bot.slack.ops_answers import Reply, ask


def _is_dm_from_a_person(event: dict[str, Any]) -> bool:
    return (
        event.get("channel_type") == "im"
        and not event.get("bot_id")
        and event.get("subtype") in (None, "file_share")
        and bool(event.get("text", "").strip())
    )


def register(app: App, services: Services) -> None:
    """Add the DM listener (``message.im`` events)."""

    def ack_message(ack: Ack) -> None:
        ack()

    def answer_message(event: dict[str, Any], client: WebClient) -> None:
        if not _is_dm_from_a_person(event):
            return
        channel = event["channel"]
        thread_ts = event.get("thread_ts")
        place = Place(channel=channel, thread_ts=thread_ts, conversation=f"slack:{channel}:{thread_ts or 'dm'}")
        question = event["text"].strip()
        user = event.get("user", "unknown")

        def work() -> Reply:
            return ask(services, question, user=user, conversation=place.conversation)

        answer_lazily(client, services, place, work, question=question, surface="dm")

    app.event("message")(ack=ack_message, lazy=[answer_message])
