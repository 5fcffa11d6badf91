"""build_app: the Slack Bolt app, created from settings and services (never at import time)."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_sdk import WebClient

from adapters.slack.notifier import retrying_web_client
from adapters.slack.redacting_client import RedactingWebClient
from bot.config.settings import Settings
from bot.services import Services
from bot.slack.listeners import register_listeners
from bot.slack.middleware import (
    RateLimiter,
    SeenEvents,
    attach_services,
    build_gate,
    record_request,
    scope_to_workspace,
)
from bot.slack.response_redaction import redact_responses
from domain.errors import ConfigError, NotifierUnavailable
from domain.redaction import SecretRedactor


class InstrumentedApp(App):
    """A Bolt ``App`` that logs and counts every request it dispatches (HTTP and Socket Mode alike)."""

    def __init__(self, *, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        """Dispatch ``req`` and record how it went."""
        started = time.perf_counter()
        resp = super().dispatch(req)
        record_request(req, resp, seconds=time.perf_counter() - started, telemetry=self.services.telemetry)
        return resp


#: Longest Slack ``Retry-After`` an answer waits out before giving up on posting it.
ANSWER_MAX_RATE_LIMIT_WAIT = 15.0


def build_web_client(settings: Settings, redactor: SecretRedactor | None = None) -> WebClient:
    """A WebClient for the configured Slack Web API base URL and bot token (no retries).

    Args:
        redactor: removes these secrets from every message sent (token shapes only when None).
    """
    token = settings.slack.bot_token.get_secret_value() if settings.slack.bot_token else None
    return RedactingWebClient(
        redactor=redactor or SecretRedactor(), token=token, base_url=str(settings.slack.api_url), timeout=10
    )


def build_app(settings: Settings, services: Services, *, client: WebClient | None = None) -> App:
    """The Bolt app with the services middleware, the request gate and every listener registered.

    Raises:
        ConfigError: the bot token or signing secret is missing, or Slack refuses the token.
        NotifierUnavailable: the Slack Web API cannot be reached to check the token.
    """
    if settings.slack.bot_token is None:
        raise ConfigError("SLACK_BOT_TOKEN is not set")
    if settings.slack.signing_secret is None:
        raise ConfigError("SLACK_SIGNING_SECRET is not set")
    web_client = build_web_client(settings, services.redactor)
    try:
        app = InstrumentedApp(
            services=services,
            client=client or retrying_web_client(web_client, max_wait_seconds=ANSWER_MAX_RATE_LIMIT_WAIT),
            signing_secret=settings.slack.signing_secret.get_secret_value(),
            # Ack functions are fast and run in the request thread; everything slow is a lazy listener.
            process_before_response=True,
            logger=logging.getLogger("smartcloudops.slack"),
        )
    except BoltError as exc:  # auth.test refused the token
        raise ConfigError(f"Slack refused SLACK_BOT_TOKEN ({exc})") from exc
    except OSError as exc:
        raise NotifierUnavailable(f"the Slack Web API at {settings.slack.api_url} is unreachable ({exc})") from exc
    app.use(attach_services(services))
    app.use(redact_responses(services.redactor or SecretRedactor()))
    app.use(
        build_gate(
            allowed_channels=frozenset(settings.slack.allowed_channels),
            limiter=RateLimiter(settings.slack.rate_limit_per_minute),
            seen=SeenEvents(shared=services.leases),
            notices=web_client,
        )
    )
    app.use(scope_to_workspace(app_id=settings.slack.app_id))
    register_listeners(app)
    return app
