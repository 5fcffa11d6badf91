"""The HTTP API of ``serve --http`` over real Prometheus and Redis: auth, /query, /status, /logs, /healthz, /metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bot.config.settings import AuditSettings, HttpSettings, PrometheusSettings, RedisSettings, Settings
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.slack_bot import serve_bot, slack_settings
from tests.integration.slack_requests import slash_command
from tests.servers import LOOPBACK, ServerProcess, free_port

TOKEN = "api-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def make_settings(
    prometheus: str, redis_url: str, fake_slack: FakeSlackApi, audit: Path, token: str | None = TOKEN
) -> Settings:
    return Settings(
        prometheus=PrometheusSettings(url=prometheus),
        redis=RedisSettings(url=redis_url),
        audit=AuditSettings(dir=audit),
        http=HttpSettings(api_token=SecretStr(token) if token else None),
        slack=slack_settings(fake_slack.api_url),
    )


@pytest.fixture
def unused_url() -> str:
    return f"http://{LOOPBACK}:{free_port()}"


@pytest.fixture
def api(prometheus: ServerProcess, redis_url: str, fake_slack: FakeSlackApi, tmp_path: Path) -> Iterator[str]:
    with serve_bot(make_settings(prometheus.url, redis_url, fake_slack, tmp_path / "logs")) as bot:
        yield bot.url


def test_query_needs_the_bearer_token(api: str) -> None:
    missing = requests.post(f"{api}/query", json={"question": "cpu on web-1"}, timeout=10)
    wrong = requests.post(
        f"{api}/query", json={"question": "cpu on web-1"}, headers={"Authorization": "Bearer nope"}, timeout=10
    )

    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert missing.json() == {"error": "Missing or wrong bearer token."}
    assert missing.headers["WWW-Authenticate"] == "Bearer"


def test_query_returns_the_answer_and_its_tool_calls(api: str) -> None:
    resp = requests.post(f"{api}/query", json={"question": "what is the CPU on db-1?"}, headers=AUTH, timeout=10)

    assert resp.status_code == 200
    body = resp.json()
    assert body["answer"].startswith("db-1 CPU: ")
    assert body["mode"] == "router"
    assert [(c["name"], c["args"], c["status"]) for c in body["tool_calls"]] == [
        ("get_current_metric", {"metric": "cpu", "host": "db-1"}, "success")
    ]
    assert body["approval_id"] is None


def test_query_keeps_context_within_a_thread(api: str) -> None:
    def ask(question: str, thread: str) -> str:
        body = {"question": question, "thread": thread}
        return str(requests.post(f"{api}/query", json=body, headers=AUTH, timeout=10).json()["answer"])

    ask("what is the CPU on web-2?", "t-1")

    assert ask("and memory?", "t-1").startswith("web-2 memory used: ")
    assert not ask("and memory?", "t-2").startswith("web-2 memory used: ")


def test_query_thread_must_be_a_short_string(api: str) -> None:
    for thread in (5, "", "x" * 201):
        resp = requests.post(f"{api}/query", json={"question": "cpu", "thread": thread}, headers=AUTH, timeout=10)
        assert resp.status_code == 400
        assert resp.json()["error"] == '"thread" must be a string of 1 to 200 characters.'


@pytest.mark.parametrize("payload", [b"not json", b"[]", b'{"question": ""}', b'{"question": 42}', b"{}"])
def test_query_with_bad_input_gets_400_with_a_hint(api: str, payload: bytes) -> None:
    resp = requests.post(f"{api}/query", data=payload, headers={**AUTH, "Content-Type": "application/json"}, timeout=10)

    assert resp.status_code == 400
    assert "question" in resp.json()["error"]


def test_status_reports_every_host_and_open_anomalies(api: str) -> None:
    resp = requests.get(f"{api}/status", headers=AUTH, timeout=20)

    assert resp.status_code == 200
    hosts = {row["host"]: row for row in resp.json()["hosts"]}
    assert len(hosts) >= 20
    assert hosts["db-1"]["state"] == "up"
    assert hosts["db-1"]["values"]["cpu"]["value"] > 80
    assert hosts["db-1"]["cpu"].endswith("% (1m average)")
    assert resp.json()["open_anomalies"] == []


def test_logs_returns_recent_product_log_lines_for_a_host(api: str, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    records = [
        {"timestamp": (now - timedelta(minutes=2)).isoformat(), "event": "anomaly_opened", "host": "db-1"},
        {"timestamp": (now - timedelta(minutes=1)).isoformat(), "event": "anomaly_opened", "host": "web-2"},
        {"timestamp": (now - timedelta(hours=2)).isoformat(), "event": "anomaly_opened", "host": "db-1"},
    ]
    (logs / "events.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))

    resp = requests.get(f"{api}/logs", params={"since": "10m", "host": "db-1"}, headers=AUTH, timeout=10)

    assert resp.status_code == 200
    lines = resp.json()["lines"]
    assert len(lines) == 1
    assert "anomaly_opened" in lines[0]["text"]
    assert "db-1" in lines[0]["text"]


def test_logs_with_a_bad_window_gets_400(api: str) -> None:
    resp = requests.get(f"{api}/logs", params={"since": "yesterday-ish"}, headers=AUTH, timeout=10)

    assert resp.status_code == 400
    assert "not a duration" in resp.json()["error"]


def test_healthz_checks_redis_and_prometheus(api: str) -> None:
    resp = requests.get(f"{api}/healthz", timeout=10)

    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "checks": {"redis": "ok", "prometheus": "ok"}}


def test_healthz_reports_an_unreachable_prometheus(
    redis_url: str, fake_slack: FakeSlackApi, tmp_path: Path, unused_url: str
) -> None:
    with serve_bot(make_settings(unused_url, redis_url, fake_slack, tmp_path)) as bot:
        resp = requests.get(f"{bot.url}/healthz", timeout=30)

    assert resp.status_code == 503
    assert resp.json()["status"] == "degraded"
    assert resp.json()["checks"]["redis"] == "ok"
    assert resp.json()["checks"]["prometheus"].startswith("unavailable")


def test_metrics_exposes_the_bot_metrics_after_traffic(api: str, fake_slack: FakeSlackApi) -> None:
    requests.post(f"{api}/query", json={"question": "what is the CPU on db-1?"}, headers=AUTH, timeout=10)
    body, headers = slash_command("status web-1")
    requests.post(f"{api}/slack/events", data=body, headers=headers, timeout=10)
    fake_slack.wait_for("chat.update")

    resp = requests.get(f"{api}/metrics", timeout=10)

    assert resp.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(resp.text)}
    for name in (
        "smartcloudops_requests",
        "smartcloudops_request_duration_seconds",
        "smartcloudops_tool_calls",
        "smartcloudops_detection_cycle_seconds",
        "smartcloudops_anomalies_open",
        "smartcloudops_approvals",
        "smartcloudops_job_failures",
        "smartcloudops_llm_tokens",
    ):
        assert name in families
    requests_total = {
        (s.labels["surface"], s.labels["outcome"]): s.value
        for s in families["smartcloudops_requests"].samples
        if s.name == "smartcloudops_requests_total"
    }
    assert requests_total[("api", "ok")] == 1
    assert requests_total[("command", "ok")] == 1
    tools = {
        (s.labels["tool"], s.labels["status"]): s.value
        for s in families["smartcloudops_tool_calls"].samples
        if s.name == "smartcloudops_tool_calls_total"
    }
    assert tools[("get_current_metric", "success")] >= 1
    pending = [s.value for s in families["smartcloudops_approvals"].samples if s.labels["state"] == "pending"]
    assert pending == [0.0]


def test_without_a_token_the_api_is_disabled_but_health_and_metrics_answer(
    prometheus: ServerProcess, redis_url: str, fake_slack: FakeSlackApi, tmp_path: Path
) -> None:
    with serve_bot(make_settings(prometheus.url, redis_url, fake_slack, tmp_path, token=None)) as bot:
        query = requests.post(f"{bot.url}/query", json={"question": "cpu"}, headers=AUTH, timeout=10)
        status = requests.get(f"{bot.url}/status", headers=AUTH, timeout=10)
        health = requests.get(f"{bot.url}/healthz", timeout=10)
        metrics = requests.get(f"{bot.url}/metrics", timeout=10)

    assert (query.status_code, status.status_code) == (403, 403)
    assert "SCO_HTTP__API_TOKEN" in query.json()["error"]
    assert (health.status_code, metrics.status_code) == (200, 200)


def test_ops_logs_in_slack_shows_the_same_lines(api: str, tmp_path: Path, fake_slack: FakeSlackApi) -> None:
    logs = tmp_path / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    record = {"timestamp": (now - timedelta(minutes=3)).isoformat(), "event": "nginx_restarted", "host": "web-1"}
    (logs / "events.jsonl").write_text(json.dumps(record) + "\n")
    body, headers = slash_command("logs web-1 since 10m")

    requests.post(f"{api}/slack/events", data=body, headers=headers, timeout=10)

    text = fake_slack.wait_for("chat.update")[0].body["text"]
    assert text.startswith("Last 1 log line for `web-1`:")
    assert "nginx_restarted" in text
