"""Approval messages follow their request: expiry, Cancel, approve-list sections, other workspaces, duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from slack_sdk import WebClient

from adapters.clock import ManualClock
from adapters.slack.notifier import SlackNotifier
from bot.config.settings import AuditSettings, AwsSettings, RedisSettings, RemediationSettings, Settings
from bot.jobs.approval_expiry import ApprovalExpiryJob
from tests.fakes.slack_api import FakeSlackApi, ReceivedCall
from tests.integration.moto_aws import create_group, desired_capacity
from tests.integration.slack_bot import RunningBot, serve_bot, slack_settings
from tests.integration.slack_requests import block_action, slash_command

pytestmark = pytest.mark.integration


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC))


@pytest.fixture
def bot(
    fake_slack: FakeSlackApi, aws_env: str, redis_url: str, tmp_path: Path, clock: ManualClock
) -> Iterator[RunningBot]:
    create_group(aws_env)
    create_group(aws_env, "api-asg")
    settings = Settings(
        aws=AwsSettings(endpoint_url=aws_env),
        redis=RedisSettings(url=redis_url),
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(approvers={"scale_up": ["U_LEAD"]}),
        slack=slack_settings(fake_slack.api_url, app_id="A000"),
    )
    with serve_bot(settings, clock=clock) as running:
        yield running


def post(url: str, request: tuple[str, dict[str, str]]) -> requests.Response:
    body, headers = request
    return requests.post(f"{url}/slack/events", data=body, headers=headers, timeout=10)


def approval_messages(fake_slack: FakeSlackApi) -> list[ReceivedCall]:
    return [c for c in fake_slack.received("chat.postMessage") if c.body["text"].startswith("Approval needed")]


def request_scale_up(bot: RunningBot, fake_slack: FakeSlackApi, group: str = "web-asg") -> tuple[str, str]:
    """Ask for a scale-up as U_ONCALL; returns (request id, ts of its approval message)."""
    before = len(approval_messages(fake_slack))
    assert post(bot.url, slash_command(f"scale {group} up by 1", user="U_ONCALL")).status_code == 200
    bot.lazy.wait_idle()
    approval = approval_messages(fake_slack)[before]
    actions = next(b for b in approval.body["blocks"] if b["type"] == "actions")
    return actions["elements"][0]["value"], approval.response["ts"]


def kinds(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["type"] for b in blocks]


def test_expiry_updates_the_approval_message_and_takes_its_buttons_off(
    bot: RunningBot, fake_slack: FakeSlackApi, clock: ManualClock, aws_env: str
) -> None:
    request_id, ts = request_scale_up(bot, fake_slack)
    assert bot.services.remediation is not None
    job = ApprovalExpiryJob(
        bot.services.remediation, SlackNotifier(WebClient(token="xoxb-test", base_url=fake_slack.api_url))
    )
    clock.advance(timedelta(minutes=16))

    [expired] = job(clock.now())

    assert request_id == expired.id
    update = [c for c in fake_slack.received("chat.update") if c.body["ts"] == ts][-1]
    assert update.body["text"] == f"Expired at {clock.now():%H:%M} UTC. Nothing was run."
    assert "actions" not in kinds(update.body["blocks"])
    assert desired_capacity(aws_env) == 2


def test_the_requester_cancels_with_the_button_and_nobody_else_can(
    bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str
) -> None:
    request_id, ts = request_scale_up(bot, fake_slack)
    updates = len(fake_slack.received("chat.update"))

    post(bot.url, block_action("approval_cancel", request_id, user="U_LEAD", message_ts=ts))
    bot.lazy.wait_idle()
    assert fake_slack.received("chat.postEphemeral")[-1].body["text"].startswith("You can't cancel that")
    assert updates == len(fake_slack.received("chat.update"))

    post(bot.url, block_action("approval_cancel", request_id, user="U_ONCALL", message_ts=ts))
    bot.lazy.wait_idle()

    update = fake_slack.received("chat.update")[-1]
    assert (ts, "Cancelled by <@U_ONCALL>. Nothing was run.") == (update.body["ts"], update.body["text"])
    assert "actions" not in kinds(update.body["blocks"])
    post(bot.url, block_action("approval_approve", request_id, user="U_LEAD", message_ts=ts))
    bot.lazy.wait_idle()
    assert fake_slack.received("chat.postEphemeral")[-1].body["text"].startswith("This request is already cancelled")
    assert desired_capacity(aws_env) == 2


def test_ops_cancel_withdraws_a_request_and_updates_its_message(bot: RunningBot, fake_slack: FakeSlackApi) -> None:
    request_id, ts = request_scale_up(bot, fake_slack)

    post(bot.url, slash_command(f"cancel {request_id}", user="U_ONCALL"))
    bot.lazy.wait_idle()

    cancelled = [c for c in fake_slack.received("chat.update") if c.body["ts"] == ts]
    assert cancelled[-1].body["text"] == "Cancelled by <@U_ONCALL>. Nothing was run."
    assert any(f"`{request_id}`: Cancelled" in c.body["text"] for c in fake_slack.received("chat.update"))


def test_deciding_one_request_of_the_approve_list_updates_only_its_section(
    bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str
) -> None:
    first, first_ts = request_scale_up(bot, fake_slack)
    second, _ = request_scale_up(bot, fake_slack, "api-asg")
    post(bot.url, slash_command("approve-list", user="U_LEAD"))
    bot.lazy.wait_idle()
    listing = next(c for c in fake_slack.received("chat.update") if c.body["text"].startswith("2 remediation"))

    click = block_action(
        "approval_approve", first, user="U_LEAD", message_ts=listing.body["ts"], message_blocks=listing.body["blocks"]
    )
    post(bot.url, click)
    bot.lazy.wait_idle()

    update = [c for c in fake_slack.received("chat.update") if c.body["ts"] == listing.body["ts"]][-1]
    buttons = [e["value"] for b in update.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [second] * 3 == buttons
    shown = str(update.body["blocks"])
    assert "Approved by <@U_LEAD>" in shown
    assert update.body["blocks"][0] == listing.body["blocks"][0]
    assert (3, 2) == (desired_capacity(aws_env), desired_capacity(aws_env, "api-asg"))
    approval_message = [c for c in fake_slack.received("chat.update") if c.body["ts"] == first_ts][-1]
    assert "actions" not in kinds(approval_message.body["blocks"])


@pytest.mark.parametrize(("team", "app"), [("T_OTHER", "A000"), ("T000", "A_OTHER")], ids=["team", "app"])
def test_a_click_from_another_workspace_or_app_is_refused(
    bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str, team: str, app: str
) -> None:
    request_id, ts = request_scale_up(bot, fake_slack)
    updates = len(fake_slack.received("chat.update"))

    assert (
        200
        == post(
            bot.url, block_action("approval_approve", request_id, user="U_LEAD", message_ts=ts, team=team, app=app)
        ).status_code
    )
    bot.lazy.wait_idle()

    [note] = fake_slack.received("chat.postEphemeral")
    assert note.body["user"] == "U_LEAD"
    assert "another workspace" in note.body["text"]
    assert updates == len(fake_slack.received("chat.update"))
    assert desired_capacity(aws_env) == 2


def test_a_second_request_for_the_same_group_points_at_the_first(bot: RunningBot, fake_slack: FakeSlackApi) -> None:
    request_id, _ts = request_scale_up(bot, fake_slack)
    approvals = len(approval_messages(fake_slack))

    post(bot.url, slash_command("scale web-asg up by 1", user="U_OTHER"))
    bot.lazy.wait_idle()

    assert approvals == len(approval_messages(fake_slack))
    answer = fake_slack.received("chat.update")[-1]
    assert f"`{request_id}`" in answer.body["text"]
    assert "already waiting for approval" in answer.body["text"]


def test_an_echoed_question_and_label_values_reach_slack_as_text(bot: RunningBot, fake_slack: FakeSlackApi) -> None:
    post(bot.url, slash_command("what is the cpu on <!channel> <https://evil.example|click>?", user="U_ONCALL"))
    bot.lazy.wait_idle()

    answer = fake_slack.received("chat.update")[-1]
    shown = str(answer.body["blocks"]) + answer.body["text"]
    assert "<!channel>" not in shown
    assert "<https://evil.example|click>" not in shown
    assert "&lt;!channel&gt;" in str(answer.body["blocks"][0])
