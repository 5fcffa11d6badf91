"""The scheduler's decisions with an explicit clock: ticks, leases across replicas, failures, retries, catch-up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobExecutionEvent, JobSubmissionEvent
from structlog.testing import capture_logs

from adapters.clock import ManualClock
from adapters.memory.leases import InMemoryJobLeases
from adapters.simulated.metrics import SimulatedMetrics
from bot.jobs.schedule import DetectionJob
from bot.jobs.scheduler import JobScheduler, Outcome, ScheduledJob, TickRunner, cron_tick, cron_trigger, interval_tick
from detectors.model.zscore import RobustZScoreDetector
from detectors.service import DetectionService
from domain.errors import ConfigError, MetricsUnavailable, StoreUnavailable
from domain.models import HostRef, MetricKind, Series
from simulator.fleet import FleetModel, Incident, IncidentKind

T0 = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)  # a Friday


def test_interval_tick_floors_to_the_interval_since_the_epoch() -> None:
    assert datetime(2026, 3, 13, 9, 0, 0, tzinfo=UTC) == interval_tick(
        T0 + timedelta(seconds=59.9), timedelta(minutes=1)
    )
    assert datetime(2026, 3, 13, 9, 0, 30, tzinfo=UTC) == interval_tick(
        T0 + timedelta(seconds=31), timedelta(seconds=15)
    )


def test_cron_tick_is_the_latest_fire_time() -> None:
    weekdays = cron_trigger("0 9 * * mon-fri")

    assert T0 == cron_tick(weekdays, T0 + timedelta(seconds=20), lookback=timedelta(seconds=30))
    assert T0 == cron_tick(weekdays, T0, lookback=timedelta(seconds=30))
    every_minute = cron_trigger("* * * * *")
    assert T0 + timedelta(minutes=2) == cron_tick(
        every_minute, T0 + timedelta(minutes=2, seconds=5), lookback=timedelta(minutes=5)
    )


def test_a_bad_crontab_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="crontab"):
        cron_trigger("at nine")


def test_a_job_needs_exactly_one_schedule() -> None:
    with pytest.raises(ConfigError):
        ScheduledJob(name="x", run=lambda _now: None)
    with pytest.raises(ConfigError):
        ScheduledJob(name="x", run=lambda _now: None, every=timedelta(seconds=1), cron="* * * * *")


class Recorder:
    """A job callable that records the ticks it ran for, optionally failing."""

    def __init__(self, *, fail: int = 0) -> None:
        self.ticks: list[datetime] = []
        self.fail = fail

    def __call__(self, now: datetime) -> None:
        if self.fail:
            self.fail -= 1
            raise MetricsUnavailable("http://127.0.0.1:9090", "ConnectionError")
        self.ticks.append(now)


def replicas(n: int, leases: Any) -> list[TickRunner]:
    return [TickRunner(leases=leases, replica=f"r{i}") for i in range(n)]


def test_each_tick_runs_once_across_replicas() -> None:
    clock = ManualClock(T0)
    leases = InMemoryJobLeases(clock)
    job = ScheduledJob(name="detection", run=(rec := Recorder()), every=timedelta(seconds=60))
    outcomes = []
    for n in range(10):
        tick = T0 + timedelta(minutes=n)
        outcomes += [r.run(job, tick) for r in replicas(3, leases)]
        clock.advance(timedelta(minutes=1))

    assert [T0 + timedelta(minutes=n) for n in range(10)] == rec.ticks
    assert 10 == outcomes.count(Outcome.RAN)
    assert 20 == outcomes.count(Outcome.TAKEN)


def test_a_finished_tick_stays_taken_for_late_replicas() -> None:
    clock = ManualClock(T0)
    leases = InMemoryJobLeases(clock)
    job = ScheduledJob(name="detection", run=Recorder(), every=timedelta(seconds=60), lease_ttl=timedelta(seconds=5))
    first, late = replicas(2, leases)
    first.run(job, T0)
    clock.advance(timedelta(seconds=30))

    assert Outcome.TAKEN == late.run(job, T0)


def test_a_failure_is_logged_with_its_stack_counted_and_frees_the_tick() -> None:
    clock = ManualClock(T0)
    leases = InMemoryJobLeases(clock)
    seen: list[tuple[str, Outcome]] = []
    job = ScheduledJob(name="digest:C1", run=(rec := Recorder(fail=1)), cron="0 9 * * mon-fri")
    a = TickRunner(leases=leases, replica="a", on_outcome=lambda name, outcome: seen.append((name, outcome)))
    b = TickRunner(leases=leases, replica="b")

    with capture_logs() as logs:
        assert Outcome.FAILED == a.run(job, T0)
    assert Outcome.RAN == b.run(job, T0)

    failed = [e for e in logs if e["event"] == "job_failed"]
    assert 1 == len(failed)
    assert (True, "digest:C1") == (failed[0]["exc_info"], failed[0]["job"])
    assert [("digest:C1", Outcome.FAILED)] == seen
    assert [T0] == rec.ticks


def test_a_crashed_holders_tick_can_be_retried_after_its_lease_lapses() -> None:
    clock = ManualClock(T0)
    leases = InMemoryJobLeases(clock)
    job = ScheduledJob(
        name="digest:C1", run=(rec := Recorder()), cron="0 9 * * mon-fri", lease_ttl=timedelta(minutes=5)
    )
    leases.acquire(TickRunner(leases=leases, replica="x").lease_key(job, T0), "crashed", 300_000)
    retry = TickRunner(leases=leases, replica="b")

    assert Outcome.TAKEN == retry.run(job, T0)
    clock.advance(timedelta(minutes=6))
    assert Outcome.RAN == retry.run(job, T0)
    assert [T0] == rec.ticks


class DownLeases(InMemoryJobLeases):
    """A lease store whose backend is unreachable."""

    def acquire(self, *_: object) -> bool:
        raise StoreUnavailable("Redis unavailable (ConnectionError) at 127.0.0.1:1")

    def last_done(self, *_: object) -> datetime | None:
        raise StoreUnavailable("Redis unavailable (ConnectionError) at 127.0.0.1:1")

    def mark_done(self, *_: object) -> None:
        raise StoreUnavailable("Redis unavailable (ConnectionError) at 127.0.0.1:1")


def test_without_leases_only_idempotent_jobs_run() -> None:
    runner = TickRunner(leases=DownLeases(ManualClock(T0)), replica="a")
    detection = ScheduledJob(
        name="detection", run=(d := Recorder()), every=timedelta(seconds=60), run_without_leases=True
    )
    digest = ScheduledJob(name="digest:C1", run=(g := Recorder()), cron="0 9 * * *", retry_delays=(30.0,))

    assert Outcome.RAN == runner.run(detection, T0)
    assert Outcome.FAILED == runner.run(digest, T0)
    assert ([T0], []) == (d.ticks, g.ticks)


def test_a_failed_digest_is_retried_until_it_is_posted(tmp_path: Path) -> None:
    clock = ManualClock(T0 + timedelta(seconds=2))
    leases = InMemoryJobLeases(clock)
    job = ScheduledJob(name="digest:C1", run=(rec := Recorder(fail=1)), cron="0 9 * * *", retry_delays=(30.0, 120.0))
    scheduler = JobScheduler([job], runner=TickRunner(leases=leases, replica="a"), clock=clock)

    assert Outcome.FAILED == scheduler.fire("digest:C1")
    retries = [j for j in scheduler.scheduler.get_jobs() if j.id.startswith("digest:C1:retry")]
    assert [["digest:C1", T0, 1]] == [list(j.args) for j in retries]
    assert Outcome.RAN == scheduler.fire("digest:C1", T0, 1)
    assert [T0] == rec.ticks
    other = JobScheduler([job], runner=TickRunner(leases=leases, replica="b"), clock=clock)
    assert Outcome.DONE == other.fire("digest:C1", T0, 1)


def test_jobs_are_added_with_one_instance_and_coalescing() -> None:
    clock = ManualClock(T0)
    job = ScheduledJob(name="detection", run=Recorder(), every=timedelta(seconds=60))
    scheduler = JobScheduler([job], runner=TickRunner(leases=InMemoryJobLeases(clock), replica="a"), clock=clock)
    added = scheduler.scheduler.get_jobs()[0]

    assert (1, True, "detection") == (added.max_instances, added.coalesce, added.id)


def test_a_misfire_is_reported() -> None:
    clock = ManualClock(T0)
    missed: list[str] = []
    job = ScheduledJob(name="detection", run=Recorder(), every=timedelta(seconds=60))
    scheduler = JobScheduler(
        [job], runner=TickRunner(leases=InMemoryJobLeases(clock), replica="a"), clock=clock, on_misfire=missed.append
    )
    with capture_logs() as logs:
        scheduler._missed(JobExecutionEvent(EVENT_JOB_MISSED, "detection", "default", T0))
        scheduler._missed(JobSubmissionEvent(EVENT_JOB_MAX_INSTANCES, "detection", "default", [T0]))

    assert ["detection", "detection"] == missed
    assert [("job_misfired", "missed"), ("job_misfired", "still_running")] == [(e["event"], e["reason"]) for e in logs]


class OutageMetrics(SimulatedMetrics):
    """Simulated metrics that can be switched off, recording the end of every range read."""

    down = False

    def __init__(self, model: FleetModel, clock: ManualClock) -> None:
        super().__init__(model, clock)
        self.ends: list[datetime] = []

    def range(
        self,
        metric: MetricKind,
        hosts: Sequence[HostRef] | None,
        *,
        start: datetime,
        end: datetime,
        step_seconds: float,
    ) -> list[Series]:
        if self.down:
            raise MetricsUnavailable("http://127.0.0.1:9090", "ConnectionError")
        self.ends.append(end)
        return super().range(metric, hosts, start=start, end=end, step_seconds=step_seconds)


def test_detection_catches_up_the_cycles_missed_while_metrics_were_down() -> None:
    clock = ManualClock(T0)
    fleet = FleetModel(4, (Incident(IncidentKind.CPU_SATURATION, "web-1", T0.timestamp() - 600, 3600),))
    metrics = OutageMetrics(fleet, clock)
    service = DetectionService(
        metrics=metrics, store=_store(), detectors=(RobustZScoreDetector(),), metric_kinds=(MetricKind.CPU,)
    )
    leases = InMemoryJobLeases(clock)
    every = timedelta(minutes=1)
    job = ScheduledJob(name="detection", run=DetectionJob(service, leases, every), every=every)
    runner = TickRunner(leases=leases, replica="a")

    with capture_logs() as logs:
        first = runner.run(job, T0)
        metrics.down = True
        outcomes = [runner.run(job, T0 + timedelta(minutes=n)) for n in (1, 2, 3)]
        metrics.down = False
        metrics.ends.clear()
        last = runner.run(job, T0 + timedelta(minutes=4))

    assert (Outcome.RAN, Outcome.RAN) == (first, last)
    assert [Outcome.FAILED] * 3 == outcomes
    assert 3 == sum(e["event"] == "detection_cycle_missed" for e in logs)
    assert [T0 + timedelta(minutes=n) for n in (1, 2, 3, 4)] == metrics.ends


def _store() -> Any:
    from adapters.memory.anomalies import InMemoryAnomalyStore

    return InMemoryAnomalyStore()


def test_a_replica_picks_up_a_model_another_replica_retrained(tmp_path: Path) -> None:
    import numpy as np

    from adapters.files.model_file import save_model
    from bot.jobs.retrain import ModelReload
    from detectors.model.fleet_model import FEATURES, FleetBaselineModel

    rng = np.random.default_rng(0)
    model = FleetBaselineModel.fit(
        {"10.0.0.1:9100": rng.random((60, len(FEATURES)))}, trained_from=1_700_000_000, trained_to=1_700_003_600
    )
    path = tmp_path / "anomaly_model.pkl"
    clock = ManualClock(T0)
    service = DetectionService(
        metrics=SimulatedMetrics(FleetModel(2), clock), store=_store(), detectors=(), metric_kinds=()
    )
    reload = ModelReload(service, path)

    assert reload() is False
    save_model(model, path)
    assert reload() is True
    assert reload() is False
    assert service.model is not None
    assert ["10.0.0.1:9100"] == sorted(service.model.hosts)


def test_a_late_digest_firing_still_belongs_to_its_schedule_time() -> None:
    clock = ManualClock(T0 + timedelta(minutes=20))
    job = ScheduledJob(
        name="digest:C1", run=(rec := Recorder()), cron="0 9 * * mon-fri", misfire_grace=timedelta(hours=1)
    )
    scheduler = JobScheduler([job], runner=TickRunner(leases=InMemoryJobLeases(clock), replica="a"), clock=clock)

    assert Outcome.RAN == scheduler.fire("digest:C1")
    assert [T0] == rec.ticks
    assert 3600 == scheduler.scheduler.get_jobs()[0].misfire_grace_time
