"""The product's HTTP API: POST /query, GET /status, GET /logs (bearer token), GET /healthz, GET /metrics.

Without a configured token (``SCO_HTTP__API_TOKEN``) only ``/healthz`` and ``/metrics`` answer.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.config.settings import HttpSettings
from bot.http.json_depth import json_depth_within
from bot.services import Services
from bot.slack import messages
from bot.slack.ops_answers import audit_log_lines
from bot.slack.ops_command import parse_lookback
from domain.durations import format_duration
from domain.errors import InputError, OpsError
from domain.models import Anomaly, AnomalyStatus, ToolStatus
from tools.fleet import FleetStatus
from tools.formatting import minute
from tools.logs import LogExcerpt
from tools.results import HostReading

log = structlog.get_logger(__name__)

Handler = Callable[[Request], Awaitable[Response]]
MAX_QUESTION_CHARS = 2000


def _error(status: int, text: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": text}, status_code=status, headers=headers)


def api_tokens(http: HttpSettings) -> dict[str, SecretStr]:
    """Who each accepted bearer token stands for: ``api`` for the single token, ``api:<name>`` for named ones."""
    tokens = {f"api:{name}": token for name, token in http.api_tokens.items()}
    if http.api_token is not None:
        tokens["api"] = http.api_token
    return tokens


def caller_of(authorization: str, tokens: dict[str, SecretStr]) -> str | None:
    """The caller whose token the ``Authorization`` header carries, or None (each compared in constant time)."""
    found = None
    for caller, token in tokens.items():
        if hmac.compare_digest(authorization.encode(), f"Bearer {token.get_secret_value()}".encode()):
            found = caller
    return found


def _guarded(services: Services, handler: Handler, *, surface: str = "api") -> Handler:
    """Require a bearer token, record whose it is in ``request.state.caller``, and log and count the request."""
    tokens = api_tokens(services.settings.http)

    async def run(request: Request) -> Response:
        started = time.perf_counter()
        if not tokens:
            resp: Response = _error(403, messages.API_DISABLED)
        else:
            caller = caller_of(request.headers.get("authorization", ""), tokens)
            if caller is None:
                resp = _error(401, messages.API_UNAUTHORIZED)
            else:
                request.state.caller = caller
                resp = await handler(request)
        seconds = time.perf_counter() - started
        outcome = "ok" if resp.status_code < 400 else str(resp.status_code)
        services.telemetry.count_request(surface=surface, outcome=outcome, seconds=seconds)
        log.info(
            "api_request",
            path=request.url.path,
            status=resp.status_code,
            outcome=outcome,
            duration_ms=round(seconds * 1000, 2),
        )
        return resp

    return run


def _query(services: Services) -> Handler:
    async def query(request: Request) -> Response:
        try:
            text = (await request.body()).decode() or "null"
        except UnicodeDecodeError:
            return _error(400, messages.QUERY_NEEDS_QUESTION)
        if not json_depth_within(text):
            return _error(400, messages.QUERY_NEEDS_QUESTION)
        try:
            payload = json.loads(text)
        except ValueError:
            return _error(400, messages.QUERY_NEEDS_QUESTION)
        question = payload.get("question") if isinstance(payload, dict) else None
        if not isinstance(question, str) or not question.strip():
            return _error(400, messages.QUERY_NEEDS_QUESTION)
        if len(question) > MAX_QUESTION_CHARS:
            return _error(400, messages.question_too_long(MAX_QUESTION_CHARS))
        thread = payload.get("thread")
        if thread is not None and (not isinstance(thread, str) or not 0 < len(thread) <= 200):
            return _error(400, '"thread" must be a string of 1 to 200 characters.')
        # Requests made here are requested by the token's caller (``api``, or ``api:<name>`` for a named token).
        caller = str(getattr(request.state, "caller", "api"))
        answer = await run_in_threadpool(
            services.runner.answer, question.strip(), user=caller, thread=f"api:{thread}" if thread else None
        )
        services.telemetry.count_tool_calls(answer.tool_calls)
        return JSONResponse(answer.model_dump(mode="json"))

    return query


def anomaly_json(a: Anomaly) -> dict[str, str]:
    """An anomaly as the API reports it: the value with its unit, times to the minute."""
    return {
        "id": a.id,
        "host": a.host.name,
        "metric": a.metric.label,
        "value": a.value_text,
        "severity": a.severity.value,
        "status": a.status.value,
        "started": minute(a.started_at),
        "detector": a.detector,
        "summary": a.summary,
    }


def reading_json(reading: HostReading) -> dict[str, Any]:
    """A reading as numbers for programs: the value, its unit, the window and the time (ISO 8601)."""
    return {
        "value": reading.value,
        "unit": reading.metric.unit,
        "window": reading.window,
        "at": reading.at.isoformat() if reading.at else None,
    }


def host_health(services: Services) -> dict[str, Any]:
    """Per-host state and current CPU, memory and disk, fleet averages and the open anomalies: the fleet tool's result.

    Raises:
        OpsError: the metrics source is missing or unreachable.
    """
    result = services.registry.call("fleet_status", {}, services.tools)
    status = result.data
    if result.status is ToolStatus.ERROR or not isinstance(status, FleetStatus):
        raise OpsError(result.error or "metrics unavailable")
    hosts: dict[str, dict[str, Any]] = {}
    for state in [*status.up, *status.down]:
        row: dict[str, Any] = {
            "host": state.ref.name,
            "instance": state.ref.instance,
            "state": "up" if state.up else "down",
        }
        if not state.up:
            row["down"] = state.describe_down(status.at)
            row["last_seen"] = state.last_seen.isoformat() if state.last_seen else None
        row["open_anomalies"] = sum(1 for a in status.open_incidents if a.host.instance == state.ref.instance)
        hosts[state.ref.instance] = row
    for figure in status.metrics:
        for reading in figure.readings:
            if reading.host.instance in hosts:
                row = hosts[reading.host.instance]
                row[figure.metric.value] = f"{reading.quantity.text} ({reading.window})"
                row.setdefault("values", {})[figure.metric.value] = reading_json(reading)
    fleet = {
        "up": len(status.up),
        "down": len(status.down),
        "at": status.at.isoformat(),
        "averages": {f.metric.value: f.average_text for f in status.metrics},
    }
    incidents = [anomaly_json(a) for a in status.open_incidents]
    return {"fleet": fleet, "hosts": sorted(hosts.values(), key=lambda r: r["host"]), "open_anomalies": incidents}


def _status(services: Services) -> Handler:
    async def status(_request: Request) -> Response:
        try:
            body = await run_in_threadpool(host_health, services)
        except OpsError as exc:
            return _error(503, str(exc))
        return JSONResponse(body)

    return status


def _logs(services: Services) -> Handler:
    async def logs(request: Request) -> Response:
        since_text = request.query_params.get("since", "10m")
        host = request.query_params.get("host") or None
        try:
            since = parse_lookback(since_text)
        except InputError as exc:
            return _error(400, str(exc))
        if host is not None and (len(host) > 200 or not host.isprintable()):
            return _error(400, "host must be printable text of at most 200 characters.")
        if any(tool.name == "get_logs" for tool in services.registry):
            args: dict[str, Any] = {"since": format_duration(max(1, since)), "limit": 200}
            if host:
                args["host"] = host
            result = await run_in_threadpool(services.registry.call, "get_logs", args, services.tools)
            if result.status is ToolStatus.ERROR:
                return _error(400 if result.error_type in {"InputError", "UnknownHost"} else 503, result.error or "")
            rows = result.data.lines if isinstance(result.data, LogExcerpt) else []
            return JSONResponse({"since": since_text, "host": host, "lines": [r.fields() for r in rows]})
        try:
            lines = await run_in_threadpool(audit_log_lines, services, target=host, since_seconds=since)
        except InputError as exc:
            return _error(500, str(exc))
        return JSONResponse({"since": since_text, "host": host, "lines": lines})

    return logs


def _healthz(services: Services) -> Handler:
    async def healthz(_request: Request) -> Response:
        checks: dict[str, str] = {}
        healthy = True
        settings = services.settings

        def check(name: str, configured: bool, probe: Callable[[], object]) -> None:
            nonlocal healthy
            if not configured:
                checks[name] = "not configured"
                return
            try:
                probe()
                checks[name] = "ok"
            except OpsError as exc:
                checks[name] = f"unavailable: {exc}"
                healthy = False

        metrics = services.metrics
        # The approval store, not the anomaly store: anomaly reads fall back to the local spool during an outage.
        await run_in_threadpool(check, "redis", settings.redis.url is not None, lambda: services.approvals.pending())
        await run_in_threadpool(check, "prometheus", metrics is not None, lambda: metrics.hosts() if metrics else None)
        body = {"status": "ok" if healthy else "degraded", "checks": checks}
        return JSONResponse(body, status_code=200 if healthy else 503)

    return healthz


def _metrics(services: Services) -> Handler:
    async def metrics(_request: Request) -> Response:
        body = await run_in_threadpool(services.telemetry.exposition)
        return Response(body, media_type=services.telemetry.content_type)

    return metrics


def refresh_store_gauges(services: Services) -> Callable[[], None]:
    """Refreshes the open-anomaly and pending-approval gauges at scrape time (an outage keeps the last values)."""

    def refresh() -> None:
        try:
            recent = services.anomalies.recent(500)
            pending = services.approvals.pending()
        except OpsError as exc:
            log.warning("metrics_refresh_failed", error=str(exc))
            return
        services.telemetry.anomalies_open.set(sum(1 for a in recent if a.status is AnomalyStatus.OPEN))
        services.telemetry.approvals.labels(state="pending").set(len(pending))

    return refresh


def api_routes(services: Services) -> list[Route]:
    """The API's routes."""
    services.telemetry.on_scrape(refresh_store_gauges(services))
    return [
        Route("/query", _guarded(services, _query(services)), methods=["POST"]),
        Route("/status", _guarded(services, _status(services)), methods=["GET"]),
        Route("/logs", _guarded(services, _logs(services)), methods=["GET"]),
        Route("/healthz", _healthz(services), methods=["GET"]),
        Route("/metrics", _metrics(services), methods=["GET"]),
    ]
