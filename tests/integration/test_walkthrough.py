"""The story of docs/walkthrough.md, against the real servers: a question, a detected anomaly and its digest,
a scale-up approved by two people and run on moto, and the audit lines.

Run with ``-s`` to print the transcript the walkthrough quotes (``pytest -s tests/integration/test_walkthrough.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from adapters.slack.notifier import SlackNotifier
from bot.config.settings import (
    AuditSettings,
    AwsSettings,
    PrometheusSettings,
    RedisSettings,
    RemediationSettings,
    Settings,
)
from bot.jobs.digest import DigestJob
from tests.fakes.slack_api import FakeSlackApi, ReceivedCall
from tests.integration.moto_aws import create_group, desired_capacity
from tests.integration.slack_bot import serve_bot, slack_settings
from tests.integration.slack_requests import block_action, slash_command
from tests.servers import ServerProcess


def say(line: str = "") -> None:
    print(line)  # noqa: T201 - the transcript is the point


def post(url: str, request: tuple[str, dict[str, str]]) -> None:
    body, headers = request
    assert 200 == requests.post(f"{url}/slack/events", data=body, headers=headers, timeout=30).status_code


def wait_for(fake_slack: FakeSlackApi, method: str, matches: Callable[[ReceivedCall], bool]) -> ReceivedCall:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [c for c in fake_slack.received(method) if matches(c)]
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no matching {method}: {[(c.method, c.body.get('text')) for c in fake_slack.calls]}")


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    out = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            out.append(block["text"]["text"])
        out.extend(f["text"] for f in block.get("fields", []))
        out.extend(e.get("text", "") for e in block.get("elements", []) if block["type"] == "context")
    return out


@pytest.fixture
def settings(
    prometheus: ServerProcess, redis_url: str, aws_env: str, fake_slack: FakeSlackApi, tmp_path: Path
) -> Settings:
    rules = tmp_path / "rules.yml"
    rules.write_text("rules:\n  - name: db-cpu-hot\n    rule: cpu > 90% for 2m on db-*\n    severity: critical\n")
    create_group(aws_env)
    return Settings(
        prometheus=PrometheusSettings(url=prometheus.url),
        redis=RedisSettings(url=redis_url),
        aws=AwsSettings(endpoint_url=aws_env),
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(
            approvers={"scale_up": ["U_ONCALL", "U_LEAD", "U_SRE"]}, quorum={"scale_up": 2}, rules_file=rules
        ),
        slack=slack_settings(fake_slack.api_url, bot_token="xoxb-walkthrough"),
    )


def test_the_walkthrough_story(settings: Settings, fake_slack: FakeSlackApi, aws_env: str, tmp_path: Path) -> None:
    with serve_bot(settings) as bot:
        url, services, app = bot.url, bot.services, bot.app
        say("\n--- 1. /ops what is the current CPU on db-1?   (from U_ONCALL in #ops)")
        post(url, slash_command("what is the current CPU on db-1?", user="U_ONCALL"))
        answer = wait_for(fake_slack, "chat.update", lambda c: "CPU" in c.body["text"])
        say(f"bot: {answer.body['text']}")
        assert answer.body["text"].startswith("db-1 CPU: ")

        say("\n--- 2. a detection pass (the scheduler's job), then the digest")
        now = datetime.now(UTC)
        report = services.detection.run_once(now) if services.detection else None
        assert report is not None
        for anomaly in report.opened:
            say(f"opened: [{anomaly.severity.value}] {anomaly.status.value} {anomaly.host.name} {anomaly.metric.value}")
            say(f"        value {anomaly.value:.1f}, score {anomaly.score}, since {anomaly.started_at:%H:%M} UTC")
        assert "db-1" in {a.host.name for a in report.opened}
        DigestJob(
            store=services.anomalies, notifier=SlackNotifier(app.client), channel="C_DIGEST", window=timedelta(hours=1)
        )(now)
        digest = wait_for(fake_slack, "chat.postMessage", lambda c: c.body["channel"] == "C_DIGEST")
        say(f"digest in #C_DIGEST: {digest.body['text']}")
        for text in block_texts(digest.body["blocks"]):
            say(f"  | {text}")

        say("\n--- 3. /ops scale web-asg up by 1   (from U_ONCALL)")
        post(url, slash_command("scale web-asg up by 1", user="U_ONCALL"))
        approval = wait_for(
            fake_slack,
            "chat.postMessage",
            lambda c: any(b["type"] == "actions" for b in c.body.get("blocks", [])),
        )
        for text in block_texts(approval.body["blocks"]):
            say(f"  | {text}")
        buttons = next(b for b in approval.body["blocks"] if b["type"] == "actions")["elements"]
        say(f"  [{'] ['.join(e['text']['text'] for e in buttons)}]")
        request_id = buttons[0]["value"]
        ts = approval.response["ts"]

        say("\n--- 4. U_ONCALL (an approver) clicks Approve on their own request, then U_LEAD and U_SRE do")
        post(url, block_action("approval_approve", request_id, user="U_ONCALL", message_ts=ts))
        refusal = wait_for(fake_slack, "chat.postEphemeral", lambda c: c.body["user"] == "U_ONCALL")
        say(f"to U_ONCALL only: {refusal.body['text']}")
        post(url, block_action("approval_approve", request_id, user="U_LEAD", message_ts=ts))
        waiting = wait_for(fake_slack, "chat.update", lambda c: "more needed" in c.body["text"])
        say(f"message now: {waiting.body['text']}")
        post(url, block_action("approval_approve", request_id, user="U_SRE", message_ts=ts))
        done = wait_for(fake_slack, "chat.update", lambda c: "Result:" in c.body["text"])
        say(f"message now: {done.body['text']}")

        say("\n--- 5. on AWS (moto): web-asg desired capacity")
        say(f"DesiredCapacity = {desired_capacity(aws_env)}")
        assert 3 == desired_capacity(aws_env)

    say("\n--- 6. the audit log")
    lines = [json.loads(line) for f in sorted((tmp_path / "audit").glob("audit-*.jsonl")) for line in f.open()]
    for entry in lines:
        say(json.dumps(entry, ensure_ascii=False))
    events = [e["event"] for e in lines if e["request_id"] == request_id]
    assert ["requested", "refused", "approved", "approved", "executing", "succeeded"] == events
