"""The ``/ops`` listener: help and bad arguments in the ack, answers in the channel or through the response URL."""

from __future__ import annotations

from typing import Any

from bot.services import Services
from bot.slack import blocks, messages
from bot.slack.listeners.commands.ops import ack_ops, answer_ops
from bot.slack.mrkdwn import escape
from tests.unit.bot.slack.fakes import FakeSlackClient, Recorder


def ops(text: str, *, user: str = "U_ONCALL", channel: str = "C_OPS") -> dict[str, Any]:
    return {"command": "/ops", "text": text, "user_id": user, "channel_id": channel}


def test_help_is_the_ack(ack: Recorder, context: dict[str, Any]) -> None:
    ack_ops(ack, ops("help"), context)

    assert [{"text": escape(messages.OPS_HELP)}] == ack.calls
    assert "/ops help" == context["command"]


def test_an_empty_command_acks_with_the_help(ack: Recorder, context: dict[str, Any]) -> None:
    ack_ops(ack, ops("  "), context)

    assert [{"text": escape(messages.OPS_HELP)}] == ack.calls


def test_bad_arguments_are_explained_in_the_ack(ack: Recorder, context: dict[str, Any]) -> None:
    ack_ops(ack, ops("anomalies lots"), context)

    expected = messages.bad_command("`/ops anomalies` takes a count from 1 to 50, not 'lots'.")
    assert [{"text": expected}] == ack.calls
    assert "bad_input" == context["outcome"]


def test_a_question_is_acked_empty(ack: Recorder, context: dict[str, Any]) -> None:
    ack_ops(ack, ops("what is the current CPU on web-1?"), context)

    assert [{}] == ack.calls
    assert "/ops ask" == context["command"]


def test_a_question_is_answered_in_the_channel(
    client: FakeSlackClient, respond: Recorder, context: dict[str, Any]
) -> None:
    answer_ops(ops("what is the current CPU on web-1?"), client, respond, context)

    [placeholder] = client.received("chat.postMessage")
    [update] = client.received("chat.update")
    assert messages.WORKING == placeholder["text"]
    assert ("C_OPS", None) == (placeholder["channel"], placeholder["thread_ts"])
    assert "1700000000.000001" == update["ts"]
    assert update["text"].startswith("web-1 CPU: ")
    assert "<@U_ONCALL> asked: _/ops what is the current CPU on web-1?_" == update["blocks"][0]["elements"][0]["text"]
    assert [] == respond.calls


def test_help_is_not_answered_again_by_the_lazy_listener(
    client: FakeSlackClient, respond: Recorder, context: dict[str, Any]
) -> None:
    answer_ops(ops("help"), client, respond, context)
    answer_ops(ops("anomalies lots"), client, respond, context)

    assert [] == client.calls
    assert [] == respond.calls


def test_where_the_bot_may_not_post_the_answer_goes_to_the_response_url(
    respond: Recorder, context: dict[str, Any]
) -> None:
    client = FakeSlackClient(failing={"chat.postMessage": "not_in_channel"})

    answer_ops(ops("what is the current CPU on web-1?"), client, respond, context)

    [answer] = respond.calls
    assert "in_channel" == answer["response_type"]
    assert answer["text"].startswith("web-1 CPU: ")
    assert [] == client.received("chat.update")


def test_a_remediation_request_posts_the_approval_message(
    client: FakeSlackClient, respond: Recorder, context: dict[str, Any], services: Services
) -> None:
    answer_ops(ops("scale web-asg up by 1"), client, respond, context)

    [pending] = services.approvals.pending()
    [_placeholder, approval] = client.received("chat.postMessage")
    assert messages.approval_needed("scale web-asg up by 1") == approval["text"]
    assert blocks.approval_blocks(pending) == approval["blocks"]


def test_an_earlier_command_lends_no_host_to_the_next(
    client: FakeSlackClient, respond: Recorder, context: dict[str, Any]
) -> None:
    """A slash command is in no thread, so nothing it said is context for the next one."""
    answer_ops(ops("what is the current CPU on web-1?"), client, respond, context)
    answer_ops(ops("and the memory there?"), client, respond, context)

    first, second = client.received("chat.update")
    assert first["text"].startswith("web-1 CPU: ")
    assert not second["text"].startswith("web-1")
