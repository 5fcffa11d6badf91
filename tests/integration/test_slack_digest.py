"""The digest job reads anomalies from Redis and posts to the fake Slack Web API (or stays silent)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient

from adapters.redis.anomalies import RedisAnomalyStore
from adapters.redis.connection import connect
from adapters.slack.notifier import SlackNotifier
from bot.jobs.digest import DigestJob, run_digest_job
from domain.errors import NotifierUnavailable
from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind, Severity
from tests.fakes.slack_api import FakeSlackApi

NOW = datetime.now(UTC)


def anomaly(n: int, host: str, severity: Severity, status: AnomalyStatus = AnomalyStatus.OPEN) -> Anomaly:
    started = NOW - timedelta(hours=1)
    return Anomaly(
        id=f"a{n}",
        host=HostRef(instance=f"10.0.0.{n}:9100", host=host),
        metric=MetricKind.MEMORY,
        detector="zscore",
        status=status,
        severity=severity,
        score=4.0,
        value=91.0,
        started_at=started,
        updated_at=started,
    )


@pytest.fixture
def store(redis_url: str) -> RedisAnomalyStore:
    return RedisAnomalyStore(connect(redis_url))


def job(store: RedisAnomalyStore, fake_slack: FakeSlackApi, **kwargs: object) -> DigestJob:
    notifier = SlackNotifier(WebClient(token="xoxb-test", base_url=fake_slack.api_url))
    return DigestJob(
        store=store, notifier=notifier, channel="C_DIGEST", grafana_url="https://grafana.example.com", **kwargs
    )  # type: ignore[arg-type]


def test_digest_is_posted_with_counts_and_grafana_links(store: RedisAnomalyStore, fake_slack: FakeSlackApi) -> None:
    store.upsert(anomaly(1, "db-1", Severity.HIGH))
    store.upsert(anomaly(2, "web-1", Severity.LOW, AnomalyStatus.RESOLVED))

    job(store, fake_slack)(NOW)

    posted = fake_slack.wait_for("chat.postMessage")
    assert [c.body["channel"] for c in posted] == ["C_DIGEST"]
    assert posted[0].body["text"] == "Anomaly digest, last 24 h: 2 anomalies (1 high, 1 low), 1 open"
    assert "https://grafana.example.com/d/sco-host-detail?var-instance=10.0.0.1%3A9100" in str(posted[0].body["blocks"])


def test_nothing_is_posted_when_there_is_nothing_to_say(store: RedisAnomalyStore, fake_slack: FakeSlackApi) -> None:
    assert job(store, fake_slack)(NOW) is None
    assert fake_slack.received("chat.postMessage") == []


def test_quiet_digest_is_posted_when_configured(store: RedisAnomalyStore, fake_slack: FakeSlackApi) -> None:
    job(store, fake_slack, post_when_quiet=True)(NOW)

    assert "All quiet" in fake_slack.wait_for("chat.postMessage")[0].body["text"]


def test_a_slack_refusal_is_counted_not_raised(store: RedisAnomalyStore, fake_slack: FakeSlackApi) -> None:
    store.upsert(anomaly(1, "db-1", Severity.HIGH))
    fake_slack.responses["chat.postMessage"] = {"ok": False, "error": "channel_not_found"}
    failures: list[int] = []

    with pytest.raises(NotifierUnavailable):
        job(store, fake_slack)(NOW)
    run_digest_job(job(store, fake_slack), NOW, on_failure=lambda: failures.append(1))

    assert failures == [1]
