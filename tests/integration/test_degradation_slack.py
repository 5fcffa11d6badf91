"""Slack rate limits and errors: the digest waits out ``Retry-After``; a digest that fails is retried, not dropped."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from slack_sdk import WebClient

from adapters.slack.notifier import SlackNotifier, retrying_web_client
from bot.config.settings import AuditSettings, SchedulerSettings, Settings, SlackSettings
from bot.jobs.schedule import build_job_scheduler
from bot.jobs.scheduler import JobScheduler, Outcome
from bot.services import Services
from bot.wiring import build_services
from tests.fakes.slack_api import FakeSlackApi

TICK = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)
JOB = "digest:C0DIGEST"


@pytest.fixture
def settings(fake_slack: FakeSlackApi, tmp_path: Path) -> Settings:
    return Settings(
        audit=AuditSettings(dir=tmp_path / "audit"),
        slack=SlackSettings(
            api_url=fake_slack.api_url,
            bot_token=SecretStr("xoxb-test"),
            digest_channel="C0DIGEST",
            digest_post_when_quiet=True,
        ),
        scheduler=SchedulerSettings(digest_retry_seconds=[30, 120]),
    )


@pytest.fixture
def services(settings: Settings) -> Services:
    return build_services(settings, load_model=False)


@pytest.fixture
def scheduler(settings: Settings, services: Services, fake_slack: FakeSlackApi) -> JobScheduler:
    client = retrying_web_client(WebClient(token="xoxb-test", base_url=fake_slack.api_url, timeout=10))
    return build_job_scheduler(settings, services, notifier=SlackNotifier(client))


def posts(fake_slack: FakeSlackApi) -> list[bool]:
    return [bool(c.response.get("ok")) for c in fake_slack.received("chat.postMessage")]


def retries(scheduler: JobScheduler) -> list[list[object]]:
    return [list(j.args) for j in scheduler.scheduler.get_jobs() if j.id.startswith(f"{JOB}:retry")]


def test_a_rate_limited_digest_is_posted_after_retry_after(scheduler: JobScheduler, fake_slack: FakeSlackApi) -> None:
    fake_slack.rate_limited["chat.postMessage"] = 1
    fake_slack.retry_after = 1
    started = time.monotonic()

    assert Outcome.RAN == scheduler.fire(JOB, TICK)

    assert [False, True] == posts(fake_slack)
    assert time.monotonic() - started >= 1.0
    assert [] == retries(scheduler)


def test_a_longer_wait_than_the_cap_fails_fast_and_the_digest_is_retried(
    scheduler: JobScheduler, fake_slack: FakeSlackApi
) -> None:
    fake_slack.rate_limited["chat.postMessage"] = 1
    fake_slack.retry_after = 3600
    started = time.monotonic()

    assert Outcome.FAILED == scheduler.fire(JOB, TICK)
    assert time.monotonic() - started < 5
    assert [[JOB, TICK, 1]] == retries(scheduler)

    assert Outcome.RAN == scheduler.fire(JOB, TICK, 1)
    assert [False, True] == posts(fake_slack)


def test_a_digest_slack_refuses_is_retried_not_dropped(
    scheduler: JobScheduler, services: Services, fake_slack: FakeSlackApi
) -> None:
    fake_slack.responses["chat.postMessage"] = {"ok": False, "error": "internal_error"}

    assert Outcome.FAILED == scheduler.fire(JOB, TICK)
    assert Outcome.FAILED == scheduler.fire(JOB, TICK, 1)
    assert [JOB, TICK, 2] == retries(scheduler)[-1]
    fake_slack.responses.clear()
    assert Outcome.RAN == scheduler.fire(JOB, TICK, 2)
    assert Outcome.DONE == scheduler.fire(JOB, TICK, 2)

    assert [False, False, True] == posts(fake_slack)
    assert 'smartcloudops_job_failures_total{job="digest:C0DIGEST"} 2.0' in services.telemetry.exposition().decode()
