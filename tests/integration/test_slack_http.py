"""A signed Slack request to the real Bolt app over HTTP; replies reach the fake Slack Web API."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from pydantic import SecretStr

from bot.app import build_app
from bot.main import build_services
from bot.serve import build_http_app
from bot.settings import PrometheusSettings, Settings, SlackSettings
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.asgi_server import serve_asgi
from tests.integration.slack_requests import SIGNING_SECRET, slash_command
from tests.servers import ServerProcess


@pytest.fixture
def bot_url(fake_slack: FakeSlackApi, prometheus: ServerProcess) -> Iterator[str]:
    settings = Settings(
        prometheus=PrometheusSettings(url=prometheus.url),
        slack=SlackSettings(
            api_url=fake_slack.api_url,
            bot_token=SecretStr("xoxb-test-token"),
            signing_secret=SecretStr(SIGNING_SECRET),
        ),
    )
    services = build_services(settings)
    with serve_asgi(build_http_app(build_app(settings, services), services)) as url:
        yield url


def test_signed_slash_command_gets_200_and_the_answer_is_posted(bot_url: str, fake_slack: FakeSlackApi) -> None:
    body, headers = slash_command("what is the current CPU on web-1?")

    resp = requests.post(f"{bot_url}/slack/events", data=body, headers=headers, timeout=5)

    assert resp.status_code == 200
    posted = fake_slack.wait_for("chat.postMessage")
    assert posted[0].body["channel"] == "C_OPS"
    assert posted[0].body["text"].startswith("web-1 CPU: ")
    assert posted[0].headers["Authorization"] == "Bearer xoxb-test-token"


def test_bad_signature_gets_401_and_nothing_runs(bot_url: str, fake_slack: FakeSlackApi) -> None:
    body, headers = slash_command("what is the current CPU on web-1?")
    headers["X-Slack-Signature"] = "v0=" + "0" * 64

    resp = requests.post(f"{bot_url}/slack/events", data=body, headers=headers, timeout=5)

    assert resp.status_code == 401
    time.sleep(0.5)
    assert fake_slack.received("chat.postMessage") == []
