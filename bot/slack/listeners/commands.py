"""The ``/ops`` slash command: ack at once (help and bad arguments in the ack), answer lazily in the channel."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.services import Services
from bot.slack import messages
from bot.slack.listeners.replies import Place, answer_lazily
from bot.slack.ops_answers import answer_command
from bot.slack.ops_command import OpsKind, parse_ops
from domain.errors import InputError


def register(app: App, services: Services) -> None:
    """Add the ``/ops`` listener."""

    def ack_ops(ack: Ack, command: dict[str, Any], context: dict[str, Any]) -> None:
        text = (command.get("text") or "").strip()
        try:
            parsed = parse_ops(text)
        except InputError as exc:
            context["outcome"] = "bad_input"
            ack(text=messages.bad_command(str(exc)))
            return
        context["command"] = f"/ops {parsed.name}"
        if parsed.kind in {OpsKind.HELP, OpsKind.EMPTY}:
            ack(text=messages.OPS_HELP)
        else:
            ack()

    def answer_ops(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        text = (command.get("text") or "").strip()
        try:
            parsed = parse_ops(text)
        except InputError:
            return
        if parsed.kind in {OpsKind.HELP, OpsKind.EMPTY}:
            return
        user = command["user_id"]
        channel = command["channel_id"]
        answer_lazily(
            client,
            services,
            Place(channel=channel, thread_ts=None, conversation=f"slack:{channel}:{user}"),
            lambda: answer_command(services, parsed, user=user, conversation=f"slack:{channel}:{user}"),
            header=messages.asked(user, f"/ops {text}"),
            question=parsed.question or text,
            surface="command",
            respond=respond,
        )

    app.command("/ops")(ack=ack_ops, lazy=[answer_ops])
