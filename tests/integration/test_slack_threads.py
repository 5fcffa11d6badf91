"""Follow-ups in a channel thread the bot answered in: signed ``message.channels`` events, no new @mention."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.config.settings import AuditSettings, PrometheusSettings, Settings, StateSettings
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.slack_bot import RunningBot, serve_bot, slack_settings
from tests.integration.slack_requests import event_callback
from tests.servers import ServerProcess

pytestmark = pytest.mark.integration

THREAD = "1700000900.000100"


@pytest.fixture
def bot(fake_slack: FakeSlackApi, prometheus: ServerProcess, tmp_path: Path) -> Iterator[RunningBot]:
    settings = Settings(
        prometheus=PrometheusSettings(url=prometheus.url),
        state=StateSettings(dir=tmp_path / "state"),
        audit=AuditSettings(dir=tmp_path / "logs"),
        slack=slack_settings(fake_slack.api_url),
    )
    with serve_bot(settings) as running:
        yield running


def send(bot: RunningBot, event: dict[str, Any], event_id: str) -> None:
    body, headers = event_callback(event, event_id=event_id)
    assert 200 == requests.post(f"{bot.url}/slack/events", data=body, headers=headers, timeout=5).status_code
    bot.lazy.wait_idle()


def message(text: str, *, ts: str, thread_ts: str | None = THREAD) -> dict[str, Any]:
    event = {"type": "message", "channel_type": "channel", "channel": "C_OPS", "user": "U_ONCALL", "text": text}
    return {**event, "ts": ts, **({"thread_ts": thread_ts} if thread_ts else {})}


def test_a_follow_up_without_a_mention_is_answered_in_the_bots_thread_with_its_context(
    bot: RunningBot, fake_slack: FakeSlackApi
) -> None:
    mention = {**message("<@U_BOT> what is the CPU on web-1?", ts=THREAD, thread_ts=None), "type": "app_mention"}
    send(bot, mention, "Ev_T1")
    fake_slack.responses["conversations.replies"] = {
        "ok": True,
        "messages": [{"user": "U_ONCALL", "ts": THREAD}, {"user": "U_BOT", "ts": "1700000901.000100"}],
    }

    send(bot, message("and memory?", ts="1700000910.000100"), "Ev_T2")

    [lookup] = fake_slack.received("conversations.replies")
    assert (lookup.body["channel"], lookup.body["ts"]) == ("C_OPS", THREAD)
    answer = fake_slack.received("chat.update")[-1]
    assert answer.body["text"].startswith("web-1 memory used: ")
    assert THREAD == fake_slack.received("chat.postMessage")[-1].body["thread_ts"]


def test_chatter_in_a_thread_without_the_bot_and_top_level_messages_are_left_alone(
    bot: RunningBot, fake_slack: FakeSlackApi
) -> None:
    fake_slack.responses["conversations.replies"] = {"ok": True, "messages": [{"user": "U_ONCALL", "ts": THREAD}]}

    send(bot, message("lunch?", ts="1700000920.000100"), "Ev_T3")
    send(bot, message("top level", ts="1700000930.000100", thread_ts=None), "Ev_T4")

    assert 1 == len(fake_slack.received("conversations.replies"))
    assert [] == fake_slack.received("chat.postMessage")
