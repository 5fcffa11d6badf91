"""Approve / Reject buttons end to end: Bolt over HTTP, RemediationService on moto (server mode) and Redis."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from adapters.clock import ManualClock
from bot.config.settings import AuditSettings, AwsSettings, RedisSettings, RemediationSettings, Settings
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.moto_aws import create_group, desired_capacity
from tests.integration.slack_bot import RunningBot, serve_bot, slack_settings
from tests.integration.slack_requests import block_action, slash_command


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC))


@pytest.fixture
def bot(
    fake_slack: FakeSlackApi, aws_env: str, redis_url: str, tmp_path: Path, clock: ManualClock
) -> Iterator[RunningBot]:
    create_group(aws_env)
    settings = Settings(
        aws=AwsSettings(endpoint_url=aws_env),
        redis=RedisSettings(url=redis_url),
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(approvers={"scale_up": ["U_LEAD", "S_SRE"]}),
        slack=slack_settings(fake_slack.api_url),
    )
    with serve_bot(settings, clock=clock) as running:
        yield running


@pytest.fixture
def bot_url(bot: RunningBot) -> str:
    return bot.url


def post(url: str, request: tuple[str, dict[str, str]]) -> requests.Response:
    body, headers = request
    return requests.post(f"{url}/slack/events", data=body, headers=headers, timeout=10)


def request_scale_up(url: str, fake_slack: FakeSlackApi) -> tuple[str, str]:
    """Ask for a scale-up; returns (request id, ts of the approval message)."""
    assert post(url, slash_command("scale web-asg up by 1", user="U_ONCALL")).status_code == 200
    posted = fake_slack.wait_for("chat.postMessage", count=2)
    approval = posted[1]
    actions = next(b for b in approval.body["blocks"] if b["type"] == "actions")
    values = {e["action_id"]: e["value"] for e in actions["elements"]}
    assert values["approval_approve"] == values["approval_reject"]
    return values["approval_approve"], approval.response["ts"]


def texts(blocks: list[dict[str, Any]]) -> str:
    out = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out.extend(f["text"] for f in block.get("fields", []))
    return "\n".join(out)


def test_approval_message_shows_dry_run_requester_expiry_and_buttons(bot_url: str, fake_slack: FakeSlackApi) -> None:
    request_id, _ts = request_scale_up(bot_url, fake_slack)

    approval = fake_slack.received("chat.postMessage")[1]
    shown = texts(approval.body["blocks"])
    assert "2 → 3" in shown
    assert "<@U_ONCALL>" in shown
    assert "UTC" in shown
    assert request_id in shown
    assert len(request_id) >= 8


def test_allowed_user_approves_once_then_a_second_click_is_told_who_approved(
    bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str
) -> None:
    request_id, ts = request_scale_up(bot.url, fake_slack)

    assert post(bot.url, block_action("approval_approve", request_id, user="U_LEAD", message_ts=ts)).status_code == 200

    update = fake_slack.wait_for("chat.update", count=2)[-1]
    assert update.body["ts"] == ts
    assert update.body["text"].startswith("Approved by <@U_LEAD>. Result: web-asg desired capacity 2 → 3")
    assert "actions" not in [b["type"] for b in update.body["blocks"]]
    assert desired_capacity(aws_env) == 3

    post(bot.url, block_action("approval_approve", request_id, user="U_LEAD", message_ts=ts))

    bot.lazy.wait_idle()
    ephemeral = fake_slack.received("chat.postEphemeral")[0]
    assert ephemeral.body["user"] == "U_LEAD"
    assert ephemeral.body["text"] == "This request was already approved by <@U_LEAD> (it ran)."
    assert len(fake_slack.received("chat.update")) == 2
    assert desired_capacity(aws_env) == 3


def test_a_user_who_may_not_approve_gets_an_ephemeral_refusal_and_nothing_changes(
    bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str
) -> None:
    request_id, ts = request_scale_up(bot.url, fake_slack)
    bot.lazy.wait_idle()
    updates_before = len(fake_slack.received("chat.update"))

    post(bot.url, block_action("approval_approve", request_id, user="U_INTERN", message_ts=ts))

    bot.lazy.wait_idle()
    ephemeral = fake_slack.received("chat.postEphemeral")[0]
    assert ephemeral.body["user"] == "U_INTERN"
    assert ephemeral.body["text"].startswith("You can't do that: you are not on the approver list for scale_up")
    assert len(fake_slack.received("chat.update")) == updates_before
    assert desired_capacity(aws_env) == 2


def test_a_member_of_an_approver_user_group_may_approve(bot_url: str, fake_slack: FakeSlackApi, aws_env: str) -> None:
    fake_slack.usergroups["S_SRE"] = ["U_SRE1", "U_SRE2"]
    request_id, ts = request_scale_up(bot_url, fake_slack)

    post(bot_url, block_action("approval_approve", request_id, user="U_SRE2", message_ts=ts))

    update = fake_slack.wait_for("chat.update", count=2)[-1]
    assert update.body["text"].startswith("Approved by <@U_SRE2>.")
    lookups = fake_slack.received("usergroups.users.list")
    assert [c.body["usergroup"] for c in lookups] == ["S_SRE"]
    assert desired_capacity(aws_env) == 3


def test_simultaneous_approvals_execute_once(bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str) -> None:
    fake_slack.usergroups["S_SRE"] = ["U_SRE1"]
    request_id, ts = request_scale_up(bot.url, fake_slack)
    clicks = [
        block_action("approval_approve", request_id, user=user, message_ts=ts) for user in ("U_LEAD", "U_SRE1") * 2
    ]

    with ThreadPoolExecutor(4) as pool:
        statuses = [r.status_code for r in pool.map(lambda c: post(bot.url, c), clicks)]

    assert statuses == [200, 200, 200, 200]
    bot.lazy.wait_idle()
    assert 3 == len(fake_slack.received("chat.postEphemeral"))
    assert len([c for c in fake_slack.received("chat.update") if c.body["text"].startswith("Approved by")]) == 1
    assert desired_capacity(aws_env) == 3


def test_reject_updates_the_message_and_nothing_runs(bot_url: str, fake_slack: FakeSlackApi, aws_env: str) -> None:
    request_id, ts = request_scale_up(bot_url, fake_slack)

    post(bot_url, block_action("approval_reject", request_id, user="U_LEAD", message_ts=ts))

    update = fake_slack.wait_for("chat.update", count=2)[-1]
    assert update.body["text"] == "Rejected by <@U_LEAD>. Nothing was run."
    assert desired_capacity(aws_env) == 2


def test_approve_list_shows_pending_requests_with_their_buttons(bot_url: str, fake_slack: FakeSlackApi) -> None:
    request_id, _ts = request_scale_up(bot_url, fake_slack)

    post(bot_url, slash_command("approve-list", user="U_LEAD"))

    listing = fake_slack.wait_for("chat.update", count=2)[-1]
    assert listing.body["text"] == "1 remediation request waiting for approval:"
    buttons = [e["value"] for b in listing.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [request_id, request_id, request_id]


def test_where_the_bot_cannot_update_the_click_response_url_replaces_the_message(
    bot_url: str, fake_slack: FakeSlackApi, aws_env: str
) -> None:
    request_id, ts = request_scale_up(bot_url, fake_slack)
    fake_slack.responses["chat.update"] = {"ok": False, "error": "channel_not_found"}
    response_url = fake_slack.api_url.replace("/api/", "/actions/9")

    post(bot_url, block_action("approval_approve", request_id, user="U_LEAD", message_ts=ts, response_url=response_url))

    replaced = fake_slack.wait_for("/actions/9")[0]
    assert replaced.body["replace_original"] is True
    assert replaced.body["text"].startswith("Approved by <@U_LEAD>.")
    assert desired_capacity(aws_env) == 3


def test_a_click_after_expiry_removes_the_buttons_and_nothing_runs(
    bot_url: str, fake_slack: FakeSlackApi, aws_env: str, clock: ManualClock
) -> None:
    request_id, ts = request_scale_up(bot_url, fake_slack)
    clock.advance(timedelta(minutes=16))

    post(bot_url, block_action("approval_approve", request_id, user="U_LEAD", message_ts=ts))

    assert fake_slack.wait_for("chat.postEphemeral")[0].body["text"] == "This request is already expired."
    update = fake_slack.wait_for("chat.update", count=2)[-1]
    assert update.body["ts"] == ts
    assert "actions" not in [b["type"] for b in update.body["blocks"]]
    assert desired_capacity(aws_env) == 2
