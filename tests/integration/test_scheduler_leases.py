"""Job leases on a real Redis: the lease contract, and many replicas racing for the same ticks."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from adapters.redis.connection import connect
from adapters.redis.leases import RedisJobLeases
from bot.jobs.scheduler import Outcome, ScheduledJob, TickRunner
from tests.unit.adapters.test_leases import LeaseContract


class TestRedisLeases(LeaseContract):
    @pytest.fixture
    def leases(self, redis_url: str) -> RedisJobLeases:
        return RedisJobLeases(connect(redis_url))

    def wait_ms(self, ms: int) -> None:
        time.sleep(ms / 1000)


def test_lease_keys_carry_one_hash_tag(redis_url: str) -> None:
    leases = RedisJobLeases(connect(redis_url))
    leases.acquire("detection:20260313T090000", "a", 10_000)
    leases.mark_done("detection", datetime(2026, 3, 13, 9, tzinfo=UTC))

    keys = sorted(connect(redis_url).keys("*"))
    assert ["sco:{jobs}:done:detection", "sco:{jobs}:lease:detection:20260313T090000"] == keys


def test_twenty_racing_replicas_run_each_tick_once(redis_url: str) -> None:
    ran: Counter[datetime] = Counter()
    lock = threading.Lock()

    def job(now: datetime) -> None:
        with lock:
            ran[now] += 1

    scheduled = ScheduledJob(name="detection", run=job, every=timedelta(seconds=1))
    ticks = [datetime(2026, 3, 13, 9, tzinfo=UTC) + timedelta(seconds=n) for n in range(20)]
    outcomes: Counter[Outcome] = Counter()
    start = threading.Barrier(20)

    def replica(n: int) -> None:
        runner = TickRunner(leases=RedisJobLeases(connect(redis_url)), replica=f"r{n}")
        start.wait()
        for tick in ticks:
            outcome = runner.run(scheduled, tick)
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=replica, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert dict.fromkeys(ticks, 1) == dict(ran)
    assert {Outcome.RAN: 20, Outcome.TAKEN: 380} == dict(outcomes)
