"""Hostile requests to the HTTP server: unsigned 401, malformed or wrongly shaped 400, oversized 413, never 500.

The bot is served over real HTTP as in production (uvicorn, the real Bolt app, the fake Slack
Web API). Each class of input tried from outside has a case here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pydantic import SecretStr

from bot.config.settings import AuditSettings, HttpSettings, Settings
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.slack_bot import RunningBot, serve_bot, slack_settings
from tests.integration.slack_requests import SIGNING_SECRET, block_action, signed_headers, slash_command

API = {"Authorization": "Bearer api-hostile-token"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def bot(slack_api: FakeSlackApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    tmp: Path = tmp_path_factory.mktemp("hostile")
    settings = Settings(
        slack=slack_settings(slack_api.api_url),
        http=HttpSettings(api_token=SecretStr("api-hostile-token")),
        audit=AuditSettings(dir=tmp / "logs"),
    )
    with serve_bot(settings, in_memory=True) as running:
        yield running


def post(bot: RunningBot, body: bytes | str, headers: dict[str, str], path: str = "/slack/events") -> int:
    return requests.post(f"{bot.url}{path}", data=body, headers=headers, timeout=30).status_code


def signed(body: str, content_type: dict[str, str]) -> dict[str, str]:
    return {**signed_headers(body), **content_type}


def signed_payload(payload: object) -> tuple[str, dict[str, str]]:
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    return body, signed(body, FORM)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ("%%%&&&=", FORM),
        ("command=/ops&text=cpu", {**FORM, "X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}),
        (b"\xff\xfe\x00payload", FORM),
        ('{"type": "event_callback", "event": {', JSON),
        ("command=/ops&text=cpu", {**FORM, "X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=abc"}),
    ],
    ids=["bad-form", "non-numeric-timestamp", "non-utf8", "truncated-json", "stale-bad-signature"],
)
def test_unsigned_requests_are_refused_with_401(bot: RunningBot, body: bytes | str, headers: dict[str, str]) -> None:
    assert 401 == post(bot, body, headers)


def _action(**changes: object) -> dict[str, object]:
    body, _ = block_action("approve", "req-1", user="U_LEAD")
    payload: dict[str, object] = json.loads(urllib.parse.parse_qs(body)["payload"][0])
    payload.update(changes)
    return payload


@pytest.mark.parametrize(
    "request_",
    [
        signed_payload([]),
        signed_payload(None),
        signed_payload(_action(actions=[])),
        signed_payload(_action(actions=[1])),
        signed_payload(_action(user="U_LEAD")),
        signed_payload(_action(channel=["C1"])),
        signed_payload(_action(type=7)),
        ("payload=%7B%22type%22", signed("payload=%7B%22type%22", FORM)),
        ("null", signed("null", JSON)),
        ("[1, 2]", signed("[1, 2]", JSON)),
        ('{"type": "event_callback", "event": "x"}', signed('{"type": "event_callback", "event": "x"}', JSON)),
        (
            '{"type": "event_callback", "event": {"user": 5}}',
            signed('{"type": "event_callback", "event": {"user": 5}}', JSON),
        ),
        ("[" * 5000 + "]" * 5000, signed("[" * 5000 + "]" * 5000, JSON)),
        ("text=hi&user_id=U1", signed("text=hi&user_id=U1", FORM)),
    ],
    ids=[
        "payload-list",
        "payload-null",
        "actions-empty",
        "action-not-object",
        "user-string",
        "channel-list",
        "type-number",
        "payload-truncated",
        "json-null",
        "json-list",
        "event-string",
        "event-user-number",
        "deeply-nested",
        "form-neither-command-nor-payload",
    ],
)
def test_signed_bodies_of_the_wrong_shape_are_refused_with_400(
    bot: RunningBot, request_: tuple[str, dict[str, str]]
) -> None:
    body, headers = request_
    assert 400 == post(bot, body, headers)


def test_signed_non_utf8_bytes_are_refused_with_400(bot: RunningBot) -> None:
    body = b"command=/ops&text=\xff\xfe"
    timestamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    headers = {**FORM, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest.hexdigest()}"}

    assert 400 == post(bot, body, headers)


@pytest.mark.parametrize("path", ["/slack/events", "/query", "/status", "/healthz"])
def test_a_body_over_the_cap_is_refused_with_413_by_its_declared_length(bot: RunningBot, path: str) -> None:
    assert 413 == post(bot, b"x" * 1_100_000, {**FORM, **API}, path)


def test_a_streamed_body_over_the_cap_is_refused_with_413(bot: RunningBot) -> None:
    """Chunked, so no length is declared; how little the route reads is ``tests/unit/bot/http/test_edge.py``."""

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"y" * 1_000_000

    status = requests.post(f"{bot.url}/slack/events", data=chunks(), headers=FORM, timeout=60).status_code

    assert 413 == status


def test_deeply_nested_json_to_query_is_refused_with_400(bot: RunningBot) -> None:
    body = "[" * 100_000 + "]" * 100_000

    assert 400 == post(bot, body, {**JSON, **API}, "/query")


def test_a_slash_command_delivered_again_within_the_replay_window_runs_once(bot: RunningBot) -> None:
    body, headers = slash_command("cpu web-1")
    started = bot.lazy.wait_idle()

    assert 200 == post(bot, body, headers)
    once = bot.lazy.wait_idle()
    assert 200 == post(bot, body, headers)

    assert (started + 1, once) == (once, bot.lazy.wait_idle())
