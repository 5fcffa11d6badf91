"""The real BackgroundScheduler for a few seconds: a failing job never stops it, a slow job never overlaps itself."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from datetime import datetime, timedelta

from adapters.clock import SystemClock
from adapters.memory.leases import InMemoryJobLeases
from bot.jobs.scheduler import JobScheduler, Outcome, ScheduledJob, TickRunner


def test_failing_and_slow_jobs_leave_the_scheduler_running() -> None:
    clock = SystemClock()
    outcomes: Counter[tuple[str, Outcome]] = Counter()
    misfires: Counter[str] = Counter()
    ticks: list[datetime] = []
    running = 0
    most_at_once = 0
    lock = threading.Lock()

    def broken(_now: datetime) -> None:
        raise RuntimeError("a bug in a job")

    def slow(_now: datetime) -> None:
        nonlocal running, most_at_once
        with lock:
            running += 1
            most_at_once = max(most_at_once, running)
        time.sleep(1.6)
        with lock:
            running -= 1

    def steady(now: datetime) -> None:
        ticks.append(now)

    every = timedelta(seconds=1)
    scheduler = JobScheduler(
        [
            ScheduledJob(name="broken", run=broken, every=every),
            ScheduledJob(name="slow", run=slow, every=every),
            ScheduledJob(name="steady", run=steady, every=every),
        ],
        runner=TickRunner(
            leases=InMemoryJobLeases(clock),
            replica="solo",
            on_outcome=lambda job, outcome: outcomes.update([(job, outcome)]),
        ),
        clock=clock,
        on_misfire=lambda job: misfires.update([job]),
    )
    scheduler.start()
    try:
        time.sleep(5.5)
        assert scheduler.scheduler.running
    finally:
        scheduler.shutdown()

    assert len(ticks) >= 4
    assert all(b - a >= every for a, b in itertools.pairwise(ticks))
    assert outcomes[("broken", Outcome.FAILED)] >= 4
    assert 1 == most_at_once
    assert misfires["slow"] >= 1
