"""The scheduler: each job runs once per tick across every replica, and a failing job never stops the others.

``TickRunner`` is the part that decides and runs (testable with an explicit clock and the
in-memory leases); ``start_scheduler`` hands the jobs to an APScheduler ``BackgroundScheduler``
in the composition root. A tick is the time a job was scheduled for: for an interval job the
current time floored to the interval (interval triggers start at the epoch, so every replica
fires on the same boundaries), for a cron job its latest fire time. The lease key is
``<job>:<tick>``, so the replicas that fire for the same tick compete for one key.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import structlog

from domain.errors import ConfigError, StoreUnavailable
from domain.ports import Clock, JobLeases

log = structlog.get_logger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Outcome(StrEnum):
    """What one replica did with one tick."""

    RAN = "ran"
    #: another replica holds the tick's lease (or already finished it)
    TAKEN = "taken"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class ScheduledJob:
    """A job callable and when it runs: every ``every``, or on a crontab line (UTC).

    Args:
        name: the job's name (metric label, lease key, log field).
        run: the job; called with the tick time.
        every: the interval, for interval jobs.
        cron: a crontab line, for cron jobs.
        lease_ttl: how long a started tick stays leased (a crashed holder's lease lapses after it).
        keep_for: how long a finished tick stays leased, so late replicas skip it.
        retry_delays: seconds to wait before each retry of a tick that failed or whose holder
            has not finished it (cron jobs such as the digest; interval jobs just wait for the next tick).
        run_without_leases: run anyway when the lease store is unreachable (for idempotent jobs).
        misfire_grace: how late a firing may still run (default: the scheduler's).
    """

    name: str
    run: Callable[[datetime], object]
    every: timedelta | None = None
    cron: str | None = None
    lease_ttl: timedelta = timedelta(minutes=5)
    keep_for: timedelta = timedelta(minutes=10)
    retry_delays: tuple[float, ...] = ()
    run_without_leases: bool = False
    misfire_grace: timedelta | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise ConfigError(f"job {self.name}: give either an interval or a crontab line")
        if self.every is not None and self.every <= timedelta(0):
            raise ConfigError(f"job {self.name}: the interval must be positive")


def interval_tick(now: datetime, every: timedelta) -> datetime:
    """``now`` floored to a multiple of ``every`` since the epoch."""
    step = every.total_seconds()
    return EPOCH + timedelta(seconds=(now - EPOCH).total_seconds() // step * step)


def cron_trigger(line: str) -> Any:
    """An APScheduler cron trigger in UTC.

    Raises:
        ConfigError: not a valid crontab line.
    """
    from apscheduler.triggers.cron import CronTrigger

    try:
        return CronTrigger.from_crontab(line, timezone="UTC")
    except ValueError as exc:
        raise ConfigError(f"crontab '{line}': {exc}") from exc


def cron_tick(trigger: Any, now: datetime, *, lookback: timedelta) -> datetime:
    """The latest fire time of ``trigger`` at or before ``now``, searched ``lookback`` back.

    When it fired in none of that time, ``now`` to the minute.
    """
    latest = None
    fire = trigger.get_next_fire_time(None, now - lookback)
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest.astimezone(UTC) if latest is not None else now.replace(second=0, microsecond=0)


@dataclass
class TickRunner:
    """Runs a job's tick if this replica wins its lease; logs, counts and swallows failures.

    Args:
        leases: the shared lease store.
        replica: this process's name, in tokens and logs.
        on_outcome: called with the job name and outcome of every attempt (metrics).
    """

    leases: JobLeases
    replica: str
    on_outcome: Callable[[str, Outcome], None] = lambda _job, _outcome: None

    def lease_key(self, job: ScheduledJob, tick: datetime) -> str:
        """The lease key of one job's tick."""
        return f"{job.name}:{tick.strftime('%Y%m%dT%H%M%S')}"

    def run(self, job: ScheduledJob, tick: datetime) -> Outcome:
        """Run ``job`` for ``tick`` unless another replica has it."""
        outcome = self._run(job, tick)
        self.on_outcome(job.name, outcome)
        return outcome

    def _run(self, job: ScheduledJob, tick: datetime) -> Outcome:
        key = self.lease_key(job, tick)
        token = f"{self.replica}:{uuid.uuid4().hex}"
        try:
            if job.retry_delays:
                done = self.leases.last_done(job.name)
                if done is not None and done >= tick:
                    return Outcome.DONE
            taken = self.leases.acquire(key, token, _millis(job.lease_ttl))
        except StoreUnavailable as exc:
            if not job.run_without_leases:
                log.warning("job_lease_unavailable", job=job.name, tick=tick.isoformat(), error=str(exc))
                return Outcome.FAILED
            log.warning("job_running_without_lease", job=job.name, tick=tick.isoformat(), error=str(exc))
            return self._call(job, tick, key=None, token=token)
        if not taken:
            log.debug("job_tick_taken", job=job.name, tick=tick.isoformat(), replica=self.replica)
            return Outcome.TAKEN
        return self._call(job, tick, key=key, token=token)

    def _call(self, job: ScheduledJob, tick: datetime, *, key: str | None, token: str) -> Outcome:
        started = time.perf_counter()
        try:
            job.run(tick)
        except Exception:  # the scheduler's boundary: a failing job must never stop the scheduler
            log.exception("job_failed", job=job.name, tick=tick.isoformat(), replica=self.replica)
            if key is not None:
                self._quietly(lambda: self.leases.release(key, token))
            return Outcome.FAILED
        log.info(
            "job_ran",
            job=job.name,
            tick=tick.isoformat(),
            replica=self.replica,
            seconds=round(time.perf_counter() - started, 3),
        )
        if key is not None:
            self._quietly(lambda: self.leases.keep(key, token, _millis(job.keep_for)))
        self._quietly(lambda: self.leases.mark_done(job.name, tick))
        return Outcome.RAN

    def _quietly(self, fn: Callable[[], object]) -> None:
        try:
            fn()
        except StoreUnavailable as exc:
            log.warning("job_lease_update_failed", replica=self.replica, error=str(exc))


def _millis(delta: timedelta) -> int:
    return max(1, round(delta.total_seconds() * 1000))


def tick_for(job: ScheduledJob, now: datetime, *, trigger: Any, lookback: timedelta) -> datetime:
    """The tick a firing of ``job`` at ``now`` belongs to."""
    if job.every is not None:
        return interval_tick(now, job.every)
    return cron_tick(trigger, now, lookback=lookback)


class JobScheduler:
    """Owns the APScheduler ``BackgroundScheduler`` (created here, in the composition root only).

    Args:
        jobs: what to run.
        runner: runs each tick under its lease.
        clock: the time a firing reads.
        misfire_grace: how late a firing may still run (later ones are reported as missed).
        on_misfire: called with the job name when a firing was missed or skipped.
    """

    def __init__(
        self,
        jobs: Sequence[ScheduledJob],
        *,
        runner: TickRunner,
        clock: Clock,
        misfire_grace: timedelta = timedelta(seconds=30),
        on_misfire: Callable[[str], None] = lambda _job: None,
    ) -> None:
        from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        self.jobs = {job.name: job for job in jobs}
        self.runner = runner
        self.clock = clock
        self.misfire_grace = misfire_grace
        self._on_misfire = on_misfire
        self.scheduler = BackgroundScheduler(timezone="UTC")
        self._triggers: dict[str, Any] = {}
        for job in jobs:
            trigger = (
                IntervalTrigger(seconds=job.every.total_seconds(), start_date=EPOCH, timezone="UTC")
                if job.every is not None
                else cron_trigger(str(job.cron))
            )
            self._triggers[job.name] = trigger
            self.scheduler.add_job(
                self.fire,
                trigger,
                args=[job.name],
                id=job.name,
                name=job.name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=max(1, int((job.misfire_grace or misfire_grace).total_seconds())),
            )
        self.scheduler.add_listener(self._missed, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)

    def fire(self, name: str, tick: datetime | None = None, attempt: int = 0) -> Outcome:
        """One firing of job ``name`` (a retry passes the tick it retries)."""
        job = self.jobs[name]
        if tick is None:
            lookback = job.misfire_grace or self.misfire_grace
            tick = tick_for(job, self.clock.now(), trigger=self._triggers[name], lookback=lookback)
        outcome = self.runner.run(job, tick)
        if outcome in (Outcome.FAILED, Outcome.TAKEN) and attempt < len(job.retry_delays):
            delay = job.retry_delays[attempt]
            log.info("job_retry_scheduled", job=name, tick=tick.isoformat(), attempt=attempt + 1, in_seconds=delay)
            self.scheduler.add_job(
                self.fire,
                "date",
                run_date=datetime.now(UTC) + timedelta(seconds=delay),
                args=[name, tick, attempt + 1],
                id=f"{name}:retry:{tick.isoformat()}",
                replace_existing=True,
                misfire_grace_time=None,
            )
        elif outcome is Outcome.FAILED and job.retry_delays:
            log.error("job_retries_exhausted", job=name, tick=tick.isoformat(), attempts=attempt + 1)
        return outcome

    def _missed(self, event: Any) -> None:
        """Report a firing that was missed (too late) or skipped (the previous run still going)."""
        from apscheduler.events import EVENT_JOB_MISSED

        if event.code == EVENT_JOB_MISSED:
            reason, when = "missed", event.scheduled_run_time
        else:
            reason, when = "still_running", max(event.scheduled_run_times)
        log.warning("job_misfired", job=event.job_id, scheduled_for=when.isoformat(), reason=reason)
        self._on_misfire(str(event.job_id))

    def start(self) -> None:
        """Start the scheduler's thread."""
        self.scheduler.start()
        log.info("scheduler_started", jobs=sorted(self.jobs), replica=self.runner.replica)

    def shutdown(self) -> None:
        """Stop scheduling (a running job finishes in its thread)."""
        self.scheduler.shutdown(wait=False)
