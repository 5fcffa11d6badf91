"""SlackNotifier: the ``Notifier`` port over the Slack Web API."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from domain.errors import NotifierUnavailable


class SlackNotifier:
    """Posts to Slack channels with the bot token's ``WebClient``."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """Post a message.

        Raises:
            NotifierUnavailable: Slack refused the message or could not be reached.
        """
        try:
            self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except SlackApiError as exc:
            raise NotifierUnavailable(f"Slack refused a message to {channel}: {exc.response.get('error')}") from exc
        except OSError as exc:
            raise NotifierUnavailable(f"Slack unreachable: {exc}") from exc
