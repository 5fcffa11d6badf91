"""The ``/ops`` slash command: ack at once (help and bad arguments in the ack), answer lazily in the channel."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.slack import messages
from bot.slack.approval_commands import cancel_request
from bot.slack.incident_actions import ack_command
from bot.slack.incident_silence import silence_command
from bot.slack.listeners.replies import Place, answer_lazily
from bot.slack.middleware import services_in
from bot.slack.mrkdwn import escape
from bot.slack.ops_answers import Reply, answer_command
from bot.slack.ops_command import OpsKind, parse_ops
from domain.errors import InputError

_ANSWERED_IN_ACK = frozenset({OpsKind.HELP, OpsKind.EMPTY})


def ack_ops(ack: Ack, command: dict[str, Any], context: dict[str, Any]) -> None:
    """Acknowledge ``/ops``: the help text and argument errors are the ack itself."""
    try:
        parsed = parse_ops((command.get("text") or "").strip())
    except InputError as exc:
        context["outcome"] = "bad_input"
        ack(text=messages.bad_command(str(exc)))
        return
    context["command"] = f"/ops {parsed.name}"
    if parsed.kind in _ANSWERED_IN_ACK:
        ack(text=escape(messages.OPS_HELP))
    else:
        ack()


def answer_ops(command: dict[str, Any], client: WebClient, respond: Respond, context: dict[str, Any]) -> None:
    """Answer ``/ops`` in the channel (through the response URL where the bot may not post)."""
    text = (command.get("text") or "").strip()
    try:
        parsed = parse_ops(text)
    except InputError:
        return
    if parsed.kind in _ANSWERED_IN_ACK:
        return
    services = services_in(context)
    user = command["user_id"]
    channel = command["channel_id"]
    place = Place(channel=channel, thread_ts=None, conversation=f"slack:{channel}:{user}")

    def work() -> Reply:
        if parsed.kind is OpsKind.CANCEL:
            return cancel_request(services, client, parsed.target or "", user=user)
        if parsed.kind is OpsKind.ACK:
            return ack_command(services, parsed.target or "", user=user)
        if parsed.kind in {OpsKind.SILENCE, OpsKind.UNSILENCE}:
            return silence_command(services, client, parsed.target or "", user=user, choice=parsed.silence)
        # Each /ops stands alone: it is in no thread, so nothing carries over from an earlier command.
        return answer_command(services, parsed, user=user, conversation=None)

    answer_lazily(
        client,
        services,
        place,
        work,
        header=messages.asked(user, f"/ops {text}"),
        question=parsed.question or text,
        surface="command",
        respond=respond,
    )
