"""Remediation request → approval → execution → audit, on moto (server mode) and Redis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config.settings import AuditSettings, AwsSettings, RedisSettings, RemediationSettings, Settings
from bot.wiring import build_services
from domain.errors import NotAllowedToApprove
from remediation.approval import ApprovalState
from tests.integration.moto_aws import create_group, desired_capacity


@pytest.fixture
def settings(aws_env: str, redis_url: str, tmp_path: Path) -> Settings:
    return Settings(
        aws=AwsSettings(endpoint_url=aws_env),
        redis=RedisSettings(url=redis_url),
        audit=AuditSettings(dir=tmp_path / "audit"),
        remediation=RemediationSettings(approvers={"scale_up": ["U_LEAD"]}),
    )


def test_scale_up_runs_after_approval_by_an_allowed_user_and_is_audited(settings: Settings, aws_env: str) -> None:
    create_group(aws_env)
    services = build_services(settings)
    assert services.remediation is not None

    answer = services.runner.answer("scale web-asg up by 1", user="U_ONCALL")
    assert answer.approval_id is not None
    assert desired_capacity(aws_env) == 2

    done = services.remediation.approve(answer.approval_id, "U_LEAD")

    assert done.state is ApprovalState.SUCCEEDED
    assert desired_capacity(aws_env) == 3
    lines = [
        json.loads(x) for p in sorted(settings.audit.dir.glob("audit-*.jsonl")) for x in p.read_text().splitlines()
    ]
    assert [(e["event"], e["actor"]) for e in lines] == [
        ("requested", "U_ONCALL"),
        ("approved", "U_LEAD"),
        ("executing", "smartcloudops"),
        ("succeeded", "smartcloudops"),
    ]
    assert lines[-1]["params"] == {"group": "web-asg", "by": 1}
    assert "2 → 3" in lines[-1]["result"]


def test_requester_and_unlisted_users_cannot_approve(settings: Settings, aws_env: str) -> None:
    create_group(aws_env)
    services = build_services(settings)
    assert services.remediation is not None
    answer = services.runner.answer("scale web-asg up by 1", user="U_LEAD")
    assert answer.approval_id is not None

    with pytest.raises(NotAllowedToApprove):
        services.remediation.approve(answer.approval_id, "U_LEAD")
    with pytest.raises(NotAllowedToApprove):
        services.remediation.approve(answer.approval_id, "U_SOMEONE")

    assert services.remediation.get(answer.approval_id).state is ApprovalState.PENDING
    assert desired_capacity(aws_env) == 2
