"""build_app: the Slack Bolt app, created from settings and services (never at import time)."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_sdk import WebClient

from adapters.slack.notifier import retrying_web_client
from bot.config.settings import Settings
from bot.services import Services
from bot.slack.listeners import register_listeners
from bot.slack.middleware import RateLimiter, SeenEvents, attach_services, build_gate, record_request
from domain.errors import ConfigError, NotifierUnavailable


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


def build_web_client(settings: Settings) -> WebClient:
    """A WebClient for the configured Slack Web API base URL and bot token (no retries)."""
    token = settings.slack.bot_token.get_secret_value() if settings.slack.bot_token else None
    return WebClient(token=token, base_url=str(settings.slack.api_url), timeout=10)


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
    try:
        app = InstrumentedApp(
            services=services,
            client=client
            or retrying_web_client(build_web_client(settings), max_wait_seconds=ANSWER_MAX_RATE_LIMIT_WAIT),
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
    app.use(
        build_gate(
            allowed_channels=frozenset(settings.slack.allowed_channels),
            limiter=RateLimiter(settings.slack.rate_limit_per_minute),
            seen=SeenEvents(shared=services.leases),
            notices=build_web_client(settings),
        )
    )
    register_listeners(app)
    return app
