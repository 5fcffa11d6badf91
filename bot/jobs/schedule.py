"""The scheduled jobs, as plain callables taking the tick time: testable without a scheduler.

``scheduled_jobs`` lists them with their schedules from Settings: the detection cycle, rule
actions, the approval expiry sweep, the check of executed fixes, one digest per channel, and the
optional daily snapshot of the detection engine's state (the retrain).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from bot.config.settings import Settings
from bot.jobs.approval_expiry import ApprovalExpiryJob
from bot.jobs.chat import ChatMessages
from bot.jobs.digest import DigestJob
from bot.jobs.incident_notifier import build_incident_notifier
from bot.jobs.reconcile import RECONCILE_EVERY, build_outcome_reconciler
from bot.jobs.remediation_verification import VERIFY_EVERY, build_verification_job
from bot.jobs.retrain import ModelReload, RetrainJob
from bot.jobs.rule_outcomes import RuleOutcomePoster
from bot.jobs.scheduler import JobScheduler, Outcome, ScheduledJob, TickRunner, interval_tick
from bot.services import Services
from detectors.service import DetectionService
from domain.errors import MetricsUnavailable, StoreUnavailable
from domain.ports import JobLeases, Notifier

log = structlog.get_logger(__name__)


@dataclass
class DetectionJob:
    """One detection cycle per tick; after missed cycles (Prometheus down), the missed ticks are run first.

    Args:
        detection: the detection service.
        leases: where the last completed cycle is read from (shared by the replicas).
        every: the cycle interval.
        max_catch_up: most missed cycles run when metrics come back (the latest ones).
        observe: called with each cycle's duration in seconds.
        before: called before the cycles (the model reload).
    """

    detection: DetectionService
    leases: JobLeases
    every: timedelta
    max_catch_up: int = 30
    observe: Callable[[float], None] = lambda _seconds: None
    before: Callable[[], object] = lambda: None
    name: str = "detection"

    def missed_ticks(self, now: datetime) -> list[datetime]:
        """Ticks after the last completed cycle and before ``now``'s, oldest first (at most ``max_catch_up``)."""
        try:
            last = self.leases.last_done(self.name)
        except StoreUnavailable:
            return []
        if last is None:
            return []
        ticks: list[datetime] = []
        tick = interval_tick(now, self.every) - self.every
        while tick > last and len(ticks) < self.max_catch_up:
            ticks.append(tick)
            tick -= self.every
        return ticks[::-1]

    def __call__(self, now: datetime) -> int:
        """Run the missed cycles, then this one; returns how many cycles ran.

        Raises:
            MetricsUnavailable: the metrics source is down (the cycle is missed, and caught up later).
        """
        self.before()
        missed = self.missed_ticks(now)
        if missed:
            log.info("detection_catching_up", missed=len(missed), since=missed[0].isoformat())
        try:
            for tick in [*missed, now]:
                self._cycle(tick, catch_up=tick != now)
        except MetricsUnavailable as exc:
            log.warning("detection_cycle_missed", tick=now.isoformat(), reason=str(exc), behind=len(missed) + 1)
            raise
        return len(missed) + 1

    def _cycle(self, tick: datetime, *, catch_up: bool) -> None:
        started = time.perf_counter()
        report = self.detection.run_once(tick)
        self.observe(time.perf_counter() - started)
        log.info(
            "detection_cycle",
            tick=tick.isoformat(),
            opened=len(report.opened),
            updated=len(report.updated),
            resolved=len(report.resolved),
            series=report.series_checked,
            catch_up=catch_up,
        )


def digest_schedules(settings: Settings) -> dict[str, str]:
    """Crontab line per digest channel: ``SCO_SCHEDULER__DIGESTS`` plus the Slack digest channel."""
    schedules = dict(settings.scheduler.digests)
    channel = settings.slack.digest_channel
    if channel and channel not in schedules:
        schedules[channel] = settings.slack.digest_schedule
    return schedules


