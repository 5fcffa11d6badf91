"""The fix's check on real servers: Suggest fix, Approve, the action runs on moto, the thread hears if it worked.

Prometheus scrapes the simulated fleet (web-1 normal, db-1 saturating its CPU). The bot's clock is
set eleven minutes back, so the ten minutes watched after execution are history Prometheus has.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from slack_sdk import WebClient

from adapters.clock import ManualClock
from adapters.files.audit import read_records
from adapters.slack.notifier import SlackNotifier
from bot.jobs.incident_notifier import build_incident_notifier
from bot.jobs.remediation_verification import build_verification_job
from bot.slack.verification_blocks import NEXT_STEP_ACTION
from domain.models import Anomaly, MetricKind, Severity
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.moto_aws import create_group, desired_capacity
from tests.integration.slack_bot import RunningBot, rule_bot_settings, serve_bot, slack_settings
from tests.integration.slack_requests import block_action
from tests.servers import ServerProcess

pytestmark = pytest.mark.integration

RULES = """
rules:
  - name: cpu-hot
    rule: cpu > 90% for 3m on web-1,db-1 then scale_up web-asg by 1
"""


@pytest.fixture
def bot(fake_slack: FakeSlackApi, prometheus: ServerProcess, aws_env: str, tmp_path: Path) -> Iterator[RunningBot]:
    create_group(aws_env)
    slack = slack_settings(fake_slack.api_url, alert_channel="C_ALERTS")
    settings = rule_bot_settings(RULES, tmp_path, slack=slack, aws_endpoint=aws_env, prometheus_url=prometheus.url)
    with serve_bot(settings, clock=ManualClock(datetime.now(UTC) - timedelta(minutes=11))) as running:
        yield running


def click(bot: RunningBot, action_id: str, value: str, *, user: str, ts: str, **extra: Any) -> None:
    body, headers = block_action(action_id, value, user=user, channel="C_ALERTS", message_ts=ts, **extra)
    assert 200 == requests.post(f"{bot.url}/slack/events", data=body, headers=headers, timeout=10).status_code
    bot.lazy.wait_idle()


def chat(fake_slack: FakeSlackApi) -> SlackNotifier:
    return SlackNotifier(WebClient(token="xoxb-test", base_url=fake_slack.api_url))


def fix_incident_on(bot: RunningBot, fake_slack: FakeSlackApi, host_name: str) -> tuple[str, str]:
    """A CPU incident on ``host_name`` announced, fixed by U_ONCALL, approved by U_LEAD; (its ts, the request id)."""
    assert bot.services.metrics is not None
    host = next(h for h in bot.services.metrics.hosts() if h.name == host_name)
    now = bot.services.clock.now()
    bot.services.anomalies.upsert(
        Anomaly(
            id=f"{host_name}-cpu",
            host=host,
            metric=MetricKind.CPU,
            detector="engine",
            severity=Severity.HIGH,
            score=6.0,
            value=95.0,
            started_at=now,
            updated_at=now,
        )
    )
    notifier = build_incident_notifier(bot.services.settings, bot.services, chat(fake_slack))
    assert notifier is not None
    notifier(now)
    incident_ts = str(fake_slack.received("chat.postMessage")[0].response["ts"])
    click(bot, "incident_suggest_fix", f"{host_name}-cpu", user="U_ONCALL", ts=incident_ts)
    approval = fake_slack.received("chat.postMessage")[-1]
    [pending] = bot.services.approvals.pending()
    click(bot, "approval_approve", pending.id, user="U_LEAD", ts=str(approval.response["ts"]))
    return incident_ts, pending.id


def check_after_ten_minutes(bot: RunningBot, fake_slack: FakeSlackApi) -> int:
    assert isinstance(bot.services.clock, ManualClock)
    bot.services.clock.advance(timedelta(minutes=10))
    job = build_verification_job(bot.services.settings, bot.services, chat(fake_slack))
    assert job is not None
    return job(bot.services.clock.now())


def verification_lines(bot: RunningBot) -> list[dict[str, Any]]:
    return [r for r in read_records(bot.services.settings.audit.dir) if r["event"] == "verification"]


def test_a_fix_whose_signal_is_normal_is_told_recovered_in_the_incidents_thread(
    bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str
) -> None:
    incident_ts, request_id = fix_incident_on(bot, fake_slack, "web-1")
    assert 3 == desired_capacity(aws_env)

    assert 1 == check_after_ten_minutes(bot, fake_slack)

    told = fake_slack.received("chat.postMessage")[-1]
    assert incident_ts == told.body["thread_ts"]
    assert re.fullmatch(r"web-1 CPU \d+\.\d% → \d+\.\d% within \d+s: recovered", told.body["text"]), told.body["text"]
    [line] = verification_lines(bot)
    assert (request_id, "recovered", "scale_up") == (line["request_id"], line["state"], line["action"])
    assert "rule cpu-hot (cpu > 90%)" == line["params"]["normal"]
    assert str(line["params"]["before"]).endswith("%")
    assert str(line["params"]["after"]).endswith("%")


def test_a_fix_that_does_not_help_is_told_with_a_next_step_that_goes_through_the_approval_flow(
    bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str
) -> None:
    incident_ts, request_id = fix_incident_on(bot, fake_slack, "db-1")
    assert 3 == desired_capacity(aws_env)

    assert 1 == check_after_ten_minutes(bot, fake_slack)

    told = fake_slack.received("chat.postMessage")[-1]
    assert incident_ts == told.body["thread_ts"]
    assert re.fullmatch(r"db-1 CPU still 9\d\.\d% 10m after the scale-up: not recovered", told.body["text"])
    [button] = told.body["blocks"][-1]["elements"]
    assert (NEXT_STEP_ACTION, request_id) == (button["action_id"], button["value"])
    assert button["text"]["text"].startswith("Request next step: restart nginx on i-")
    assert ["not_recovered"] == [line["state"] for line in verification_lines(bot)]

    click(bot, NEXT_STEP_ACTION, request_id, user="U_ONCALL", ts=str(told.response["ts"]), thread_ts=incident_ts)

    # The restart is requested like any other: its dry run reads EC2, which has no instance of the simulated db-1.
    refusal = fake_slack.received("chat.postEphemeral")[-1]
    assert "I can't request that fix" in refusal.body["text"]
    assert "not found" in refusal.body["text"]
    assert [] == bot.services.approvals.pending()
