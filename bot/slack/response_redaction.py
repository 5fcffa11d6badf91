"""Secrets removed from what the bot sends to Slack: the request's Web API client and ``respond``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.context import BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk.webhook import WebhookResponse

from adapters.slack.redacting_client import RedactingWebClient
from domain.redaction import SecretRedactor


class RedactingRespond(Respond):
    """Bolt's ``respond`` with the secrets removed from the text, blocks and attachments."""

    def __init__(self, *, redactor: SecretRedactor, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.redactor = redactor

    def __call__(self, text: str | dict[str, Any] = "", **fields: Any) -> WebhookResponse:  # type: ignore[override]  # the same fields, by name
        """Send the message through the response URL, redacted."""
        clean = self.redactor.data
        return super().__call__(clean(text), **{k: clean(v) for k, v in fields.items()})


def redact_responses(redactor: SecretRedactor) -> Callable[..., None]:
    """The global Bolt middleware that gives listeners a ``client`` (and so ``say``) and a ``respond``
    removing the secrets (Bolt builds a plain client per request)."""

    def use_redacting_clients(
        context: BoltContext,
        next: Callable[[], None],  # noqa: A002 - Bolt passes arguments by name
    ) -> None:
        if context.client is not None and not isinstance(context.client, RedactingWebClient):
            context["client"] = RedactingWebClient.like(context.client, redactor)
        if context.response_url:
            context["respond"] = RedactingRespond(
                redactor=redactor,
                response_url=context.response_url,
                proxy=context.client.proxy,
                ssl=context.client.ssl,
            )
        next()

    return use_redacting_clients
