"""``smartcloudops serve``: the Slack app over HTTP (with the HTTP API) or Socket Mode."""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.app import build_app
from bot.logging import configure_logging
from bot.main import Services, build_services
from bot.settings import Settings
from domain.errors import ConfigError, OpsError

log = structlog.get_logger(__name__)


def build_http_app(app: App, services: Services) -> Starlette:
    """The ASGI app: ``/slack/events`` for Slack, ``/healthz`` for load balancers."""

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        bolt_response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    async def healthz(_request: Request) -> Response:
        checks: dict[str, Any] = {"metrics": "not configured"}
        status = 200
        if services.metrics is not None:
            try:
                await run_in_threadpool(services.metrics.hosts)
                checks["metrics"] = "ok"
            except OpsError as exc:
                checks["metrics"] = f"unavailable: {exc}"
                status = 503
        return JSONResponse({"status": "ok" if status == 200 else "degraded", "checks": checks}, status_code=status)

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def serve(settings: Settings, *, http: bool) -> int:
    """Run until interrupted."""
    configure_logging()
    services = build_services(settings)
    app = build_app(settings, services)
    if http:
        import uvicorn

        log.info("serving_http", host=settings.http.host, port=settings.http.port)
        uvicorn.run(build_http_app(app, services), host=settings.http.host, port=settings.http.port, log_config=None)
        return 0
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if settings.slack.app_token is None:
        raise ConfigError("SLACK_APP_TOKEN is not set (needed for Socket Mode)")
    log.info("serving_socket_mode")
    SocketModeHandler(app, settings.slack.app_token.get_secret_value()).start()  # type: ignore[no-untyped-call]
    return 0
