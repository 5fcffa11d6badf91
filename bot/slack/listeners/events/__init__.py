"""Events API listeners: @mentions, direct messages, and follow-ups in the threads the bot is in."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.slack.listeners.events.app_mention import answer_mention
from bot.slack.listeners.events.direct_message import answer_direct_message
from bot.slack.listeners.events.thread_reply import answer_thread_follow_up


def ack_event(ack: Ack) -> None:
    """Acknowledge an event at once; the answer comes from the lazy listener."""
    ack()


def register(app: App) -> None:
    """Add the ``app_mention`` and ``message`` (``message.im``, ``message.channels``, ``message.groups``) listeners."""
    app.event("app_mention")(ack=ack_event, lazy=[answer_mention])
    app.event("message")(ack=ack_event, lazy=[answer_direct_message, answer_thread_follow_up])
