"""Redis stopped and restarted during the test: answers keep working, anomalies spool to a local file
(surviving process restarts) and replay in order once Redis is back. Nothing is lost.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.redis.anomalies import RedisAnomalyStore
from adapters.redis.connection import connect
from bot.config.settings import (
    AuditSettings,
    DetectionSettings,
    PrometheusSettings,
    RedisSettings,
    RemediationSettings,
    Settings,
    StateSettings,
)
from bot.jobs.schedule import build_job_scheduler
from bot.jobs.scheduler import JobScheduler, Outcome
from bot.services import Services
from bot.wiring import build_services
from domain.models import Anomaly
from tests import servers
from tests.integration.outages import redis_ready, restart

NOTE = "Conversation context is unavailable right now"
CPU_RULE = "  - name: db-cpu-hot\n    rule: cpu > 90% for 2m on db-*\n"
MEMORY_RULE = "  - name: web-memory-used\n    rule: memory > 1% for 1m on web-*\n"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[list[servers.ServerProcess]]:
    """A Redis of this test's own (it gets stopped), keeping its data in an append-only file across restarts."""
    home = tmp_path / "redis"
    port = servers.free_port()
    argv = [
        servers.find_binary("redis-server", "the Debian package redis-server"),
        *("--port", str(port), "--bind", servers.LOOPBACK, "--save", "", "--appendonly", "yes"),
        *("--appendfsync", "always", "--dir", str(home)),
    ]
    server = servers.start_server("redis", argv, port=port, workdir=home, ready=redis_ready(port))
    server.extra["url"] = f"redis://{servers.LOOPBACK}:{port}/0"
    holder = [server]
    yield holder
    holder[0].stop()


def settings_for(tmp_path: Path, redis_url: str, prometheus_url: str, rules: str) -> Settings:
    rules_file = tmp_path / f"rules-{abs(hash(rules))}.yaml"
    rules_file.write_text("rules:\n" + rules)
    return Settings(
        prometheus=PrometheusSettings(url=prometheus_url),
        redis=RedisSettings(url=redis_url),
        audit=AuditSettings(dir=tmp_path / "audit"),
        state=StateSettings(dir=tmp_path / "state"),
        remediation=RemediationSettings(rules_file=rules_file),
        detection=DetectionSettings(
            interval_seconds=1,
            window_minutes=10,
            model_path=tmp_path / "none.pkl",
            spool_path=tmp_path / "spool.jsonl",
        ),
    )


def start_process(settings: Settings) -> tuple[Services, JobScheduler]:
    """What one bot process builds at start-up."""
    services = build_services(settings, load_model=False)
    return services, build_job_scheduler(settings, services, notifier=None)


def fire_detection(scheduler: JobScheduler) -> Outcome:
    time.sleep(1.05)  # one tick later
    return scheduler.fire("detection")


def spooled(path: Path) -> list[Anomaly]:
    return [Anomaly.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]


def test_redis_outage_keeps_answers_and_spools_anomalies_across_restarts_until_redis_returns(
    own_redis: list[servers.ServerProcess], prometheus: servers.ServerProcess, tmp_path: Path
) -> None:
    redis = own_redis[0]
    url = redis.extra["url"]
    settings = settings_for(tmp_path, url, prometheus.url, CPU_RULE)
    spool_path = settings.detection.spool_path
    assert spool_path is not None
    services, scheduler = start_process(settings)
    assert Outcome.RAN == fire_detection(scheduler)
    before = {a.id for a in RedisAnomalyStore(connect(url)).recent(1000)}
    assert before

    redis.stop()
    reply = services.runner.answer("what is the cpu on db-1?", thread="incident-7")
    follow_up = services.runner.answer("and memory?", thread="incident-7")
    assert Outcome.RAN == fire_detection(scheduler)
    written_by_first = services.anomalies.spooled  # type: ignore[attr-defined]

    # A restart (with one more rule) while Redis is still down: the spool is read back, then grows.
    settings = settings_for(tmp_path, url, prometheus.url, CPU_RULE + MEMORY_RULE)
    services, scheduler = start_process(settings)
    assert written_by_first == services.anomalies.spooled  # type: ignore[attr-defined]
    assert Outcome.RAN == fire_detection(scheduler)
    queued = spooled(spool_path)

    # And another restart: everything queued is still there.
    services, scheduler = start_process(settings)
    assert len(queued) == services.anomalies.spooled  # type: ignore[attr-defined]

    own_redis[0] = restart(redis, redis_ready(redis.port))
    replayed = services.anomalies.replay()  # type: ignore[attr-defined]

    assert "%" in reply.answer
    assert 1 == reply.answer.count(NOTE)
    assert 1 == follow_up.answer.count(NOTE)
    assert 0 < written_by_first < len(queued)
    new_ids = {a.id for a in queued} - before
    assert new_ids, "the memory rule opened anomalies while Redis was down"
    assert len(queued) == replayed
    assert not spool_path.exists()
    store = RedisAnomalyStore(connect(url))
    stored = {a.id: a for a in store.recent(1000)}
    assert before | {a.id for a in queued} == set(stored)
    last_written = {a.id: a for a in queued}  # the spool is in write order: the last line per id wins
    assert {i: a.updated_at for i, a in last_written.items()} == {i: stored[i].updated_at for i in last_written}

    assert Outcome.RAN == fire_detection(scheduler)
    again = services.runner.answer("what is the cpu on db-1?", thread="incident-8")
    assert 0 == again.answer.count(NOTE)
