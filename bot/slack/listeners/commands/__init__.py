"""Slash commands."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.commands.ops import ack_ops, answer_ops


def register(app: App) -> None:
    """Add the ``/ops`` listener: help and bad arguments in the ack, the answer lazily."""
    app.command("/ops")(ack=ack_ops, lazy=[answer_ops])
