"""Suggest fix with no rule, on moto: CPU on an Auto Scaling group member scales the group up by one, within MaxSize."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from slack_sdk import WebClient

from adapters.aws.cloud_actions import AwsCloudActions
from adapters.clock import ManualClock
from adapters.slack.notifier import SlackNotifier
from bot.config.settings import AuditSettings, AwsSettings, RemediationSettings, Settings
from bot.jobs.incident_notifier import build_incident_notifier
from domain.models import Anomaly, HostRef, MetricKind, Severity
from tests.fakes.slack_api import FakeSlackApi, ReceivedCall
from tests.integration.moto_aws import REGION, create_group, run_instances
from tests.integration.slack_bot import RunningBot, serve_bot, slack_settings
from tests.integration.slack_requests import block_action

pytestmark = pytest.mark.integration

INCIDENT_TS = "1700000400.000100"


@pytest.fixture
def bot(fake_slack: FakeSlackApi, aws_env: str, tmp_path: Path) -> Iterator[RunningBot]:
    settings = Settings(
        aws=AwsSettings(endpoint_url=aws_env),
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(approvers={"*": ["U_LEAD"]}),
        slack=slack_settings(fake_slack.api_url, alert_channel="C_ALERTS"),
    )
    with serve_bot(settings, clock=ManualClock(datetime.now(UTC))) as running:
        yield running


def member_of(aws_env: str, group: str) -> str:
    cloud = AwsCloudActions.from_endpoint(region=REGION, endpoint_url=aws_env)
    return cloud.describe_group(group).instances[0].instance_id


def incident_on(bot: RunningBot, instance_id: str, metric: MetricKind = MetricKind.CPU, name: str = "app-1") -> None:
    now = bot.services.clock.now()
    bot.services.anomalies.upsert(
        Anomaly(
            id=f"{name}-incident",
            host=HostRef(instance=f"{name}:9100", host=name, instance_id=instance_id),
            metric=metric,
            detector="engine",
            severity=Severity.HIGH,
            score=6.0,
            value=96.0,
            started_at=now,
            updated_at=now,
        )
    )


def suggest_fix_on(bot: RunningBot, instance_id: str, metric: MetricKind = MetricKind.CPU) -> None:
    incident_on(bot, instance_id, metric)
    body, headers = block_action(
        "incident_suggest_fix", "app-1-incident", user="U_ONCALL", channel="C_ALERTS", message_ts=INCIDENT_TS
    )
    assert 200 == requests.post(f"{bot.url}/slack/events", data=body, headers=headers, timeout=10).status_code
    bot.lazy.wait_idle()


def test_the_group_of_an_instance_is_read_from_auto_scaling(aws_env: str) -> None:
    create_group(aws_env)
    cloud = AwsCloudActions.from_endpoint(region=REGION, endpoint_url=aws_env)
    [outsider] = run_instances(aws_env)

    assert ("web-asg", None) == (
        cloud.auto_scaling_group_of(member_of(aws_env, "web-asg")),
        cloud.auto_scaling_group_of(outsider),
    )


def test_cpu_on_a_member_requests_a_scale_up_by_one_in_the_incidents_thread(
    bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str
) -> None:
    create_group(aws_env)

    suggest_fix_on(bot, member_of(aws_env, "web-asg"))

    approval = fake_slack.received("chat.postMessage")[-1]
    assert (INCIDENT_TS, "Approval needed: scale web-asg up by 1") == (
        approval.body["thread_ts"],
        approval.body["text"],
    )
    [pending] = bot.services.approvals.pending()
    assert ("U_ONCALL", "web-asg: desired capacity 2 → 3") == (pending.requested_by, pending.dry_run.split(" (")[0])


def test_a_member_of_a_group_at_its_max_size_is_refused_with_the_reason(
    bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str
) -> None:
    create_group(aws_env, desired=3, max_size=3)

    suggest_fix_on(bot, member_of(aws_env, "web-asg"), MetricKind.MEMORY)

    assert "web-asg is already at its MaxSize of 3" in fake_slack.received("chat.postEphemeral")[-1].body["text"]
    assert [] == bot.services.approvals.pending()


def test_an_instance_in_no_group_gets_no_fix(bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str) -> None:
    [outsider] = run_instances(aws_env)

    suggest_fix_on(bot, outsider)

    assert "I have no fix to suggest: no rule maps CPU" in fake_slack.received("chat.postEphemeral")[-1].body["text"]
    assert [] == bot.services.approvals.pending()


def announce(bot: RunningBot, fake_slack: FakeSlackApi) -> list[ReceivedCall]:
    """A notifier pass over the incidents in the store: the messages it posted."""
    notifier = build_incident_notifier(
        bot.services.settings, bot.services, SlackNotifier(WebClient(token="xoxb-test", base_url=fake_slack.api_url))
    )
    assert notifier is not None
    notifier(bot.services.clock.now())
    return fake_slack.received("chat.postMessage")


def test_only_the_message_of_a_group_member_offers_suggest_fix(
    bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str
) -> None:
    create_group(aws_env)
    [outsider] = run_instances(aws_env)
    incident_on(bot, member_of(aws_env, "web-asg"), name="app-1")
    incident_on(bot, outsider, name="app-2")

    posted = announce(bot, fake_slack)

    offered = {p.body["text"].split(":")[0]: "incident_suggest_fix" in json.dumps(p.body["blocks"]) for p in posted}
    assert {"[high] app-1": True, "[high] app-2": False} == offered


def test_a_fleet_wide_message_of_one_groups_members_requests_its_scale_up_in_its_thread(
    bot: RunningBot, fake_slack: FakeSlackApi, aws_env: str
) -> None:
    create_group(aws_env, desired=3)
    cloud = AwsCloudActions.from_endpoint(region=REGION, endpoint_url=aws_env)
    for n, member in enumerate(cloud.describe_group("web-asg").instances, start=1):
        incident_on(bot, member.instance_id, name=f"app-{n}")

    [group] = announce(bot, fake_slack)
    buttons = {
        e["action_id"]: e["value"] for b in group.body["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    body, headers = block_action(
        "incident_suggest_fix",
        buttons["incident_suggest_fix"],
        user="U_ONCALL",
        channel="C_ALERTS",
        message_ts=group.response["ts"],
    )
    assert 200 == requests.post(f"{bot.url}/slack/events", data=body, headers=headers, timeout=10).status_code
    bot.lazy.wait_idle()

    assert ("[high] CPU high on 3 hosts", "app-1-incident") == (
        group.body["text"].split(":")[0],
        buttons["incident_suggest_fix"],
    )
    approval = fake_slack.received("chat.postMessage")[-1]
    assert (group.response["ts"], "Approval needed: scale web-asg up by 1") == (
        approval.body["thread_ts"],
        approval.body["text"],
    )
