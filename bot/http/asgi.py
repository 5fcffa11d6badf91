"""``smartcloudops serve``: the Slack app over HTTP (with the HTTP API) or Socket Mode, plus the scheduled jobs."""

from __future__ import annotations

import threading
from typing import Any

import structlog
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.slack.notifier import SlackNotifier
from bot.config.settings import Settings
from bot.http.api import api_routes
from bot.logging import configure_logging
from bot.services import Services
from bot.slack.app import build_app
from bot.wiring import build_services
from domain.errors import ConfigError

log = structlog.get_logger(__name__)


def build_http_app(app: App, services: Services) -> Starlette:
    """The ASGI app: ``/slack/events`` for Slack, and the HTTP API."""

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        bolt_response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    return Starlette(routes=[Route("/slack/events", slack_events, methods=["POST"]), *api_routes(services)])


def start_scheduler(settings: Settings, services: Services, app: App) -> Any | None:
    """Start the scheduled jobs (detection, rule actions, approval expiry, digests, retrain) unless disabled.

    Every replica may run it: each job's tick runs once across them (a lease per job and tick).

    Raises:
        ConfigError: a schedule is not valid.
    """
    if not settings.scheduler.enabled:
        return None
    from adapters.slack.notifier import retrying_web_client
    from bot.jobs.schedule import build_job_scheduler

    scheduler = build_job_scheduler(settings, services, notifier=SlackNotifier(retrying_web_client(app.client)))
    scheduler.start()
    return scheduler


def serve(settings: Settings, *, http: bool) -> int:
    """Run until interrupted."""
    configure_logging(event_log_dir=settings.audit.dir)
    services = build_services(settings)
    if not http and settings.slack.app_token is None:
        raise ConfigError("SLACK_APP_TOKEN is not set (needed for Socket Mode)")
    app = build_app(settings, services)
    scheduler = start_scheduler(settings, services, app)
    try:
        if http:
            import uvicorn

            log.info("serving_http", host=settings.http.host, port=settings.http.port)
            uvicorn.run(
                build_http_app(app, services), host=settings.http.host, port=settings.http.port, log_config=None
            )
            return 0
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        app_token = settings.slack.app_token
        if app_token is None:
            raise ConfigError("SLACK_APP_TOKEN is not set (needed for Socket Mode)")
        log.info("serving_socket_mode")
        handler = SocketModeHandler(app, app_token.get_secret_value(), web_client=app.client)
        handler.connect()  # type: ignore[no-untyped-call]
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            handler.close()  # type: ignore[no-untyped-call]
        return 0
    finally:
        if scheduler is not None:
            scheduler.shutdown()
