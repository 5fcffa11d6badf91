"""``smartcloudops serve``: the Slack app over HTTP (with the HTTP API) or Socket Mode, plus the digest schedule."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import structlog
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.app import build_app
from bot.digest import DigestJob, run_digest_job
from bot.http_api import api_routes
from bot.logging import configure_logging
from bot.main import Services, build_services
from bot.notifier import SlackNotifier
from bot.settings import Settings
from domain.errors import ConfigError

log = structlog.get_logger(__name__)


def build_http_app(app: App, services: Services) -> Starlette:
    """The ASGI app: ``/slack/events`` for Slack, and the HTTP API."""

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        bolt_response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    return Starlette(routes=[Route("/slack/events", slack_events, methods=["POST"]), *api_routes(services)])


def start_digest_schedule(settings: Settings, services: Services, app: App) -> Any | None:
    """Schedule the digest when a digest channel is configured; returns the running scheduler.

    Raises:
        ConfigError: the schedule is not a valid crontab line.
    """
    channel = settings.slack.digest_channel
    if not channel:
        return None
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    try:
        trigger = CronTrigger.from_crontab(settings.slack.digest_schedule, timezone="UTC")
    except ValueError as exc:
        raise ConfigError(f"SCO_SLACK__DIGEST_SCHEDULE '{settings.slack.digest_schedule}': {exc}") from exc
    job = DigestJob(
        store=services.anomalies,
        notifier=SlackNotifier(app.client),
        channel=channel,
        window=timedelta(hours=settings.slack.digest_window_hours),
        grafana_url=str(settings.slack.grafana_url) if settings.slack.grafana_url else None,
        post_when_quiet=settings.slack.digest_post_when_quiet,
    )
    failures = services.telemetry.job_failures.labels(job="digest")
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        lambda: run_digest_job(job, services.clock.now(), on_failure=failures.inc),
        trigger,
        id="digest",
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    log.info("digest_scheduled", channel=channel, schedule=settings.slack.digest_schedule)
    return scheduler


def start_scheduler(settings: Settings, services: Services, app: App) -> Any | None:
    """Start the scheduled jobs (detection, rule actions, approval expiry, digests, retrain) unless disabled.

    Every replica may run it: each job's tick runs once across them (a lease per job and tick).

    Raises:
        ConfigError: a schedule is not valid.
    """
    if not settings.scheduler.enabled:
        return None
    from adapters.slack_notifier import retrying_web_client
    from bot.jobs import build_job_scheduler

    scheduler = build_job_scheduler(settings, services, notifier=SlackNotifier(retrying_web_client(app.client)))
    scheduler.start()
    return scheduler


def serve(settings: Settings, *, http: bool) -> int:
    """Run until interrupted."""
    configure_logging(event_log_dir=settings.audit.dir)
    services = build_services(settings)
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

        if settings.slack.app_token is None:
            raise ConfigError("SLACK_APP_TOKEN is not set (needed for Socket Mode)")
        log.info("serving_socket_mode")
        handler = SocketModeHandler(app, settings.slack.app_token.get_secret_value(), web_client=app.client)
        handler.connect()  # type: ignore[no-untyped-call]
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            handler.close()  # type: ignore[no-untyped-call]
        return 0
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
