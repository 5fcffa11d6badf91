"""No secret leaves the process: a full run with secrets from SSM, searched everywhere the product writes.

The bot starts the way ``serve --http`` does (``load_settings`` reads the Slack tokens, the
signing secret and the LLM key from SSM on moto; logging at DEBUG into one buffer and the
daily event files) against the real Prometheus, Redis and moto, the fake Slack Web API and
the fake OpenAI endpoint. It then answers Slack questions through the LLM agent, answers the
HTTP API, detects an anomaly and posts the digest, and runs a scale-up approved by two
people. Every secret must be absent from: the log output (structlog, stdlib logging and
anything else written to stdout/stderr), the event and audit files, what the fake Slack
received (bodies, not the Authorization header that must carry the token), what the model
was shown, the HTTP responses, ``/metrics`` and every value in Redis.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import redis as redis_lib
import requests
import structlog

from adapters.slack.notifier import SlackNotifier
from bot.cli.commands.config import load_settings
from bot.jobs.digest import DigestJob
from bot.logging import configure_logging
from tests.fakes.openai_api import FakeOpenAI, Reply, text, tool_call
from tests.fakes.slack_api import FakeSlackApi, ReceivedCall
from tests.integration.moto_aws import create_group, desired_capacity
from tests.integration.slack_bot import serve_bot
from tests.integration.slack_requests import block_action, event_callback, signed_headers, slash_command
from tests.servers import ServerProcess

SSM_PATH = "/smartcloudops/leakcheck/"
SECRETS = {
    "slack_bot_token": "xoxb-leakcheck-5551212-Qw8rT2yU6iO0pA4s",
    "slack_app_token": "xapp-1-leakcheck-A0B1C2D3-9f8e7d6c5b4a",
    "slack_signing_secret": "leakcheck-signing-3c9f1a7e5b2d8c4f6a0e",
    "llm_api_key": "sk-leakcheck-llm-Z9y8X7w6V5u4T3s2R1q0",
}
API_TOKEN = "api-leakcheck-token-71d4c2b9e8a3f605"


def signed(request: tuple[str, dict[str, str]]) -> tuple[str, dict[str, str]]:
    """The same request, signed with the signing secret from SSM."""
    body, headers = request
    return body, {**headers, **signed_headers(body, secret=SECRETS["slack_signing_secret"])}


def scripted_model(request: dict[str, Any]) -> Reply:
    """One tool call (a scale-up when asked for one, else a CPU lookup), then an answer from the tool's data."""
    last = request["messages"][-1]
    if last["role"] == "tool":
        return text("From the tool: " + last["content"].split("\n")[1])
    asked = " ".join(str(m.get("content")) for m in request["messages"] if m["role"] == "user")
    if "scale web-asg" in asked:
        return tool_call("request_remediation", {"action": "scale_up", "group": "web-asg", "by": 1})
    return tool_call("get_current_metric", {"host": "web-1", "metric": "cpu"})


@pytest.fixture
def captured_logs(tmp_path: Path) -> Iterator[io.StringIO]:
    """The product's logging, at DEBUG, into a buffer (and the daily event files, as ``serve`` does)."""
    buffer = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging(stream=buffer, level="DEBUG", event_log_dir=tmp_path / "audit")
    yield buffer
    structlog.reset_defaults()
    root.handlers[:], root.level = saved


@pytest.fixture
def environment(
    monkeypatch: pytest.MonkeyPatch,
    aws_env: str,
    redis_url: str,
    prometheus: ServerProcess,
    fake_slack: FakeSlackApi,
    openai_api: FakeOpenAI,
    tmp_path: Path,
) -> Iterator[str]:
    """Secrets in SSM; every other setting in the environment, as the Ansible role writes it."""
    ssm = boto3.client("ssm", endpoint_url=aws_env, region_name="us-east-1")
    for name, value in SECRETS.items():
        ssm.put_parameter(Name=f"{SSM_PATH}{name}", Value=value, Type="SecureString")
    rules = tmp_path / "rules.yml"
    rules.write_text("rules:\n  - name: db-cpu-hot\n    rule: cpu > 90% for 2m on db-1\n    severity: critical\n")
    create_group(aws_env)
    for key, value in {
        "SCO_SECRETS__SSM_PATH": SSM_PATH,
        "SCO_AWS__ENDPOINT_URL": aws_env,
        "SCO_REDIS__URL": redis_url,
        "SCO_PROMETHEUS__URL": prometheus.url,
        "SCO_SLACK__API_URL": fake_slack.api_url,
        "SCO_SLACK__DIGEST_CHANNEL": "C_DIGEST",
        "SCO_LLM__BASE_URL": openai_api.base_url,
        "SCO_LLM__MODEL": "any-model",
        "SCO_HTTP__API_TOKEN": API_TOKEN,
        "SCO_AUDIT__DIR": str(tmp_path / "audit"),
        "SCO_DETECTION__MODEL_PATH": str(tmp_path / "no-model.pkl"),
        "SCO_REMEDIATION__RULES_FILE": str(rules),
        "SCO_REMEDIATION__APPROVERS": json.dumps({"scale_up": ["U_LEAD", "U_SRE"]}),
        "SCO_REMEDIATION__QUORUM": json.dumps({"scale_up": 2}),
    }.items():
        monkeypatch.setenv(key, value)
    openai_api.script([])
    openai_api.responder = scripted_model
    yield aws_env
    openai_api.script([])


def post(url: str, request: tuple[str, dict[str, str]]) -> requests.Response:
    body, headers = request
    return requests.post(f"{url}/slack/events", data=body, headers=headers, timeout=30)


