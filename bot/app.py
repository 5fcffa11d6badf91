"""build_app: the Slack Bolt app, created from settings and services (never at import time)."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.listeners import actions, commands, mentions
from bot.main import Services
from bot.settings import Settings
from domain.errors import ConfigError


def build_web_client(settings: Settings) -> WebClient:
    """A WebClient for the configured Slack Web API base URL and bot token."""
    token = settings.slack.bot_token.get_secret_value() if settings.slack.bot_token else None
    return WebClient(token=token, base_url=str(settings.slack.api_url), timeout=10)


def build_app(settings: Settings, services: Services, *, client: WebClient | None = None) -> App:
    """The Bolt app with every listener registered.

    Raises:
        ConfigError: the bot token or signing secret is missing.
    """
    if settings.slack.bot_token is None:
        raise ConfigError("SLACK_BOT_TOKEN is not set")
    if settings.slack.signing_secret is None:
        raise ConfigError("SLACK_SIGNING_SECRET is not set")
    app = App(
        client=client or build_web_client(settings),
        signing_secret=settings.slack.signing_secret.get_secret_value(),
        process_before_response=False,
        logger=logging.getLogger("smartcloudops.slack"),
    )
    commands.register(app, services)
    mentions.register(app, services)
    actions.register(app, services)
    return app
