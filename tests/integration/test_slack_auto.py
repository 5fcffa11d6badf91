"""Slack side of automatic remediation: ``/ops auto off|on|status`` and the Undo button, over signed requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from adapters.clock import ManualClock
from adapters.simulated.metrics import SimulatedMetrics
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.moto_aws import create_group, desired_capacity
from tests.integration.slack_bot import RunningBot, rule_bot_settings, serve_bot, slack_settings
from tests.integration.slack_requests import block_action, slash_command
from tests.integration.test_auto_remediation import RULES, T0


@pytest.fixture
def bot(fake_slack: FakeSlackApi, aws_env: str, redis_url: str, tmp_path: Path) -> Iterator[RunningBot]:
    create_group(aws_env, desired=2, max_size=6)
    clock = ManualClock(T0)
    model = FleetModel(5, (Incident(IncidentKind.CPU_SATURATION, "web-1", T0.timestamp() - 600, 3600),))
    slack = slack_settings(fake_slack.api_url)
    settings = rule_bot_settings(RULES, tmp_path, slack=slack, aws_endpoint=aws_env, redis_url=redis_url)
    with serve_bot(settings, clock=clock, metrics=SimulatedMetrics(model, clock)) as running:
        yield running


def post(url: str, request: tuple[str, dict[str, str]]) -> int:
    body, headers = request
    return requests.post(f"{url}/slack/events", data=body, headers=headers, timeout=10).status_code


def answered(fake_slack: FakeSlackApi, count: int) -> str:
    return str(fake_slack.wait_for("chat.update", count=count)[count - 1].body.get("text", ""))


def test_an_approver_switches_automatic_remediation_off_and_on(bot: RunningBot, fake_slack: FakeSlackApi) -> None:
    state = bot.services.auto_state
    assert state is not None

    assert 200 == post(bot.url, slash_command("auto off", user="U_LEAD"))
    assert "now OFF" in answered(fake_slack, 1)
    assert state.kill_switch()

    assert 200 == post(bot.url, slash_command("auto status", user="U_ONCALL"))
    assert "Automatic remediation is OFF" in answered(fake_slack, 2)

    assert 200 == post(bot.url, slash_command("auto on", user="U_ONCALL"))
    assert "Only approvers" in answered(fake_slack, 3)
    assert state.kill_switch()


def test_undo_button_scales_the_group_back_down(bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str) -> None:
    assert bot.services.rule_actions is not None
    outcome = bot.services.rule_actions.run_with_outcomes(T0)[0]
    assert outcome.request is not None
    assert 3 == desired_capacity(aws_env)

    assert 200 == post(bot.url, block_action("auto_undo", outcome.request.id, user="U_ONCALL"))
    refused = fake_slack.wait_for("chat.postEphemeral")[0]
    assert "You can't undo that" in refused.body["text"]
    assert 3 == desired_capacity(aws_env)

    assert 200 == post(bot.url, block_action("auto_undo", outcome.request.id, user="U_LEAD"))
    done = fake_slack.wait_for("chat.postMessage")[0]
    assert "Undone by <@U_LEAD>" in done.body["text"]
    assert 2 == desired_capacity(aws_env)
