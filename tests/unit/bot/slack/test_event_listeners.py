"""@mentions and DMs: each question is answered where it was asked, and the thread keeps its context."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack import messages
from bot.slack.listeners.events.app_mention import answer_mention
from bot.slack.listeners.events.direct_message import answer_direct_message, is_dm_from_a_person
from tests.unit.bot.slack.fakes import FakeSlackClient


def mention(text: str, *, ts: str = "1700000100.000100", thread_ts: str | None = None) -> dict[str, Any]:
    event = {"type": "app_mention", "channel": "C_OPS", "user": "U_ONCALL", "text": text, "ts": ts}
    return {**event, "thread_ts": thread_ts} if thread_ts else event


def dm(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel_type": "im", "channel": "D_ONCALL", "user": "U_ONCALL", "text": text, **extra}


def test_a_mention_is_answered_in_its_thread(client: FakeSlackClient, context: dict[str, Any]) -> None:
    answer_mention(mention("<@U_BOT> what is the current CPU on web-1?"), client, context)

    [placeholder] = client.received("chat.postMessage")
    [update] = client.received("chat.update")
    assert ("C_OPS", "1700000100.000100", messages.WORKING) == (
        placeholder["channel"],
        placeholder["thread_ts"],
        placeholder["text"],
    )
    assert update["text"].startswith("web-1 CPU: ")


def test_a_follow_up_in_the_thread_keeps_the_thread_context(client: FakeSlackClient, context: dict[str, Any]) -> None:
    answer_mention(mention("<@U_BOT> what is the current CPU on web-1?"), client, context)
    answer_mention(
        mention("<@U_BOT> and memory?", ts="1700000200.000200", thread_ts="1700000100.000100"), client, context
    )

    second = client.received("chat.update")[1]
    assert "1700000100.000100" == client.received("chat.postMessage")[1]["thread_ts"]
    assert second["text"].startswith("web-1 memory used: ")


def test_a_dm_is_answered_in_the_dm(client: FakeSlackClient, context: dict[str, Any]) -> None:
    answer_direct_message(dm("what is the current CPU on web-1?"), client, context)

    [placeholder] = client.received("chat.postMessage")
    [update] = client.received("chat.update")
    assert ("D_ONCALL", None, messages.WORKING) == (
        placeholder["channel"],
        placeholder["thread_ts"],
        placeholder["text"],
    )
    assert "D_ONCALL" == update["channel"]
    assert update["text"].startswith("web-1 CPU: ")


def test_messages_that_are_not_a_persons_dm_are_left_alone(client: FakeSlackClient, context: dict[str, Any]) -> None:
    answer_direct_message({**dm("hello"), "channel_type": "channel", "channel": "C_OPS"}, client, context)
    answer_direct_message(dm("hello", bot_id="B1"), client, context)

    assert [] == client.calls


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (dm("cpu?"), True),
        (dm("cpu?", subtype="file_share"), True),
        (dm("cpu?", subtype="message_changed"), False),
        (dm("cpu?", bot_id="B1"), False),
        (dm("   "), False),
        ({**dm("cpu?"), "channel_type": "channel"}, False),
    ],
)
def test_is_dm_from_a_person(event: dict[str, Any], expected: bool) -> None:
    assert expected == is_dm_from_a_person(event)
