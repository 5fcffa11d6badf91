"""Follow-ups in a channel thread the bot is in are answered without a mention, with the thread's context."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack.listeners.events.app_mention import answer_mention
from bot.slack.listeners.events.thread_reply import answer_thread_follow_up, is_thread_follow_up
from tests.unit.bot.slack.fakes import FakeSlackClient

THREAD = "1700000100.000100"


def reply(text: str, **extra: Any) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel_type": "channel",
        "channel": "C_OPS",
        "user": "U_ONCALL",
        "text": text,
        "ts": "1700000200.000200",
        "thread_ts": THREAD,
    }
    return {**event, **extra}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (reply("and memory?"), True),
        (reply("and memory?", channel_type="group"), True),
        (reply("and memory?", channel_type="im"), False),
        (reply("<@U_BOT> and memory?"), False),
        (reply("and memory?", thread_ts=None), False),
        (reply("top level", ts=THREAD), False),
        (reply("from a bot", bot_id="B1"), False),
        (reply("edited", subtype="message_changed"), False),
        (reply("   "), False),
    ],
    ids=["channel", "private", "dm", "mentions the bot", "no thread", "thread parent", "bot", "edit", "blank"],
)
def test_is_thread_follow_up(event: dict[str, Any], expected: bool) -> None:
    assert expected == is_thread_follow_up(event, "U_BOT")


def test_a_follow_up_in_the_bots_thread_is_answered_with_the_threads_context(
    client: FakeSlackClient, context: dict[str, Any]
) -> None:
    context["bot_user_id"] = "U_BOT"
    answer_mention(
        {"type": "app_mention", "channel": "C_OPS", "user": "U_ONCALL", "text": "<@U_BOT> CPU on web-1?", "ts": THREAD},
        client,
        context,
    )
    client.threads[THREAD] = [{"user": "U_ONCALL", "ts": THREAD}, {"user": "U_BOT", "ts": "1700000150.0"}]

    answer_thread_follow_up(reply("and memory?"), client, context)

    assert [{"channel": "C_OPS", "ts": THREAD, "limit": 200}] == client.received("conversations.replies")
    assert THREAD == client.received("chat.postMessage")[1]["thread_ts"]
    assert client.received("chat.update")[1]["text"].startswith("web-1 memory used: ")


def test_a_thread_without_the_bot_is_left_alone(client: FakeSlackClient, context: dict[str, Any]) -> None:
    context["bot_user_id"] = "U_BOT"
    client.threads[THREAD] = [{"user": "U_ONCALL", "ts": THREAD}, {"user": "U_OTHER", "ts": "1700000150.0"}]

    answer_thread_follow_up(reply("and memory?"), client, context)

    assert ["conversations.replies"] == [c.method for c in client.calls]


def test_a_thread_slack_cannot_list_is_left_alone(context: dict[str, Any]) -> None:
    context["bot_user_id"] = "U_BOT"
    client = FakeSlackClient(failing={"conversations.replies": "missing_scope"})

    answer_thread_follow_up(reply("and memory?"), client, context)

    assert ["conversations.replies"] == [c.method for c in client.calls]
