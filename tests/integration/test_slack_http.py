"""Signed Slack requests to the real Bolt app over HTTP; replies reach the fake Slack Web API."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.config.settings import AuditSettings, PrometheusSettings, RedisSettings, Settings, StateSettings
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.slack_bot import RunningBot, serve_bot, slack_settings
from tests.integration.slack_requests import event_callback, signed_headers, slash_command
from tests.servers import ServerProcess

BotFactory = Callable[..., AbstractContextManager[RunningBot]]


@pytest.fixture
def start_bot(fake_slack: FakeSlackApi, prometheus: ServerProcess, tmp_path: Path) -> BotFactory:
    """Serve the app with Slack settings overridden by keyword arguments."""

    @contextmanager
    def start(**slack: Any) -> Iterator[RunningBot]:
        settings = Settings(
            prometheus=PrometheusSettings(url=prometheus.url),
            state=StateSettings(dir=tmp_path / "state"),
            audit=AuditSettings(dir=tmp_path / "logs"),
            slack=slack_settings(fake_slack.api_url, bot_token="xoxb-test-token", **slack),
        )
        with serve_bot(settings) as bot:
            yield bot

    return start


@pytest.fixture
def bot(start_bot: BotFactory) -> Iterator[RunningBot]:
    with start_bot() as running:
        yield running


@pytest.fixture
def bot_url(bot: RunningBot) -> str:
    return bot.url


def post(url: str, body: str, headers: dict[str, str]) -> requests.Response:
    return requests.post(f"{url}/slack/events", data=body, headers=headers, timeout=5)


def mention(text: str, *, ts: str, thread_ts: str | None = None, channel: str = "C_OPS") -> dict[str, Any]:
    event = {"type": "app_mention", "user": "U_ONCALL", "text": f"<@U_BOT> {text}", "ts": ts, "channel": channel}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def test_slash_command_is_acked_then_the_placeholder_is_replaced_by_the_answer(
    bot_url: str, fake_slack: FakeSlackApi
) -> None:
    body, headers = slash_command("what is the current CPU on web-1?")

    resp = post(bot_url, body, headers)

    assert resp.status_code == 200
    placeholder = fake_slack.wait_for("chat.postMessage")[0]
    assert placeholder.body["channel"] == "C_OPS"
    assert placeholder.body["text"] == ":hourglass_flowing_sand: Working on it…"
    assert placeholder.headers["Authorization"] == "Bearer xoxb-test-token"
    update = fake_slack.wait_for("chat.update")[0]
    assert update.body["ts"] == placeholder.response["ts"]
    assert update.body["text"].startswith("web-1 CPU: ")
    assert "<@U_ONCALL> asked" in update.body["blocks"][0]["elements"][0]["text"]


def test_placeholder_and_update_share_the_message_ts(bot_url: str, fake_slack: FakeSlackApi) -> None:
    body, headers = slash_command("anomalies 3")

    post(bot_url, body, headers)

    update = fake_slack.wait_for("chat.update")[0]
    placeholder = fake_slack.received("chat.postMessage")[0]
    assert (placeholder.body["channel"], placeholder.response["ts"]) == (update.body["channel"], update.body["ts"])
    assert update.body["text"] == "No anomalies recorded."


def test_in_a_channel_the_bot_is_not_in_the_answer_goes_to_the_response_url(
    bot_url: str, fake_slack: FakeSlackApi
) -> None:
    fake_slack.responses["chat.postMessage"] = {"ok": False, "error": "not_in_channel"}
    response_url = fake_slack.api_url.replace("/api/", "/commands/77")
    body, headers = slash_command("what is the current CPU on web-1?", channel="C_ELSEWHERE", response_url=response_url)

    post(bot_url, body, headers)

    answer = fake_slack.wait_for("/commands/77")[0]
    assert answer.body["response_type"] == "in_channel"
    assert answer.body["text"].startswith("web-1 CPU: ")
    assert fake_slack.received("chat.update") == []


def test_a_rate_limited_answer_waits_out_retry_after_and_is_posted(bot_url: str, fake_slack: FakeSlackApi) -> None:
    fake_slack.rate_limited["chat.update"] = 1
    fake_slack.retry_after = 1
    body, headers = slash_command("what is the current CPU on web-1?")

    post(bot_url, body, headers)

    updates = fake_slack.wait_for("chat.update", count=2)
    assert updates[0].response == {"ok": False, "error": "ratelimited"}
    assert updates[1].body["text"].startswith("web-1 CPU: ")


def test_help_is_answered_in_the_ack_and_nothing_is_posted(bot: RunningBot, fake_slack: FakeSlackApi) -> None:
    body, headers = slash_command("help")

    resp = post(bot.url, body, headers)

    assert resp.status_code == 200
    assert "/ops status [host]" in resp.text
    assert 1 == bot.lazy.wait_idle()
    assert fake_slack.received("chat.postMessage") == []


def test_bad_subcommand_arguments_get_a_clear_ack_and_nothing_runs(bot: RunningBot, fake_slack: FakeSlackApi) -> None:
    body, headers = slash_command("anomalies 500")

    resp = post(bot.url, body, headers)

    assert resp.status_code == 200
    assert "from 1 to 50" in resp.text
    assert 1 == bot.lazy.wait_idle()
    assert fake_slack.received("chat.postMessage") == []


def test_status_of_a_host_goes_through_the_tools(bot_url: str, fake_slack: FakeSlackApi) -> None:
    body, headers = slash_command("status db-1")

    post(bot_url, body, headers)

    text = fake_slack.wait_for("chat.update")[0].body["text"]
    assert "db-1" in text
    assert "CPU" in text
    assert "%" in text


def test_fleet_status_counts_hosts_and_names_the_busiest(bot_url: str, fake_slack: FakeSlackApi) -> None:
    post(bot_url, *slash_command("status"))

    lines = fake_slack.wait_for("chat.update")[0].body["text"].splitlines()
    assert lines[0].startswith("*Fleet*: ")
    assert lines[0].endswith(" hosts up")
    busiest = next(line for line in lines if line.startswith("• busiest CPU: "))
    assert " db-1 9" in busiest


def test_mention_in_a_thread_is_answered_in_that_thread(bot_url: str, fake_slack: FakeSlackApi) -> None:
    body, headers = event_callback(
        mention("what is the memory on web-2?", ts="1700000100.000200", thread_ts="1700000000.000100"),
        event_id="Ev_THREAD",
    )

    resp = post(bot_url, body, headers)

    assert resp.status_code == 200
    placeholder = fake_slack.wait_for("chat.postMessage")[0]
    assert placeholder.body["thread_ts"] == "1700000000.000100"
    update = fake_slack.wait_for("chat.update")[0]
    assert update.body["text"].startswith("web-2 memory used: ")


def test_a_follow_up_in_the_same_thread_keeps_its_context(bot_url: str, fake_slack: FakeSlackApi) -> None:
    thread = "1700000700.000100"
    first = event_callback(mention("what is the CPU on web-1?", ts=thread), event_id="Ev_CTX1")
    follow_up = event_callback(mention("and memory?", ts="1700000710.000100", thread_ts=thread), event_id="Ev_CTX2")
    elsewhere = event_callback(mention("and memory?", ts="1700000720.000100"), event_id="Ev_CTX3")

    post(bot_url, *first)
    fake_slack.wait_for("chat.update", count=1)
    post(bot_url, *follow_up)
    fake_slack.wait_for("chat.update", count=2)
    post(bot_url, *elsewhere)
    updates = fake_slack.wait_for("chat.update", count=3)

    assert updates[1].body["text"].startswith("web-1 memory used: ")
    assert not updates[2].body["text"].startswith("web-1 memory used: ")


def test_top_level_mention_starts_a_thread_on_the_mention(bot_url: str, fake_slack: FakeSlackApi) -> None:
    body, headers = event_callback(mention("cpu on web-3", ts="1700000200.000300"), event_id="Ev_TOP")

    post(bot_url, body, headers)

    assert fake_slack.wait_for("chat.postMessage")[0].body["thread_ts"] == "1700000200.000300"
    assert fake_slack.wait_for("chat.update")[0].body["text"].startswith("web-3 CPU: ")


def test_direct_message_is_answered_in_the_dm(bot_url: str, fake_slack: FakeSlackApi) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D_ONCALL",
        "user": "U_ONCALL",
        "text": "what is the disk on web-4?",
        "ts": "1700000300.000400",
    }
    body, headers = event_callback(event, event_id="Ev_DM")

    post(bot_url, body, headers)

    placeholder = fake_slack.wait_for("chat.postMessage")[0]
    assert placeholder.body["channel"] == "D_ONCALL"
    assert "thread_ts" not in placeholder.body
    assert fake_slack.wait_for("chat.update")[0].body["text"].startswith("web-4 disk used: ")


def test_a_slack_retry_of_an_event_does_not_run_the_work_twice(bot: RunningBot, fake_slack: FakeSlackApi) -> None:
    event = mention("cpu on web-5", ts="1700000400.000500")
    first = event_callback(event, event_id="Ev_RETRY")
    retry = event_callback(event, event_id="Ev_RETRY", retry_num=1)

    assert post(bot.url, *first).status_code == 200
    assert post(bot.url, *retry).status_code == 200

    bot.lazy.wait_idle()
    assert len(fake_slack.received("chat.postMessage")) == 1
    assert len(fake_slack.received("chat.update")) == 1


def test_bad_signature_gets_401_and_nothing_runs(bot: RunningBot, fake_slack: FakeSlackApi) -> None:
    body, headers = slash_command("what is the current CPU on web-1?")
    headers["X-Slack-Signature"] = "v0=" + "0" * 64

    resp = post(bot.url, body, headers)

    assert resp.status_code == 401
    assert 0 == bot.lazy.wait_idle()
    assert fake_slack.received("chat.postMessage") == []


def test_stale_timestamp_gets_401_and_nothing_runs(bot: RunningBot, fake_slack: FakeSlackApi) -> None:
    body, _ = slash_command("what is the current CPU on web-1?")
    headers = {
        **signed_headers(body, timestamp=int(time.time()) - 6 * 60),
        "Content-Type": "application/x-www-form-urlencoded",
    }

    resp = post(bot.url, body, headers)

    assert resp.status_code == 401
    assert 0 == bot.lazy.wait_idle()
    assert fake_slack.received("chat.postMessage") == []


def test_rate_limit_answers_with_a_friendly_message(start_bot: BotFactory, fake_slack: FakeSlackApi) -> None:
    with start_bot(rate_limit_per_minute=2) as bot:
        acks = [post(bot.url, *slash_command("status web-1", user="U_BUSY")) for _ in range(3)]
        other = post(bot.url, *slash_command("status web-1", user="U_CALM"))

        assert [r.status_code for r in acks] == [200, 200, 200]
        assert "faster than I can answer" in acks[2].json()["text"]
        assert other.text == ""
        assert 3 == bot.lazy.wait_idle()
        assert len(fake_slack.received("chat.postMessage")) == 3


def test_channels_outside_the_allow_list_are_refused(start_bot: BotFactory, fake_slack: FakeSlackApi) -> None:
    with start_bot(allowed_channels=["C_OPS"]) as bot:
        refused = post(bot.url, *slash_command("status web-1", channel="C_RANDOM"))
        allowed = post(bot.url, *slash_command("status web-1", channel="C_OPS"))

        assert "not enabled in <#C_RANDOM>" in refused.json()["text"]
        assert allowed.status_code == 200
        assert 1 == bot.lazy.wait_idle()
        update = fake_slack.received("chat.update")[0]
        assert [c.body["channel"] for c in fake_slack.received("chat.postMessage")] == ["C_OPS"]
        assert update.body["channel"] == "C_OPS"


def test_question_over_time_attaches_a_chart(bot_url: str, fake_slack: FakeSlackApi) -> None:
    body, headers = event_callback(
        mention("how was the CPU on db-1 over the last 30 minutes?", ts="1700000500.000600"), event_id="Ev_CHART"
    )

    post(bot_url, body, headers)

    fake_slack.wait_for("chat.update")
    complete = fake_slack.wait_for("files.completeUploadExternal")[0]
    upload = fake_slack.received("upload")[0]
    assert upload.body["bytes"] > 1000
    assert complete.body["channel_id"] == "C_OPS"
    assert complete.body["thread_ts"] == "1700000500.000600"


def test_a_retry_reaching_another_replica_is_not_answered_twice(
    fake_slack: FakeSlackApi, prometheus: ServerProcess, redis_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        prometheus=PrometheusSettings(url=prometheus.url),
        redis=RedisSettings(url=redis_url),
        audit=AuditSettings(dir=tmp_path / "logs"),
        slack=slack_settings(fake_slack.api_url),
    )
    event = mention("cpu on web-1", ts="1700000800.000100")
    with serve_bot(settings) as first, serve_bot(settings) as second:
        assert post(first.url, *event_callback(event, event_id="Ev_REPLICAS")).status_code == 200
        assert post(second.url, *event_callback(event, event_id="Ev_REPLICAS", retry_num=1)).status_code == 200

        first.lazy.wait_idle()
        second.lazy.wait_idle()

    assert len(fake_slack.received("chat.postMessage")) == 1
    assert len(fake_slack.received("chat.update")) == 1
