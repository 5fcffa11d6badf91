"""Posting to Slack: a "working on it" placeholder, replaced by the answer; approvals and charts in the same thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.slack import blocks, messages
from bot.slack.approval_messages import remember_shown
from bot.slack.charts import chart_for
from bot.slack.mrkdwn import escape
from bot.slack.ops_answers import Reply, ask
from domain.errors import OpsError
from remediation.service import RemediationService

#: Slack's answers when the bot is not in the channel (slash commands work there anyway).
_CANNOT_POST = frozenset({"not_in_channel", "channel_not_found"})

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Place:
    """Where a conversation happens: channel, thread (None for top level) and the context key for the agent."""

    channel: str
    thread_ts: str | None
    conversation: str


class CannotPostHere(Exception):
    """The bot may not post in this channel (it is not a member)."""


def post_working(client: WebClient, place: Place, *, header: str | None = None) -> str | None:
    """Post the placeholder; returns its ts, or None when it could not be posted.

    Raises:
        CannotPostHere: the bot is not in the channel.
    """
    try:
        resp = client.chat_postMessage(
            channel=place.channel,
            text=messages.WORKING,
            blocks=blocks.working_blocks(header=header),
            thread_ts=place.thread_ts,
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error"))
        log.warning("slack_post_failed", channel=place.channel, error=error)
        if error in _CANNOT_POST:
            raise CannotPostHere(error) from exc
        return None
    return str(resp.get("ts")) if resp.get("ts") else None


def approval_message(remediation: RemediationService, request_id: str) -> tuple[str, list[dict[str, Any]]]:
    """The fallback text and blocks of a request's approval message, warning when nobody may approve it."""
    request = remediation.get(request_id)
    action = request.call.action
    warning = None if remediation.policy.approvers_for(action) else messages.no_approvers(action.value)
    return messages.approval_needed(request.call.describe()), blocks.approval_blocks(request, warning=warning)


def respond_reply(respond: Callable[..., Any], services: Services, reply: Reply, *, header: str | None) -> None:
    """Answer through the slash command's response URL (for channels the bot is not a member of)."""
    respond(
        text=escape(reply.text)[:3900],
        blocks=reply.blocks or blocks.answer_blocks(reply.text, header=header),
        response_type="in_channel",
    )
    services.telemetry.count_tool_calls(reply.tool_calls)
    if reply.approval_id and services.remediation is not None:
        text, approval = approval_message(services.remediation, reply.approval_id)
        respond(text=text, blocks=approval, response_type="in_channel")


def post_reply(
    client: WebClient,
    services: Services,
    place: Place,
    reply: Reply,
    *,
    placeholder_ts: str | None = None,
    header: str | None = None,
    question: str = "",
) -> None:
    """Replace the placeholder with ``reply`` (or post it), then the approval message and a chart if any."""
    reply_blocks = reply.blocks or blocks.answer_blocks(reply.text, header=header)
    if placeholder_ts:
        client.chat_update(
            channel=place.channel, ts=placeholder_ts, text=escape(reply.text)[:3900], blocks=reply_blocks
        )
    else:
        client.chat_postMessage(
            channel=place.channel, text=escape(reply.text)[:3900], blocks=reply_blocks, thread_ts=place.thread_ts
        )
    services.telemetry.count_tool_calls(reply.tool_calls)
    if reply.approval_id and services.remediation is not None:
        text, approval = approval_message(services.remediation, reply.approval_id)
        posted = client.chat_postMessage(channel=place.channel, text=text, blocks=approval, thread_ts=place.thread_ts)
        if posted.get("ts"):
            remember_shown(services.remediation, reply.approval_id, channel=place.channel, ts=str(posted["ts"]))
    chart = chart_for(services, question, reply.tool_calls)
    if chart is not None:
        client.files_upload_v2(
            channel=place.channel,
            thread_ts=place.thread_ts,
            content=chart.png,
            filename=chart.filename,
            title=chart.title,
        )


def answer_lazily(
    client: WebClient,
    services: Services,
    place: Place,
    work: Callable[[], Reply],
    *,
    header: str | None = None,
    question: str = "",
    surface: str,
    respond: Callable[..., Any] | None = None,
) -> None:
    """Show the placeholder, do ``work``, and replace the placeholder with what it returns.

    When the bot may not post in the channel and ``respond`` (a slash command's response URL) is
    given, the answer goes there instead. This is the boundary of a lazy listener: any failure
    becomes a sentence in Slack and a log line.
    """
    started = time.perf_counter()
    try:
        placeholder = post_working(client, place, header=header)
    except CannotPostHere:
        if respond is None:
            return
        placeholder = None
    else:
        respond = None
    outcome = "ok"
    try:
        reply = work()
    except OpsError as exc:
        outcome = "error"
        reply = Reply(text=messages.sorry(str(exc)))
    except Exception:  # the lazy listener's boundary: the user must not be left with "working on it"
        outcome = "error"
        log.exception("answer_failed", surface=surface, channel=place.channel)
        reply = Reply(text=messages.INTERNAL_ERROR)
    try:
        if respond is not None:
            respond_reply(respond, services, reply, header=header)
        else:
            post_reply(client, services, place, reply, placeholder_ts=placeholder, header=header, question=question)
    except SlackApiError as exc:
        outcome = "error"
        log.error("slack_reply_failed", surface=surface, channel=place.channel, error=str(exc.response.get("error")))
    except (OSError, OpsError) as exc:  # Slack unreachable, or the approval store failed after the answer
        outcome = "error"
        log.error("slack_reply_failed", surface=surface, channel=place.channel, error=str(exc))
    log.info(
        "answer_posted",
        surface=surface,
        channel=place.channel,
        thread_ts=place.thread_ts,
        outcome=outcome,
        tool_calls=[c.name for c in reply.tool_calls],
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
    )


def answer_question(
    client: WebClient, services: Services, place: Place, *, question: str, user: str, surface: str
) -> None:
    """Answer a free-text question asked in ``place`` (a mention's thread, a DM), in the same place."""

    def work() -> Reply:
        return ask(services, question, user=user, conversation=place.conversation)

    answer_lazily(client, services, place, work, question=question, surface=surface)
