"""Follow-ups in a channel thread the bot has answered in: answered without a new @mention.

Slack sends every message of the channels the bot is in (``message.channels``,
``message.groups``); a threaded message from a person is answered when the bot has a message in
that thread (Slack's ``conversations.replies`` says so), with the thread's conversation context.
A message that mentions the bot is left to the ``app_mention`` listener, so it is answered once.
"""

from __future__ import annotations

from typing import Any

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.listeners.replies import Place, answer_question
from bot.slack.middleware import services_in

log = structlog.get_logger(__name__)

_CHANNEL_TYPES = frozenset({"channel", "group"})


def is_thread_follow_up(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A person's threaded reply in a channel, without a mention of the bot. Pure."""
    thread_ts = event.get("thread_ts")
    text = str(event.get("text") or "")
    return (
        event.get("channel_type") in _CHANNEL_TYPES
        and bool(thread_ts)
        and thread_ts != event.get("ts")
        and not event.get("bot_id")
        and event.get("subtype") in (None, "file_share")
        and bool(text.strip())
        and not (bot_user_id and f"<@{bot_user_id}>" in text)
    )


def bot_in_thread(client: WebClient, *, channel: str, thread_ts: str, bot_user_id: str) -> bool:
    """True when one of the thread's messages is the bot's (a thread Slack cannot list counts as not)."""
    try:
        resp = client.conversations_replies(channel=channel, ts=thread_ts, limit=200)
    except SlackApiError as exc:
        log.warning("thread_lookup_failed", channel=channel, error=str(exc.response.get("error")))
        return False
    return any(m.get("user") == bot_user_id for m in resp.get("messages") or [])


def answer_thread_follow_up(event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    """Answer a follow-up in a thread the bot is in; every other ``message`` event is left alone."""
    bot_user_id = context.get("bot_user_id")
    if not bot_user_id or not is_thread_follow_up(event, bot_user_id):
        return
    channel, thread_ts = event["channel"], event["thread_ts"]
    if not bot_in_thread(client, channel=channel, thread_ts=thread_ts, bot_user_id=bot_user_id):
        return
    answer_question(
        client,
        services_in(context),
        Place(channel=channel, thread_ts=thread_ts, conversation=f"slack:{channel}:{thread_ts}"),
        question=event["text"].strip(),
        user=event.get("user", "unknown"),
        surface="thread",
    )