def scheduled_jobs(
    settings: Settings, services: Services, *, leases: JobLeases, notifier: Notifier | None
) -> list[ScheduledJob]:
    """Every job the configuration asks for, with its schedule."""
    cfg = settings.scheduler
    jobs: list[ScheduledJob] = []
    detection = services.detection
    if detection is not None:
        every = timedelta(seconds=settings.detection.interval_seconds)
        jobs.append(
            ScheduledJob(
                name="detection",
                run=DetectionJob(
                    detection=detection,
                    leases=leases,
                    every=every,
                    observe=services.telemetry.detection_cycle.observe,
                    before=ModelReload(detection, settings.detection.model_path),
                ),
                every=every,
                lease_ttl=max(2 * every, timedelta(seconds=30)),
                keep_for=max(4 * every, timedelta(minutes=2)),
                # Anomaly ids are stable, so cycles run by several replicas while Redis is down converge.
                run_without_leases=True,
            )
        )
    rule_actions = services.rule_actions
    if rule_actions is not None:
        every = timedelta(seconds=cfg.rules_seconds)
        jobs.append(
            ScheduledJob(
                name="rule_actions",
                run=RuleOutcomePoster(
                    job=rule_actions,
                    notifier=notifier,
                    channel=settings.auto_remediation.channel or settings.slack.digest_channel,
                ),
                every=every,
                keep_for=max(4 * every, timedelta(minutes=2)),
            )
        )
    remediation = services.remediation
    if remediation is not None:
        every = timedelta(seconds=cfg.expiry_seconds)
        jobs.append(
            ScheduledJob(
                name="approval_expiry",
                run=ApprovalExpiryJob(remediation, notifier if isinstance(notifier, ChatMessages) else None),
                every=every,
                keep_for=max(4 * every, timedelta(minutes=2)),
            )
        )
    verification = build_verification_job(settings, services, notifier if isinstance(notifier, ChatMessages) else None)
    if verification is not None:
        jobs.append(
            ScheduledJob(
                name="remediation_verification", run=verification, every=VERIFY_EVERY, keep_for=4 * VERIFY_EVERY
            )
        )
    incidents = build_incident_notifier(settings, services, notifier) if isinstance(notifier, ChatMessages) else None
    if incidents is not None:
        every = timedelta(seconds=settings.detection.interval_seconds)
        jobs.append(
            ScheduledJob(
                name="incident_notifier", run=incidents, every=every, keep_for=max(4 * every, timedelta(minutes=2))
            )
        )
    reconciler = build_outcome_reconciler(services, notifier)
    if reconciler is not None:
        jobs.append(
            ScheduledJob(
                name="outcome_reconcile",
                run=reconciler.run_once,
                every=RECONCILE_EVERY,
                keep_for=4 * RECONCILE_EVERY,
            )
        )
    if notifier is not None:
        for channel, line in sorted(digest_schedules(settings).items()):
            jobs.append(
                ScheduledJob(
                    name=f"digest:{channel}",
                    run=DigestJob(
                        store=services.anomalies,
                        notifier=notifier,
                        channel=channel,
                        window=timedelta(hours=settings.slack.digest_window_hours),
                        grafana_url=str(settings.slack.grafana_url) if settings.slack.grafana_url else None,
                        post_when_quiet=settings.slack.digest_post_when_quiet,
                        registry=services.registry,
                        tools=services.tools,
                    ),
                    cron=line,
                    lease_ttl=timedelta(minutes=5),
                    keep_for=timedelta(days=1),
                    retry_delays=tuple(cfg.digest_retry_seconds),
                    # A digest is still worth posting an hour late (a stalled or restarting process).
                    misfire_grace=timedelta(hours=1),
                )
            )
    if cfg.retrain and detection is not None and services.metrics is not None:
        jobs.append(
            ScheduledJob(
                name="retrain",
                run=RetrainJob(
                    metrics=services.metrics,
                    detection=detection,
                    path=settings.detection.snapshot_path,
                    hours=cfg.retrain_hours,
                ),
                cron=cfg.retrain_schedule,
                lease_ttl=timedelta(hours=1),
                keep_for=timedelta(days=1),
                retry_delays=(600.0, 1800.0),
            )
        )
    return jobs


def build_job_scheduler(settings: Settings, services: Services, *, notifier: Notifier | None) -> JobScheduler:
    """The scheduler with every configured job, counting outcomes and misfires in the bot's metrics.

    Raises:
        ConfigError: a schedule is not valid.
    """
    import os
    import socket

    from prometheus_client import Counter

    from adapters.memory.leases import InMemoryJobLeases

    leases = services.leases or InMemoryJobLeases(services.clock)
    registry = services.telemetry.registry
    runs = Counter(
        "smartcloudops_job_runs", "Scheduled job firings, by job and outcome", ("job", "outcome"), registry=registry
    )
    misfires = Counter("smartcloudops_job_misfires", "Scheduled firings missed or skipped", ("job",), registry=registry)
    failures = services.telemetry.job_failures

    def count(job: str, outcome: Outcome) -> None:
        runs.labels(job=job, outcome=outcome.value).inc()
        if outcome is Outcome.FAILED:
            failures.labels(job=job).inc()

    replica = settings.scheduler.replica or f"{socket.gethostname()}:{os.getpid()}"
    return JobScheduler(
        scheduled_jobs(settings, services, leases=leases, notifier=notifier),
        runner=TickRunner(leases=leases, replica=replica, on_outcome=count),
        clock=services.clock,
        misfire_grace=timedelta(seconds=settings.scheduler.misfire_grace_seconds),
        on_misfire=lambda job: misfires.labels(job=job).inc(),
    )
