"""The incident notifier: each detection cycle, announce new incidents and keep their messages up to date.

It compares the anomaly store's incidents with the messages it already posted (a map kept in a
``ConversationStore``, so it survives restarts and is shared by replicas with Redis), so it works
with whichever detector writes the anomalies. One message per incident, updated in place
(``chat.update``) when it escalates, is acknowledged or resolves; escalations and the resolution
are also said in the message's thread, and an unacknowledged critical incident is announced again
there after ``renotify_after``, at most ``renotify_max`` times.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from pydantic import BaseModel, ValidationError

from bot.config.alert_routes import alert_channel_for
from bot.config.settings import Settings
from bot.jobs.chat import ChatMessages
from bot.services import Services
from bot.slack.charts import Chart, host_chart
from bot.slack.incident_blocks import IncidentLinks, incident_blocks, incident_links, incident_text
from bot.slack.mrkdwn import mention
from domain.errors import NotifierUnavailable
from domain.models import Anomaly, AnomalyStatus, Severity, format_value
from domain.ports import AnomalyStore, ConversationStore

log = structlog.get_logger(__name__)

_INDEX = "incident-messages"


def _signal_key(anomaly: Anomaly) -> str:
    return f"incident-signal:{anomaly.host.instance}:{anomaly.metric.value}"


class PostedIncident(BaseModel):
    """What the notifier posted for one incident, and the state it last showed."""

    anomaly_id: str
    channel: str
    ts: str
    severity: Severity
    status: AnomalyStatus
    peak: float
    announced_at: datetime
    renotified: int = 0
    silenced_by: str | None = None
    #: End of the silence; None with ``silenced_by`` set: silenced until the incident resolves.
    silenced_until: datetime | None = None

    def is_silenced(self, now: datetime) -> bool:
        """True while a silence holds (no thread notes, no re-announcements)."""
        return self.silenced_by is not None and (self.silenced_until is None or now < self.silenced_until)

    def silence_line(self, now: datetime) -> str | None:
        """``Silenced by @ann until 15:00 UTC`` while silenced, else None."""
        if not self.is_silenced(now) or self.silenced_by is None:
            return None
        until = f"until {self.silenced_until:%H:%M} UTC" if self.silenced_until else "until it resolves"
        return f"Silenced by {mention(self.silenced_by)} {until}"


def render(
    anomaly: Anomaly, posted: PostedIncident, links: IncidentLinks, now: datetime, related: Sequence[Anomaly] = ()
) -> list[dict[str, Any]]:
    """The blocks of an incident's message given what was posted (its peak and silence) and what else is open."""
    peak = max(posted.peak, anomaly.value)
    silenced = posted.silence_line(now)
    return incident_blocks(anomaly, peak=peak, links=links, now=now, silenced=silenced, related=related)


@dataclass
class IncidentMessageMap:
    """Posted incident messages by anomaly id, with an index of the ones not yet resolved."""

    store: ConversationStore

    def get(self, anomaly_id: str) -> PostedIncident | None:
        """The posted message of an incident, if any."""
        raw = self.store.load(f"incident-message:{anomaly_id}")
        try:
            return None if raw is None else PostedIncident.model_validate(raw)
        except ValidationError:
            return None

    def put(self, posted: PostedIncident) -> None:
        """Store (or refresh) a posted message."""
        self.store.save(f"incident-message:{posted.anomaly_id}", posted.model_dump(mode="json"))

    def last_on(self, anomaly: Anomaly) -> PostedIncident | None:
        """The message last posted for the same host and signal, if any."""
        raw = self.store.load(_signal_key(anomaly)) or {}
        return self.get(str(raw["anomaly_id"])) if raw.get("anomaly_id") else None

    def remember_signal(self, anomaly: Anomaly) -> None:
        """Make ``anomaly``'s message the last one of its host and signal."""
        self.store.save(_signal_key(anomaly), {"anomaly_id": anomaly.id})

    def watched(self) -> list[str]:
        """Ids of the incidents whose messages still await their resolution."""
        raw = self.store.load(_INDEX) or {}
        return [str(i) for i in raw.get("ids", [])]

    def watch(self, ids: list[str]) -> None:
        """Replace the index of incidents awaiting their resolution."""
        self.store.save(_INDEX, {"ids": sorted(set(ids))})


