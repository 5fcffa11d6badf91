"""The fix's check: after a request ran and succeeded, watch its signal, then tell the thread whether it recovered.

``RemediationService.on_succeeded`` queues each executed request (``verification_queue``); every
tick this job builds the checks it has not yet built (``verification_checks``), reads the watched
values since execution, and once ``remediation.verification.judge`` decides, writes the outcome to
the audit log (event ``verification``: outcome, before and after with units, how long) and posts it
in the incident message's thread when the request came from an incident, else in its approval
message's thread, with a **Request next step** button when it did not recover and there is one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from bot.config.settings import Settings
from bot.jobs.chat import ChatMessages
from bot.jobs.verification_checks import CheckBuilder
from bot.jobs.verification_queue import QueuedCheck, VerificationQueue
from bot.services import Services
from bot.slack.mrkdwn import escape
from bot.slack.verification_blocks import verification_blocks, verification_text
from domain.durations import format_duration
from domain.errors import CloudActionFailed, InputError, MetricsUnavailable, NotifierUnavailable, OpsError
from domain.models import AnomalyStatus, format_value
from domain.ports import AnomalyStore, JobLeases, MetricsSource
from remediation.actions import ActionCall, action_target
from remediation.approval import ApprovalRequest, ShownIn
from remediation.ports import ApprovalStore, AuditEvent, AuditSink
from remediation.trail import SYSTEM_ACTOR
from remediation.verification import CheckOutcome, CheckResult, Point, RemediationCheck, average_points, judge

log = structlog.get_logger(__name__)

#: How often the open checks are looked at.
VERIFY_EVERY = timedelta(seconds=30)
#: A check whose message Slack keeps refusing is given up this long after its deadline (it is audited).
_GIVE_UP_POSTING = timedelta(hours=1)


@dataclass
class RemediationVerificationJob:
    """One pass per tick over the executed requests still being checked.

    Args:
        queue: the checks not yet told.
        approvals: the requests (their call, requester and approval messages).
        audit: where each outcome is recorded.
        metrics: where the watched values come from.
        anomalies: the incidents (a resolved one is the strongest sign of recovery).
        builder: makes a request's check.
        chat: where the outcome is posted (None: audited only).
        incident_thread: the posted message of an incident, by id (its thread gets the outcome).
        next_step: the fix to offer when a check did not recover (None: no button).
        channel: where an outcome with no thread to go to is posted (None: audited only).
    """

    queue: VerificationQueue
    approvals: ApprovalStore
    audit: AuditSink
    metrics: MetricsSource
    anomalies: AnomalyStore
    builder: CheckBuilder
    chat: ChatMessages | None
    incident_thread: Callable[[str], ShownIn | None] = lambda _anomaly_id: None
    next_step: Callable[[RemediationCheck, ApprovalRequest], ActionCall | None] = lambda _check, _request: None
    channel: str | None = None

    def __call__(self, now: datetime) -> int:
        """Follow every open check; returns how many outcomes were told.

        Raises:
            AuditWriteFailed: an outcome could not be audited (it is decided again next tick).
            StoreUnavailable: the queue could not be read or written.
        """
        told = 0
        for request_id in self.queue.ids():
            try:
                told += self._follow(request_id, now)
            except (MetricsUnavailable, CloudActionFailed, InputError) as exc:  # read again next tick
                log.warning("remediation_check_deferred", request_id=request_id, error=str(exc))
        return told

    def _follow(self, request_id: str, now: datetime) -> int:
        entry = self.queue.get(request_id)
        request = self.approvals.get(request_id)
        if entry is None or request is None:
            self.queue.done(request_id)
            return 0
        check = entry.check
        if check is None:
            check = self.builder.build(request, entry.executed_at, origin=self.queue.origin(request_id))
            entry = entry.model_copy(update={"check": check})
            self.queue.put(entry)
            log.info("remediation_check_started", request_id=request_id, signal=check.metric.value)
        if entry.outcome is None:
            result = judge(check, self._points(check, now), now=now, resolved_at=self._resolved_at(check))
            if not result.decided:
                return 0
            self.audit.record(verification_event(request, check, result, now))
            entry = entry.model_copy(
                update={"outcome": result.outcome, "recovered_at": result.recovered_at, "latest": result.latest}
            )
            self.queue.put(entry)
        return self._tell(request_id, entry, check, now)

    def _points(self, check: RemediationCheck, now: datetime) -> list[Point]:
        end = min(now, check.deadline)
        if not check.hosts or end <= check.started_at:
            return []
        series = self.metrics.range(
            check.metric, list(check.hosts), start=check.started_at, end=end, step_seconds=check.step_seconds
        )
        return average_points(series)

    def _resolved_at(self, check: RemediationCheck) -> datetime | None:
        incident = self.anomalies.get(check.incident_id) if check.incident_id else None
        if incident is None or incident.status is not AnomalyStatus.RESOLVED:
            return None
        return incident.ended_at or incident.updated_at

    def _tell(self, request_id: str, entry: QueuedCheck, check: RemediationCheck, now: datetime) -> int:
        """Post the outcome in its thread; 1 when told, else 0 (Slack refusing it: again next tick, for a while)."""
        request = self.approvals.get(request_id)
        if request is None or entry.outcome is None:
            self.queue.done(request_id)
            return 0
        result = CheckResult(entry.outcome, entry.recovered_at, entry.latest)
        thread = self.incident_thread(check.incident_id) if check.incident_id else None
        thread = thread or (request.shown_in[0] if request.shown_in else None)
        channel = thread.channel if thread is not None else self.channel
        if channel is None or self.chat is None:
            log.info("remediation_check_not_posted", request_id=request_id, outcome=result.outcome.value)
            self.queue.done(request_id)
            return 0
        step = None
        if result.outcome is CheckOutcome.NOT_RECOVERED:
            try:
                step = self.next_step(check, request)
            except OpsError as exc:  # no button: the thread still hears the outcome
                log.warning("remediation_next_step_unavailable", request_id=request_id, error=str(exc))
        try:
            self.chat.post_message(
                channel=channel,
                text=escape(verification_text(check, result)),
                blocks=verification_blocks(check, result, call=request.call, next_step=step),
                thread_ts=thread.ts if thread is not None else None,
            )
        except NotifierUnavailable as exc:
            if now - check.deadline < _GIVE_UP_POSTING:
                log.warning("remediation_check_post_failed", request_id=request_id, error=str(exc))
            else:  # the audit log has the outcome; the thread never will
                log.error("remediation_check_never_posted", request_id=request_id, error=str(exc))
                self.queue.done(request_id)
            return 0
        self.queue.done(request_id)
        log.info("remediation_checked", request_id=request_id, outcome=result.outcome.value, channel=channel)
        return 1


def verification_event(
    request: ApprovalRequest, check: RemediationCheck, result: CheckResult, now: datetime
) -> AuditEvent:
    """The audit line of a decided check: outcome, signal, before and after with units, and how long. Pure."""
    ended = result.recovered_at if result.outcome is CheckOutcome.RECOVERED else min(now, check.deadline)
    duration = max(timedelta(0), (ended or now) - check.started_at)

    def shown(value: float | None) -> str | None:
        return format_value(check.metric, value) if value is not None else None

    return AuditEvent(
        timestamp=now,
        event="verification",
        request_id=request.id,
        action=request.call.action.value,
        params={
            "outcome": result.outcome.value,
            "signal": check.metric.value,
            "hosts": [h.name for h in check.hosts],
            "before": shown(check.before),
            "after": shown(result.latest),
            "duration": format_duration(duration),
            "normal": check.normal.basis,
            "incident": check.incident_id,
        },
        requester=request.requested_by,
        actor=SYSTEM_ACTOR,
        approvers=request.approvers,
        result=verification_text(check, result),
        target=action_target(request.call),
        state=result.outcome.value,
    )


def verification_queue(settings: Settings, leases: JobLeases | None) -> VerificationQueue:
    """The queue of checks where conversations are kept (Redis when configured, else the state directory)."""
    from bot.wiring.assistant import build_conversations  # the composition root's store choice

    return VerificationQueue(build_conversations(settings), leases)


def build_verification_job(
    settings: Settings, services: Services, chat: ChatMessages | None
) -> RemediationVerificationJob | None:
    """The job for the configured remediation; None without remediation or metrics, or with ``verify_for`` 0."""
    from bot.jobs.incident_notifier import incident_message_map
    from bot.slack.fix_requests import fix_for

    remediation, metrics = services.remediation, services.metrics
    verify_for = settings.remediation.verify_for
    if remediation is None or metrics is None or verify_for <= timedelta(0):
        return None
    posted = incident_message_map(settings)

    def incident_thread(anomaly_id: str) -> ShownIn | None:
        message = posted.get(anomaly_id)
        return ShownIn(channel=message.channel, ts=message.ts) if message is not None else None

    def next_step(check: RemediationCheck, request: ApprovalRequest) -> ActionCall | None:
        host = check.hosts[0] if len(check.hosts) == 1 else None
        return fix_for(services, check.metric, host, tried=request.call).call

    return RemediationVerificationJob(
        queue=verification_queue(settings, services.leases),
        approvals=services.approvals,
        audit=services.audit,
        metrics=metrics,
        anomalies=services.anomalies,
        builder=CheckBuilder(
            metrics=metrics,
            anomalies=services.anomalies,
            cloud=remediation.cloud,
            rules=services.tools.rules,
            verify_for=verify_for,
            settle=min(timedelta(minutes=1), verify_for / 2),
        ),
        chat=chat,
        incident_thread=incident_thread,
        next_step=next_step,
        channel=settings.auto_remediation.channel or settings.slack.digest_channel or settings.slack.alert_channel,
    )
