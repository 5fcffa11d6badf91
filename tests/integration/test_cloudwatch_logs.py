"""get_logs over AWS CloudWatch Logs (filter_log_events), on moto in server mode."""

from __future__ import annotations

import time
from pathlib import Path

import boto3

from bot.config.settings import AuditSettings, AwsSettings, LogsSettings, Settings
from bot.wiring import build_services


def put_events(endpoint: str, group: str, stream: str, messages: list[tuple[float, str]]) -> None:
    logs = boto3.client("logs", endpoint_url=endpoint, region_name="us-east-1")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": int(t * 1000), "message": m} for t, m in sorted(messages)],
    )


def test_logs_from_cloudwatch_are_filtered_newest_first_and_bounded(aws_env: str, tmp_path: Path) -> None:
    now = time.time()
    put_events(
        aws_env,
        "/smartcloudops/app",
        "web-1/nginx",
        [
            (now - 3600 * 3, "ERROR too old"),
            *[(now - 60 * m, f"ERROR upstream timed out #{m}") for m in range(1, 8)],
            (now - 30, "INFO healthy"),
        ],
    )
    settings = Settings(
        aws=AwsSettings(endpoint_url=aws_env),
        logs=LogsSettings(cloudwatch_group="/smartcloudops/app"),
        audit=AuditSettings(dir=tmp_path),
    )
    services = build_services(settings)

    result = services.registry.call(
        "get_logs", {"source": "cloudwatch", "since": "1h", "contains": "error", "limit": 3}, services.tools
    )

    assert "success" == result.status.value
    assert ["ERROR upstream timed out #1", "ERROR upstream timed out #2", "ERROR upstream timed out #3"] == [
        line.text for line in result.data.lines
    ]
    assert 4 == result.data.omitted


def test_router_answers_log_questions_from_cloudwatch(aws_env: str, tmp_path: Path) -> None:
    put_events(aws_env, "/app", "web-1", [(time.time() - 120, "ERROR disk quota exceeded on web-1")])
    settings = Settings(
        aws=AwsSettings(endpoint_url=aws_env),
        logs=LogsSettings(cloudwatch_group="/app"),
        audit=AuditSettings(dir=tmp_path),
    )

    answer = build_services(settings).runner.answer("show errors for web-1 in the last hour")

    assert "disk quota exceeded" in answer.answer
    assert "[cloudwatch]" in answer.answer
