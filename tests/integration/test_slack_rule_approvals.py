"""Approval messages a rule posted follow their request like the assistant's: expiry and a click update them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from slack_sdk import WebClient

from adapters.clock import ManualClock
from adapters.simulated.metrics import SimulatedMetrics
from adapters.slack.notifier import SlackNotifier
from bot.jobs.approval_expiry import ApprovalExpiryJob
from bot.jobs.rule_outcomes import RuleOutcomePoster
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests.fakes.slack_api import FakeSlackApi, ReceivedCall
from tests.integration.moto_aws import create_group, desired_capacity
from tests.integration.slack_bot import RunningBot, rule_bot_settings, serve_bot, slack_settings
from tests.integration.slack_requests import block_action
from tests.integration.test_auto_remediation import T0
from tests.integration.test_slack_suggest_fix import RULES

pytestmark = pytest.mark.integration


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def bot(
    fake_slack: FakeSlackApi, aws_env: str, redis_url: str, tmp_path: Path, clock: ManualClock
) -> Iterator[RunningBot]:
    create_group(aws_env, desired=2, max_size=6)
    model = FleetModel(5, (Incident(IncidentKind.CPU_SATURATION, "web-1", T0.timestamp() - 600, 3600),))
    slack = slack_settings(fake_slack.api_url)
    settings = rule_bot_settings(RULES, tmp_path, slack=slack, aws_endpoint=aws_env, redis_url=redis_url)
    with serve_bot(settings, clock=clock, metrics=SimulatedMetrics(model, clock)) as running:
        yield running


def chat(fake_slack: FakeSlackApi) -> SlackNotifier:
    return SlackNotifier(WebClient(token="xoxb-test", base_url=fake_slack.api_url))


def rule_approval(bot: RunningBot, fake_slack: FakeSlackApi, clock: ManualClock) -> tuple[str, ReceivedCall]:
    """Let the rule fire and post its approval request to C_OPS; returns the request id and the posted message."""
    assert bot.services.rule_actions is not None
    poster = RuleOutcomePoster(job=bot.services.rule_actions, notifier=chat(fake_slack), channel="C_OPS")
    assert 1 == poster(clock.now())
    [message] = fake_slack.received("chat.postMessage")
    assert message.body["text"].startswith("Approval needed: scale web-asg up by 1 (rule `web-hot` on web-1)")
    return buttons(message.body["blocks"])["approval_approve"], message


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    return {e["action_id"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


def test_a_rule_created_request_that_expires_loses_its_buttons_on_its_message(
    bot: RunningBot, fake_slack: FakeSlackApi, clock: ManualClock, aws_env: str
) -> None:
    request_id, message = rule_approval(bot, fake_slack, clock)
    assert bot.services.remediation is not None
    clock.advance(timedelta(minutes=16))

    [expired] = ApprovalExpiryJob(bot.services.remediation, chat(fake_slack))(clock.now())

    assert request_id == expired.id
    [update] = [c for c in fake_slack.received("chat.update") if c.body["ts"] == message.response["ts"]]
    assert ("C_OPS", f"Expired at {clock.now():%H:%M} UTC. Nothing was run.") == (
        update.body["channel"],
        update.body["text"],
    )
    assert {} == buttons(update.body["blocks"])
    assert 2 == desired_capacity(aws_env)


def test_approving_a_rule_created_request_from_its_message_runs_it_and_updates_that_message(
    bot: RunningBot, fake_slack: FakeSlackApi, clock: ManualClock, aws_env: str
) -> None:
    request_id, message = rule_approval(bot, fake_slack, clock)
    ts = message.response["ts"]

    body, headers = block_action(
        "approval_approve", request_id, user="U_LEAD", message_ts=ts, message_blocks=message.body["blocks"]
    )
    assert 200 == requests.post(f"{bot.url}/slack/events", data=body, headers=headers, timeout=10).status_code
    bot.lazy.wait_idle()

    updates = [c for c in fake_slack.received("chat.update") if c.body["ts"] == ts]
    assert updates
    assert updates[-1].body["text"].startswith("Approved by <@U_LEAD>")
    assert {} == buttons(updates[-1].body["blocks"])
    assert 3 == desired_capacity(aws_env)
    stored = bot.services.approvals.get(request_id)
    assert stored is not None
    assert [("C_OPS", ts)] == [(p.channel, p.ts) for p in stored.shown_in]
