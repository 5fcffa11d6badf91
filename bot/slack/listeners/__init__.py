"""Slack listeners, one package per surface and one module per handler (bolt's starter-template layout).

Handlers are module-level functions whose parameters Bolt injects by name (``ack``, ``body``,
``command``, ``event``, ``client``, ``respond``, ``context``); the services come from
``context["services"]``, which the ``attach_services`` middleware sets on every request.
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import actions, commands, events


def register_listeners(app: App) -> None:
    """Add every listener to ``app``."""
    commands.register(app)
    events.register(app)
    actions.register(app)
