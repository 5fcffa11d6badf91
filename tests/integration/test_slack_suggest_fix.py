"""Suggest fix on an incident message: the rule's action becomes an approval request in the incident's thread."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from slack_sdk import WebClient

from adapters.clock import ManualClock
from adapters.slack.notifier import SlackNotifier
from bot.jobs.incident_notifier import build_incident_notifier
from domain.models import Anomaly, MetricKind, Severity
from tests.fakes.slack_api import FakeSlackApi, ReceivedCall
from tests.integration.moto_aws import create_group, desired_capacity
from tests.integration.slack_bot import RunningBot, rule_bot_settings, serve_bot, slack_settings
from tests.integration.slack_requests import block_action
from tests.servers import ServerProcess

pytestmark = pytest.mark.integration

RULES = """
rules:
  - name: web-hot
    rule: cpu > 90% for 3m on web-1 then scale_up web-asg by 1
"""


@pytest.fixture
def bot(fake_slack: FakeSlackApi, prometheus: ServerProcess, aws_env: str, tmp_path: Path) -> Iterator[RunningBot]:
    create_group(aws_env)
    slack = slack_settings(fake_slack.api_url, alert_channel="C_ALERTS")
    settings = rule_bot_settings(RULES, tmp_path, slack=slack, aws_endpoint=aws_env, prometheus_url=prometheus.url)
    with serve_bot(settings, clock=ManualClock(datetime.now(UTC))) as running:
        yield running


def click(bot: RunningBot, action_id: str, value: str, *, user: str, ts: str) -> None:
    body, headers = block_action(action_id, value, user=user, channel="C_ALERTS", message_ts=ts)
    assert 200 == requests.post(f"{bot.url}/slack/events", data=body, headers=headers, timeout=10).status_code
    bot.lazy.wait_idle()


def announce(bot: RunningBot, fake_slack: FakeSlackApi, anomaly_id: str, metric: MetricKind) -> ReceivedCall:
    """An incident of ``metric`` on web-1, announced by the notifier's pass: its ``chat.postMessage``."""
    assert bot.services.metrics is not None
    web1 = next(h for h in bot.services.metrics.hosts() if h.name == "web-1")
    now = bot.services.clock.now()
    bot.services.anomalies.upsert(
        Anomaly(
            id=anomaly_id,
            host=web1,
            metric=metric,
            detector="engine",
            severity=Severity.HIGH,
            score=6.0,
            value=95.0,
            started_at=now,
            updated_at=now,
        )
    )
    notifier = build_incident_notifier(
        bot.services.settings, bot.services, SlackNotifier(WebClient(token="xoxb-test", base_url=fake_slack.api_url))
    )
    assert notifier is not None
    notifier(now)
    return fake_slack.received("chat.postMessage")[-1]


def test_suggest_fix_requests_the_rules_action_in_the_thread_and_a_second_click_points_at_it(
    bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str
) -> None:
    announced = announce(bot, fake_slack, "web-1-cpu-fix", MetricKind.CPU)
    ts = announced.response["ts"]
    assert "incident_suggest_fix" in json.dumps(announced.body["blocks"])

    click(bot, "incident_suggest_fix", "web-1-cpu-fix", user="U_ONCALL", ts=ts)

    approval = fake_slack.received("chat.postMessage")[-1]
    assert ts == approval.body["thread_ts"]
    assert approval.body["text"] == "Approval needed: scale web-asg up by 1"
    [pending] = bot.services.approvals.pending()
    assert "U_ONCALL" == pending.requested_by
    assert 2 == desired_capacity(aws_env)

    click(bot, "incident_suggest_fix", "web-1-cpu-fix", user="U_OTHER", ts=ts)

    note = fake_slack.received("chat.postEphemeral")[-1]
    assert f"request `{pending.id}` is already waiting for approval" in note.body["text"]
    assert 1 == len(bot.services.approvals.pending())


def test_a_signal_no_rule_maps_gets_no_suggest_fix_button(bot: RunningBot, fake_slack: FakeSlackApi) -> None:
    announced = announce(bot, fake_slack, "web-1-disk", MetricKind.DISK)

    buttons = [e["action_id"] for b in announced.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "incident_investigate" in buttons
    assert "incident_suggest_fix" not in buttons