@dataclass
class IncidentNotifierJob:
    """One pass per detection cycle: post, update, re-announce and resolve incident messages.

    Args:
        anomalies: where the detectors write incidents.
        chat: where the messages go.
        posted: the messages already posted.
        channel_for: the channel of an incident (None: it is not announced).
        links: the Grafana and runbook links of an incident.
        renotify_after: how long an unacknowledged critical incident waits before it is announced again.
        renotify_max: most re-announcements per incident.
        reopen_within: a signal re-opening within this long of its resolution reuses its message.
        chart: the chart posted in a new incident's thread.
    """

    anomalies: AnomalyStore
    chat: ChatMessages
    posted: IncidentMessageMap
    channel_for: Callable[[Anomaly], str | None]
    links: Callable[[Anomaly], IncidentLinks]
    renotify_after: timedelta = timedelta(minutes=30)
    renotify_max: int = 3
    #: A new incident on a signal whose last incident resolved this recently reuses that message (flapping).
    reopen_within: timedelta = timedelta(minutes=5)
    #: The chart of the last hour posted in the thread of a new incident's message (None: no chart).
    chart: Callable[[Anomaly, datetime], Chart | None] = lambda _anomaly, _now: None
    _open: list[Anomaly] = field(default_factory=list, init=False, repr=False)

    def __call__(self, now: datetime) -> int:
        """Bring every incident message up to date; returns how many messages were posted or changed."""
        changed = 0
        self._open = self.anomalies.open_anomalies()
        open_ids = [a.id for a in self._open]
        for anomaly in self._open:
            changed += self._follow(anomaly, now)
        watched = [i for i in self.posted.watched() if i not in open_ids]
        for anomaly_id in watched:
            ended = self.anomalies.get(anomaly_id)
            if ended is not None and ended.status is AnomalyStatus.RESOLVED:
                changed += self._follow(ended, now)
        self.posted.watch([i for i in open_ids if self.posted.get(i) is not None])
        return changed

    def _follow(self, anomaly: Anomaly, now: datetime) -> int:
        try:
            posted = self.posted.get(anomaly.id)
            if posted is None:
                return self._announce(anomaly, now)
            return self._update(anomaly, posted, now)
        except NotifierUnavailable as exc:  # the next cycle tries again: the map only moves after Slack took it
            log.warning("incident_message_failed", anomaly_id=anomaly.id, error=str(exc))
            return 0

    def _announce(self, anomaly: Anomaly, now: datetime) -> int:
        channel = self.channel_for(anomaly)
        if channel is None or anomaly.status is AnomalyStatus.RESOLVED:
            return 0
        flapped = self._recently_resolved(anomaly, now)
        if flapped is not None:
            return self._reopen(anomaly, flapped, now)
        links = self.links(anomaly)
        blocks = incident_blocks(anomaly, peak=anomaly.value, links=links, now=now, related=self._open)
        ts = self.chat.post_message(channel=channel, text=incident_text(anomaly), blocks=blocks)
        self.posted.put(
            PostedIncident(
                anomaly_id=anomaly.id,
                channel=channel,
                ts=ts,
                severity=anomaly.severity,
                status=anomaly.status,
                peak=anomaly.value,
                announced_at=now,
            )
        )
        self.posted.remember_signal(anomaly)
        log.info("incident_announced", anomaly_id=anomaly.id, channel=channel, severity=anomaly.severity.value)
        chart = self.chart(anomaly, now)
        if chart is not None:
            self.chat.upload_file(
                channel=channel, thread_ts=ts, content=chart.png, filename=chart.filename, title=chart.title
            )
        return 1

    def _update(self, anomaly: Anomaly, posted: PostedIncident, now: datetime) -> int:
        peak = max(posted.peak, anomaly.value)
        silenced = posted.is_silenced(now)
        notes = thread_notes(anomaly, posted)
        due = self._renotify_due(anomaly, posted, now) and not silenced
        if notes or anomaly.status is not posted.status or peak != posted.peak:
            blocks = render(anomaly, posted, self.links(anomaly), now, self._open)
            self.chat.update_message(channel=posted.channel, ts=posted.ts, text=incident_text(anomaly), blocks=blocks)
        for note in [] if silenced else notes:
            self.chat.post_message(channel=posted.channel, text=note, thread_ts=posted.ts)
        if due:
            text = f"<!here> Still open and not acknowledged: {incident_text(anomaly)}"
            self.chat.post_message(channel=posted.channel, text=text, thread_ts=posted.ts)
        update = {"severity": anomaly.severity, "status": anomaly.status, "peak": peak}
        if due:
            update |= {"announced_at": now, "renotified": posted.renotified + 1}
        self.posted.put(posted.model_copy(update=update))
        return int(bool(notes) or due or anomaly.status is not posted.status)

    def _recently_resolved(self, anomaly: Anomaly, now: datetime) -> PostedIncident | None:
        """The same host and signal's message when its incident resolved less than ``reopen_within`` ago."""
        last = self.posted.last_on(anomaly)
        ended = self.anomalies.get(last.anomaly_id) if last is not None else None
        if last is None or ended is None or ended.status is not AnomalyStatus.RESOLVED or ended.id == anomaly.id:
            return None
        return last if now - (ended.ended_at or ended.updated_at) <= self.reopen_within else None

    def _reopen(self, anomaly: Anomaly, last: PostedIncident, now: datetime) -> int:
        """A flapping signal: the resolved incident's message follows the new one, and its thread says so."""
        posted = last.model_copy(
            update={
                "anomaly_id": anomaly.id,
                "status": anomaly.status,
                "severity": anomaly.severity,
                "peak": anomaly.value,
            }
        )
        blocks = render(anomaly, posted, self.links(anomaly), now, self._open)
        self.chat.update_message(channel=posted.channel, ts=posted.ts, text=incident_text(anomaly), blocks=blocks)
        self.chat.post_message(channel=posted.channel, thread_ts=posted.ts, text=f"Re-opened: {incident_text(anomaly)}")
        self.posted.put(posted)
        self.posted.remember_signal(anomaly)
        log.info("incident_reopened", anomaly_id=anomaly.id, previous=last.anomaly_id)
        return 1

    def _renotify_due(self, anomaly: Anomaly, posted: PostedIncident, now: datetime) -> bool:
        return (
            anomaly.status is AnomalyStatus.OPEN
            and anomaly.severity is Severity.CRITICAL
            and posted.renotified < self.renotify_max
            and now - posted.announced_at >= self.renotify_after
        )


