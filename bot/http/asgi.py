"""``smartcloudops serve``: the Slack app over HTTP (with the HTTP API) or Socket Mode, plus the scheduled jobs."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import socket
import sys
import threading
import time
from typing import Any

import structlog
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.slack.notifier import SlackNotifier, retrying_web_client
from bot.config.secrets import secret_values
from bot.config.settings import Settings
from bot.http.api import api_routes
from bot.http.edge import BodyLimit, RedactResponses
from bot.http.slack_payload import MalformedSlackRequest, check_slack_body
from bot.jobs.reconcile import reconcile_at_start
from bot.logging import configure_logging
from bot.services import Services
from bot.slack.app import build_app
from bot.slack.middleware import SeenEvents
from bot.wiring import build_services
from domain.errors import ConfigError
from domain.redaction import SecretRedactor

log = structlog.get_logger(__name__)

#: How old a Slack request's timestamp may be, in seconds (Slack's own replay window).
SIGNATURE_WINDOW = 300


def _signed(secret: str | None, body: bytes, timestamp: str, signature: str, *, now: float) -> bool:
    """True when Slack signed the raw ``body`` at ``timestamp``, within its five-minute window.

    Computed on the bytes as received (the SDK's verifier decodes them first, which a non-UTF-8
    body turns into an exception).
    """
    if secret is None or not timestamp.isdigit() or not signature or abs(now - int(timestamp)) > SIGNATURE_WINDOW:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode(errors="replace"))


def build_http_app(app: App, services: Services) -> Starlette:
    """The ASGI app: ``/slack/events`` for Slack, and the HTTP API.

    Every request body is capped (413), and every response has the configured secrets removed.
    A Slack request's signature is checked on its raw bytes first (401), then its body is parsed
    and its shape checked (400) before Bolt sees it; a slash command delivered again with the
    same signature and timestamp is answered once.
    """
    secret = (
        services.settings.slack.signing_secret.get_secret_value() if services.settings.slack.signing_secret else None
    )
    commands_seen = SeenEvents(shared=services.leases)

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature", "")
        if not _signed(secret, body, timestamp, signature, now=time.time()):
            return JSONResponse({"error": "invalid signature"}, status_code=401)
        try:
            is_command = check_slack_body(body.decode("utf-8"), request.headers.get("content-type", ""))
        except UnicodeDecodeError:
            return JSONResponse({"error": "the body is not UTF-8"}, status_code=400)
        except MalformedSlackRequest as exc:
            log.warning("slack_request_malformed", reason=str(exc))
            return JSONResponse({"error": str(exc)}, status_code=400)
        if is_command and not commands_seen.first_time(f"command:{timestamp}:{signature}"):
            log.info("slack_command_replayed", timestamp=timestamp)
            return Response(status_code=200)
        bolt_response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    return Starlette(
        routes=[Route("/slack/events", slack_events, methods=["POST"]), *api_routes(services)],
        middleware=[Middleware(RedactResponses, redactor=services.redactor or SecretRedactor()), Middleware(BodyLimit)],
    )


def start_scheduler(settings: Settings, services: Services, app: App) -> Any | None:
    """Start the scheduled jobs (detection, rule actions, approval expiry, digests, retrain) unless disabled.

    Every replica may run it: each job's tick runs once across them (a lease per job and tick).

    Raises:
        ConfigError: a schedule is not valid.
    """
    if not settings.scheduler.enabled:
        return None
    from bot.jobs.schedule import build_job_scheduler

    scheduler = build_job_scheduler(settings, services, notifier=SlackNotifier(retrying_web_client(app.client)))
    scheduler.start()
    return scheduler


def serve(settings: Settings, *, http: bool) -> int:
    """Run until interrupted."""
    redactor = SecretRedactor.of(secret_values(settings))
    configure_logging(event_log_dir=settings.audit.dir, redactor=redactor)
    services = build_services(settings, redactor=redactor)
    if not http and settings.slack.app_token is None:
        raise ConfigError("SLACK_APP_TOKEN is not set (needed for Socket Mode)")
    app = build_app(settings, services)
    reconcile_at_start(services, SlackNotifier(retrying_web_client(app.client)))
    scheduler = start_scheduler(settings, services, app)
    try:
        if http:
            _serve_http(build_http_app(app, services), settings.http.host, settings.http.port)
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


def _serve_http(asgi_app: Any, host: str, port: int) -> None:
    """Run uvicorn; ``serving_http`` is logged once it listens, and a failed start exits 3 as ``uvicorn.run`` does."""
    import uvicorn

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                log.info("serving_http", host=host, port=port)

    server = _Server(uvicorn.Config(asgi_app, host=host, port=port, log_config=None))
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(3)
