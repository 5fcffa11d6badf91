"""The HTTP API's routes, served by Starlette's TestClient over real in-memory services."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.testclient import TestClient

from adapters.clock import ManualClock
from adapters.simulated.metrics import SimulatedMetrics
from bot.config.settings import AuditSettings, HttpSettings, RemediationSettings, Settings
from bot.http.api import MAX_QUESTION_CHARS, api_routes
from bot.services import Services
from bot.slack import messages
from domain.errors import MetricsUnavailable
from remediation.actions import ActionCall, ActionName
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests.unit.bot.simulated_services import GROUP, START, simulated_cloud, simulated_services

TOKEN = "api-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class UnreachableMetrics:
    """The MetricsSource port of a metrics server that is down."""

    def _down(self) -> MetricsUnavailable:
        return MetricsUnavailable("http://127.0.0.1:1", "connection refused")

    def hosts(self) -> list[Any]:
        raise self._down()

    def host_states(self) -> list[Any]:
        raise self._down()

    def current(self, *_args: Any, **_kwargs: Any) -> Any:
        raise self._down()

    def range(self, *_args: Any, **_kwargs: Any) -> Any:
        raise self._down()


def settings(tmp_path: Path, *, token: str | None = TOKEN) -> Settings:
    return Settings(
        http=HttpSettings(api_token=SecretStr(token) if token else None),
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(approvers={"*": ["U_LEAD"]}),
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def services(tmp_path: Path, clock: ManualClock) -> Services:
    return simulated_services(settings(tmp_path), clock=clock, cloud=simulated_cloud())


def serve(services: Services) -> Iterator[TestClient]:
    with TestClient(Starlette(routes=api_routes(services))) as client:
        yield client


@pytest.fixture
def api(services: Services) -> Iterator[TestClient]:
    yield from serve(services)


def test_without_a_configured_token_the_api_is_off(tmp_path: Path, clock: ManualClock) -> None:
    off = simulated_services(settings(tmp_path, token=None), clock=clock, cloud=simulated_cloud())
    for client in serve(off):
        resp = client.post("/query", json={"question": "cpu on web-1?"}, headers=AUTH)

        assert (403, {"error": messages.API_DISABLED}) == (resp.status_code, resp.json())


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
def test_a_missing_or_wrong_token_is_refused(api: TestClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    resp = api.get("/status", headers=headers)

    assert (401, "Bearer") == (resp.status_code, resp.headers["www-authenticate"])
    assert {"error": messages.API_UNAUTHORIZED} == resp.json()


def test_query_answers_with_the_ask_json_shape(api: TestClient) -> None:
    resp = api.post("/query", json={"question": "what is the current CPU on web-1?"}, headers=AUTH)

    body = resp.json()
    assert 200 == resp.status_code
    assert {"answer", "mode", "tool_calls", "approval_id"} == set(body)
    assert body["answer"].startswith("web-1 CPU: ")
    assert ("router", None) == (body["mode"], body["approval_id"])
    assert ["get_current_metric"] == [c["name"] for c in body["tool_calls"]]


def test_query_in_a_thread_keeps_its_context(api: TestClient) -> None:
    api.post("/query", json={"question": "what is the current CPU on web-1?", "thread": "t1"}, headers=AUTH)

    resp = api.post("/query", json={"question": "and memory?", "thread": "t1"}, headers=AUTH)

    assert resp.json()["answer"].startswith("web-1 memory used: ")


def test_a_remediation_request_over_the_api_is_requested_by_api(api: TestClient, services: Services) -> None:
    resp = api.post("/query", json={"question": "scale web-asg up by 1"}, headers=AUTH)

    [pending] = services.approvals.pending()
    assert pending.id == resp.json()["approval_id"]
    assert "api" == pending.requested_by


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"{not json", messages.QUERY_NEEDS_QUESTION),
        (b"", messages.QUERY_NEEDS_QUESTION),
        (b'["a list"]', messages.QUERY_NEEDS_QUESTION),
        (b'{"question": "   "}', messages.QUERY_NEEDS_QUESTION),
        (b'{"question": 42}', messages.QUERY_NEEDS_QUESTION),
        (b'{"question": "' + b"x" * (MAX_QUESTION_CHARS + 1) + b'"}', messages.question_too_long(MAX_QUESTION_CHARS)),
        (b'{"question": "cpu?", "thread": ""}', '"thread" must be a string of 1 to 200 characters.'),
        (b'{"question": "cpu?", "thread": 7}', '"thread" must be a string of 1 to 200 characters.'),
        (b'{"question": "cpu?", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", messages.QUERY_NEEDS_QUESTION),
        (b'{"question": "\xff"}', messages.QUERY_NEEDS_QUESTION),
    ],
)
def test_query_refuses_a_bad_body(api: TestClient, content: bytes, error: str) -> None:
    resp = api.post("/query", content=content, headers=AUTH)

    assert (400, {"error": error}) == (resp.status_code, resp.json())


def test_status_lists_every_host_with_its_readings(api: TestClient) -> None:
    resp = api.get("/status", headers=AUTH)

    body = resp.json()
    assert 200 == resp.status_code
    assert ["api-1", "cache-1", "db-1", "web-1", "worker-1"] == [h["host"] for h in body["hosts"]]
    web = next(h for h in body["hosts"] if h["host"] == "web-1")
    assert ("up", 0) == (web["state"], web["open_anomalies"])
    assert {"cpu", "memory", "disk"} <= set(web)
    assert [] == body["open_anomalies"]


def test_status_gives_each_reading_as_a_number_with_its_unit_window_and_time(api: TestClient) -> None:
    web = next(h for h in api.get("/status", headers=AUTH).json()["hosts"] if h["host"] == "web-1")

    cpu = web["values"]["cpu"]
    assert ("%", "1m average") == (cpu["unit"], cpu["window"])
    assert web["cpu"] == f"{cpu['value']:.1f}% (1m average)"
    assert datetime.fromisoformat(cpu["at"]).tzinfo is not None


def test_status_is_503_when_the_metrics_are_unreachable(tmp_path: Path, clock: ManualClock) -> None:
    down = simulated_services(settings(tmp_path), clock=clock, cloud=simulated_cloud(), metrics=UnreachableMetrics())
    for client in serve(down):
        resp = client.get("/status", headers=AUTH)

        assert 503 == resp.status_code
        assert "connection refused" in resp.json()["error"]


def test_logs_return_the_lines_of_the_window(api: TestClient, services: Services, clock: ManualClock) -> None:
    assert services.remediation is not None
    request = services.remediation.request(
        ActionCall(action=ActionName.SCALE_UP, params={"group": GROUP, "by": 1}), "U_ONCALL"
    )
    clock.advance(timedelta(minutes=1))

    resp = api.get("/logs", params={"since": "10m"}, headers=AUTH)

    body = resp.json()
    assert (200, "10m", None) == (resp.status_code, body["since"], body["host"])
    assert any(request.id in line["text"] for line in body["lines"])


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"since": "forever"}, "'forever' is not a duration"),
        ({"host": "x" * 201}, "host must be printable text of at most 200 characters."),
        ({"host": "web-1\x07"}, "host must be printable text of at most 200 characters."),
    ],
)
def test_logs_refuse_bad_parameters(api: TestClient, params: dict[str, str], error: str) -> None:
    resp = api.get("/logs", params=params, headers=AUTH)

    assert 400 == resp.status_code
    assert resp.json()["error"].startswith(error)


def test_healthz_needs_no_token_and_reports_each_dependency(api: TestClient) -> None:
    resp = api.get("/healthz")

    assert (200, {"status": "ok", "checks": {"redis": "not configured", "prometheus": "ok"}}) == (
        resp.status_code,
        resp.json(),
    )


def test_healthz_is_degraded_when_the_metrics_are_unreachable(tmp_path: Path, clock: ManualClock) -> None:
    down = simulated_services(settings(tmp_path), clock=clock, cloud=simulated_cloud(), metrics=UnreachableMetrics())
    for client in serve(down):
        resp = client.get("/healthz")

        assert (503, "degraded") == (resp.status_code, resp.json()["status"])
        assert resp.json()["checks"]["prometheus"].startswith("unavailable: ")


def test_metrics_expose_the_pending_approvals_at_scrape_time(api: TestClient, services: Services) -> None:
    api.post("/query", json={"question": "scale web-asg up by 1"}, headers=AUTH)

    resp = api.get("/metrics")

    assert 200 == resp.status_code
    assert 'smartcloudops_approvals{state="pending"} 1.0' in resp.text.splitlines()
    assert 'smartcloudops_requests_total{outcome="ok",surface="api"} 1.0' in resp.text.splitlines()


def test_status_lists_a_down_host_with_when_it_was_last_seen(tmp_path: Path, clock: ManualClock) -> None:
    t = clock.now().timestamp()
    fleet = FleetModel(5, (Incident(IncidentKind.HOST_DOWN, "db-1", t - 600, 3600),))
    metrics = SimulatedMetrics(fleet, clock)
    down = simulated_services(settings(tmp_path), clock=clock, cloud=simulated_cloud(), metrics=metrics)
    for client in serve(down):
        body = client.get("/status", headers=AUTH).json()

        db = next(h for h in body["hosts"] if h["host"] == "db-1")
        assert ("down", "cpu" in db) == (db["state"], False)
        assert db["down"].startswith("down since 09:50 UTC")
        assert (4, 1) == (body["fleet"]["up"], body["fleet"]["down"])
        assert "per host" in body["fleet"]["averages"]["cpu"]
