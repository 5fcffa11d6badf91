"""Configured secret values are removed by value from every channel, whatever shape they have.

An OpenAI-compatible proxy whose 401 body echoes the API key, and a model that repeats the signing
secret (not token-shaped, so only its value can catch it): neither reaches the log stream, the
event file, ``GET /logs``, ``/query``, what ``get_logs`` (``/ops logs``) shows, or what Slack received.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import structlog
from pydantic import AnyHttpUrl, SecretStr

from bot.config.secrets import secret_values
from bot.config.settings import AuditSettings, HttpSettings, LLMSettings, Settings
from bot.logging import configure_logging
from domain.redaction import SecretRedactor
from tests.fakes.openai_api import FakeOpenAI, Reply, error, text
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.conftest import CliRunner
from tests.integration.slack_bot import serve_bot, slack_settings
from tests.integration.slack_requests import SIGNING_SECRET, event_callback

LLM_KEY = "proxy-key-7f3e9a1c5b2d8e4f6a0c"
BOT_TOKEN = "xoxb-redaction-5551212-Qw8rT2yU6iO0pA4s"
API_TOKEN = "api-redaction-token-71d4c2b9e8a3f605"
SECRETS = (LLM_KEY, BOT_TOKEN, API_TOKEN, SIGNING_SECRET)


@pytest.fixture
def settings(fake_slack: FakeSlackApi, openai_api: FakeOpenAI, tmp_path: Path) -> Settings:
    return Settings(
        llm=LLMSettings(base_url=AnyHttpUrl(openai_api.base_url), api_key=SecretStr(LLM_KEY)),
        slack=slack_settings(fake_slack.api_url, bot_token=BOT_TOKEN),
        http=HttpSettings(api_token=SecretStr(API_TOKEN)),
        audit=AuditSettings(dir=tmp_path / "logs"),
    )


@pytest.fixture
def log_stream(settings: Settings) -> Iterator[io.StringIO]:
    """The product's logging with the start-up redactor, as ``serve`` configures it."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    redactor = SecretRedactor.of(secret_values(settings))
    configure_logging(stream=stream, level="DEBUG", event_log_dir=settings.audit.dir, redactor=redactor)
    yield stream
    structlog.reset_defaults()
    root.handlers[:], root.level = saved


def leaked(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_a_key_echoed_by_the_llm_endpoint_and_a_secret_in_an_answer_reach_no_output(
    settings: Settings, log_stream: io.StringIO, openai_api: FakeOpenAI, fake_slack: FakeSlackApi
) -> None:
    def model(request: dict[str, Any]) -> Reply:
        asked = " ".join(str(m.get("content")) for m in request["messages"] if m["role"] == "user")
        if "cpu" in asked:
            return error(401, f"Incorrect API key provided: {LLM_KEY}. Signed with {SIGNING_SECRET}.")
        return text(f"The signing secret is {SIGNING_SECRET}, token {API_TOKEN}.")

    openai_api.script([])
    openai_api.responder = model
    bearer = {"Authorization": f"Bearer {API_TOKEN}"}
    with serve_bot(settings, in_memory=True) as bot:
        failed = requests.post(f"{bot.url}/query", json={"question": "cpu on web-1?"}, headers=bearer, timeout=30)
        answered = requests.post(
            f"{bot.url}/query", json={"question": "what is the secret?"}, headers=bearer, timeout=30
        )
        logs = requests.get(f"{bot.url}/logs", params={"since": "10m"}, headers=bearer, timeout=30)
        shown = bot.services.registry.call("get_logs", {"since": "10m", "limit": 200}, bot.services.tools)
        body, headers = event_callback(
            {"type": "app_mention", "user": "U1", "text": "<@U_BOT> secret?", "ts": "1.1", "channel": "C_OPS"},
            event_id="Ev_REDACT_1",
        )
        assert 200 == requests.post(f"{bot.url}/slack/events", data=body, headers=headers, timeout=30).status_code
        bot.lazy.wait_idle()

    assert (200, 200, 200) == (failed.status_code, answered.status_code, logs.status_code)
    events = "".join(p.read_text() for p in settings.audit.dir.glob("events*.jsonl"))
    assert "llm_failed" in log_stream.getvalue()
    assert "llm_failed" in events
    assert "[redacted]" in answered.json()["answer"]
    assert any("llm_failed" in json.dumps(line) for line in logs.json()["lines"])
    slack_bodies = json.dumps([c.body for m in ("chat.postMessage", "chat.update") for c in fake_slack.received(m)])
    assert "[redacted]" in slack_bodies
    channels = {
        "log stream": log_stream.getvalue(),
        "event file": events,
        "/query": failed.text + answered.text,
        "/logs": logs.text,
        "get_logs": shown.data.model_dump_json(),
        "slack": slack_bodies,
    }
    assert {} == {name: leaked(out) for name, out in channels.items() if leaked(out)}


def test_ask_writes_no_secret_to_its_output_or_its_log_lines(
    cli: CliRunner, openai_api: FakeOpenAI, tmp_path: Path
) -> None:
    def model(request: dict[str, Any]) -> Reply:
        asked = " ".join(str(m.get("content")) for m in request["messages"] if m["role"] == "user")
        if "cpu" in asked:
            return error(401, f"Incorrect API key provided: {LLM_KEY}.")
        return text(f"The key is {LLM_KEY}.")

    openai_api.script([])
    openai_api.responder = model
    env = {
        "SCO_LLM__BASE_URL": openai_api.base_url,
        "SCO_LLM__API_KEY": LLM_KEY,
        "SCO_STATE__DIR": str(tmp_path / "state"),
        "SCO_AUDIT__DIR": str(tmp_path / "logs"),
    }

    failed = cli("ask", "cpu on web-1?", env=env)
    answered = cli("ask", "--json", "what is the key?", env=env)

    assert "llm_failed" in failed.stderr
    assert "[redacted]" in json.loads(answered.stdout)["answer"]
    assert [] == leaked(failed.stdout + failed.stderr + answered.stdout + answered.stderr)
