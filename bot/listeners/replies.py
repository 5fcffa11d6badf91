"""Posting an Answer back to Slack: plain text, or the approval message when one was requested."""

from __future__ import annotations

from slack_sdk import WebClient

from agent.runner import Answer
from bot import blocks
from bot.main import Services


def post_answer(
    client: WebClient, services: Services, *, channel: str, answer: Answer, thread_ts: str | None = None
) -> None:
    """Post ``answer`` in ``channel`` (in the thread when ``thread_ts`` is given)."""
    client.chat_postMessage(
        channel=channel, text=answer.answer, blocks=blocks.text_blocks(answer.answer), thread_ts=thread_ts
    )
    if answer.approval_id and services.remediation is not None:
        request = services.remediation.get(answer.approval_id)
        client.chat_postMessage(
            channel=channel,
            text=f"Approval needed: {request.call.describe()}",
            blocks=blocks.approval_blocks(request),
            thread_ts=thread_ts,
        )