def thread_notes(anomaly: Anomaly, posted: PostedIncident) -> list[str]:
    """What is said in the incident's thread since the message last changed: an escalation, the resolution. Pure."""
    notes = []
    if anomaly.severity.rank > posted.severity.rank:
        notes.append(f"Escalated from {posted.severity.value} to {anomaly.severity.value}: {incident_text(anomaly)}")
    if anomaly.status is AnomalyStatus.RESOLVED and posted.status is not AnomalyStatus.RESOLVED:
        peak = format_value(anomaly.metric, max(posted.peak, anomaly.value))
        notes.append(f"Resolved: {incident_text(anomaly)} (peak {peak})")
    return notes


def incident_message_map(settings: Settings) -> IncidentMessageMap:
    """The posted-message map where conversations are kept (Redis when configured, else the state directory)."""
    from bot.wiring.assistant import build_conversations  # the composition root's store choice

    return IncidentMessageMap(build_conversations(settings))


def build_incident_notifier(settings: Settings, services: Services, chat: ChatMessages) -> IncidentNotifierJob | None:
    """The notifier for the configured alert channel and routes; None when neither is set."""
    slack, metrics = settings.slack, services.metrics
    if slack.alert_channel is None and not slack.alert_routes:
        return None

    def channel_for(anomaly: Anomaly) -> str | None:
        return alert_channel_for(
            anomaly, routes=slack.alert_routes, default=slack.alert_channel, min_severity=slack.alert_min_severity
        )

    return IncidentNotifierJob(
        anomalies=services.anomalies,
        chat=chat,
        posted=incident_message_map(settings),
        channel_for=channel_for,
        links=lambda anomaly: incident_links(slack, anomaly),
        renotify_after=timedelta(minutes=slack.renotify_minutes),
        renotify_max=slack.renotify_max,
        reopen_within=timedelta(minutes=settings.detection.recovery_minutes),
        chart=lambda anomaly, now: (
            host_chart(metrics, anomaly.host, anomaly.metric, end=now, minutes=60) if metrics is not None else None
        ),
    )