def run_the_main_flows(url: str, fake_slack: FakeSlackApi, services: Any, app: Any) -> dict[str, str]:
    """Question, mention, HTTP API, detection + digest, remediation approved by two people; returns HTTP outputs."""
    bearer = {"Authorization": f"Bearer {API_TOKEN}"}
    outputs: dict[str, str] = {}

    assert 200 == post(url, signed(slash_command("what is the current CPU on web-1?"))).status_code
    assert fake_slack.wait_for("chat.update", timeout=30)[0].body["text"].startswith("From the tool: ")
    mention = {
        "type": "app_mention",
        "user": "U_ONCALL",
        "text": "<@U_BOT> cpu on db-1",
        "ts": "1.1",
        "channel": "C_OPS",
    }
    assert 200 == post(url, signed(event_callback(mention, event_id="Ev_LEAK_1"))).status_code
    fake_slack.wait_for("chat.update", count=2, timeout=30)
    query = requests.post(f"{url}/query", json={"question": "cpu on web-2"}, headers=bearer, timeout=30)
    assert 200 == query.status_code
    outputs["query"] = query.text

    now = datetime.now(UTC)
    report = services.detection.run_once(now)
    assert ["db-1"] == [a.host.name for a in report.opened if a.detector == "db-cpu-hot"]
    digest = DigestJob(
        store=services.anomalies,
        notifier=SlackNotifier(app.client),
        channel="C_DIGEST",
        window=timedelta(hours=1),
    )
    digest(now)
    wait_for_call(fake_slack, "chat.postMessage", lambda c: c.body["channel"] == "C_DIGEST")

    assert 200 == post(url, signed(slash_command("scale web-asg up by 1", user="U_ONCALL"))).status_code
    approval = wait_for_call(fake_slack, "chat.postMessage", has_buttons)
    request_id = next(b for b in approval.body["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    for user in ("U_LEAD", "U_SRE"):
        click = block_action("approval_approve", request_id, user=user, message_ts=approval.response["ts"])
        assert 200 == post(url, signed(click)).status_code
    wait_for_call(fake_slack, "chat.update", lambda c: "Result:" in c.body.get("text", ""))
    outputs["status"] = requests.get(f"{url}/status", headers=bearer, timeout=30).text
    outputs["logs"] = requests.get(f"{url}/logs", params={"since": "1h"}, headers=bearer, timeout=30).text
    outputs["metrics"] = requests.get(f"{url}/metrics", timeout=30).text
    outputs["healthz"] = requests.get(f"{url}/healthz", timeout=30).text
    return outputs


def pieces(secret: str, size: int = 12) -> set[str]:
    """Every ``size``-character slice of ``secret``: a cut or partly masked copy is still a leak."""
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


def has_buttons(call: ReceivedCall) -> bool:
    return any(b["type"] == "actions" for b in call.body.get("blocks", []))


def wait_for_call(
    fake_slack: FakeSlackApi, method: str, matches: Callable[[ReceivedCall], bool], timeout: float = 30
) -> ReceivedCall:
    """The first call of ``method`` that ``matches``, waiting for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in fake_slack.received(method) if matches(c)]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no matching {method}; saw {[(c.method, c.body.get('text')) for c in fake_slack.calls]}")


def redis_dump(url: str) -> str:
    """Every key and value in Redis, as text."""
    client = redis_lib.Redis.from_url(url, decode_responses=True)
    readers: dict[str, Callable[[str], object]] = {
        "string": client.get,
        "hash": client.hgetall,
        "list": lambda k: client.lrange(k, 0, -1),
        "set": client.smembers,
        "zset": lambda k: client.zrange(k, 0, -1, withscores=True),
        "stream": client.xrange,
    }
    parts = [f"{key} {readers.get(str(client.type(key)), lambda _k: None)(key)!r}" for key in client.scan_iter()]
    client.close()
    return "\n".join(parts)


def test_no_secret_appears_in_logs_audit_slack_messages_model_prompts_metrics_or_redis(
    environment: str,
    captured_logs: io.StringIO,
    capfd: pytest.CaptureFixture[str],
    fake_slack: FakeSlackApi,
    openai_api: FakeOpenAI,
    redis_url: str,
    tmp_path: Path,
) -> None:
    with serve_bot(load_settings()) as bot:
        outputs = run_the_main_flows(bot.url, fake_slack, bot.services, bot.app)
    std = capfd.readouterr()

    # The secrets really came from SSM and were used: the Slack calls carry the bot token from it.
    assert {f"Bearer {SECRETS['slack_bot_token']}"} == {c.headers["Authorization"] for c in fake_slack.calls}
    assert 3 == desired_capacity(environment)
    logs = captured_logs.getvalue()
    assert '"event": "secrets_loaded"' in logs
    audit_lines = [
        line for f in sorted((tmp_path / "audit").glob("audit-*.jsonl")) for line in f.read_text().splitlines()
    ]
    assert ["requested", "approved", "approved", "executing", "succeeded"] == [
        json.loads(line)["event"] for line in audit_lines
    ][-5:]

    places = {
        "log output": logs,
        "stdout": std.out,
        "stderr": std.err,
        **{f"file {f.name}": f.read_text() for f in sorted((tmp_path / "audit").glob("*.jsonl"))},
        **{f"slack {c.method} body": json.dumps(c.body) for c in fake_slack.calls},
        "what the model was shown": json.dumps(openai_api.requests),
        **{f"http {name}": body for name, body in outputs.items()},
        "redis": redis_dump(redis_url),
    }
    leaks = [
        f"{name} in {place}"
        for name, secret in {**SECRETS, "http_api_token": API_TOKEN}.items()
        for place, content in places.items()
        if any(piece in content for piece in pieces(secret))
    ]
    assert [] == leaks
