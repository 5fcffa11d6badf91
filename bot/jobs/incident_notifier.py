"""The incident notifier: each detection cycle, announce new incidents and keep their messages up to date.

It compares the anomaly store's incidents with the messages it already posted (``IncidentMessageMap``,
kept in a ``ConversationStore``, so it survives restarts and is shared by replicas with Redis), so it
works with whichever detector writes the anomalies. One message per incident, updated in place
(``chat.update``) when it escalates, is acknowledged or resolves; escalations and the resolution
are also said in the message's thread, and an unacknowledged critical incident is announced again
there after ``renotify_after``, at most ``renotify_max`` times. Incidents of one signal opening on
``group_min_hosts`` hosts or more share one fleet-wide message (``bot.jobs.incident_group_messages``).
Each time it draws a message it asks ``fix`` whether there is a fix to suggest, and keeps the answer
with the message, so a click that redraws it (acknowledge, silence) shows the same buttons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import structlog

from bot.config.alert_routes import alert_channel_for
from bot.config.settings import Settings
from bot.jobs.chat import ChatMessages
from bot.jobs.incident_changes import GroupChange, MessageChange, message_change, thread_notes
from bot.jobs.incident_group_messages import IncidentGroups, post_chart
from bot.jobs.incident_grouping import Candidate, plan_groups
from bot.jobs.incident_messages import IncidentMessageMap, PostedIncident, first_posted, incident_message_map
from bot.services import Services
from bot.slack.charts import Chart, incidents_chart
from bot.slack.fix_offers import fix_offers
from bot.slack.incident_blocks import IncidentLinks, incident_blocks, incident_links, incident_text
from domain.errors import NotifierUnavailable
from domain.models import Anomaly, AnomalyStatus
from domain.ports import AnomalyStore
from remediation.actions import ActionCall

log = structlog.get_logger(__name__)

__all__ = [
    "IncidentMessageMap",
    "IncidentNotifierJob",
    "PostedIncident",
    "build_incident_notifier",
    "incident_message_map",
    "render",
    "thread_notes",
]


def render(
    anomaly: Anomaly, posted: PostedIncident, links: IncidentLinks, now: datetime, related: Sequence[Anomaly] = ()
) -> list[dict[str, Any]]:
    """The blocks of an incident's message given what was posted (its peak and silence) and what else is open."""
    peak = max(posted.peak, anomaly.value)
    silenced = posted.silence_line(now)
    return incident_blocks(
        anomaly, peak=peak, links=links, now=now, silenced=silenced, related=related, fix=posted.fix_offered
    )


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
        chart: the chart of incidents' hosts posted in a new message's thread (one incident's, or a group's).
        fix: the fix Suggest fix would request for an incident (None: the message has no Suggest fix).
        group_min_hosts: hosts one signal must open on to get one fleet-wide message (0: never).
        group_window: incidents announced alone this recently are moved into a new group of their signal.
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
    #: The chart of the last hour posted in the thread of a new message (None: no chart).
    chart: Callable[[Sequence[Anomaly], datetime], Chart | None] = lambda _anomalies, _now: None
    fix: Callable[[Anomaly, datetime], ActionCall | None] = lambda _anomaly, _now: None
    group_min_hosts: int = 3
    group_window: timedelta = timedelta(minutes=2)
    _open: list[Anomaly] = field(default_factory=list, init=False, repr=False)

    @property
    def groups(self) -> IncidentGroups:
        """The fleet-wide messages, over the same store and chat."""
        return IncidentGroups(
            self.anomalies, self.chat, self.posted, lambda a: self.links(a).runbook, fix=self.fix, chart=self.chart
        )

    def __call__(self, now: datetime) -> int:
        """Bring every incident message up to date; returns how many messages were posted or changed."""
        self._open = self.anomalies.open_anomalies()
        open_ids = [a.id for a in self._open]
        changed = self._announce_new(now)
        pending: dict[str, GroupChange] = {}
        for anomaly in self._open:
            changed += self._follow(anomaly, now, pending)
        unshown = []
        for anomaly_id in [i for i in self.posted.watched() if i not in open_ids]:
            ended = self.anomalies.get(anomaly_id)
            if ended is not None and ended.status is AnomalyStatus.RESOLVED:
                changed += self._follow(ended, now, pending)
                unshown.append(anomaly_id)
        changed += self._refresh_groups(pending, now)
        # A resolution Slack did not take (unreachable) is tried again next pass.
        unshown = [
            i for i in unshown if (p := self.posted.get(i)) is not None and p.status is not AnomalyStatus.RESOLVED
        ]
        self.posted.watch([i for i in open_ids if self.posted.get(i) is not None] + unshown)
        return changed

    def _announce_new(self, now: datetime) -> int:
        """Announce the incidents without a message: alone, as a new fleet-wide group, or joining one."""
        fresh: list[Candidate] = []
        recent: list[Candidate] = []
        alone: list[Anomaly] = []
        for anomaly in self._open:
            posted = self.posted.get(anomaly.id)
            if posted is not None:
                first_seen = posted.renotified == 0 and now - posted.announced_at <= self.group_window
                if posted.group is None and first_seen:
                    recent.append(Candidate(anomaly, posted.channel))
                continue
            channel = self.channel_for(anomaly)
            if channel is None or anomaly.status is AnomalyStatus.RESOLVED:
                continue
            if self._recently_resolved(anomaly, now) is not None:
                alone.append(anomaly)
            else:
                fresh.append(Candidate(anomaly, channel))
        open_groups = {}
        open_ids = {a.id for a in self._open}
        for key in {(c.channel, c.anomaly.metric) for c in fresh}:
            group = self.posted.open_group(*key)
            # A group whose members all ended (or are gone from the store) is over, even before it says so.
            if group is not None and open_ids.intersection(group.members):
                open_groups[key] = group.group_id
        plan = plan_groups(fresh, recent=recent, open_groups=open_groups, min_hosts=self.group_min_hosts)
        changed = 0
        for new in plan.new_groups:
            changed += self._try(partial(self.groups.open, new, now), new.fresh[0] if new.fresh else None)
        for group_id, anomaly in plan.joins:
            changed += self._try(partial(self.groups.join, group_id, anomaly, now), anomaly)
        for anomaly in [*alone, *plan.singles]:
            changed += self._try(partial(self._announce, anomaly, now), anomaly)
        return changed

    def _try(self, post: Callable[[], int], anomaly: Anomaly | None) -> int:
        try:
            return post()
        except NotifierUnavailable as exc:  # the next cycle tries again: the map only moves after Slack took it
            log.warning("incident_message_failed", anomaly_id=anomaly.id if anomaly else None, error=str(exc))
            return 0

    def _follow(self, anomaly: Anomaly, now: datetime, pending: dict[str, GroupChange]) -> int:
        posted = self.posted.get(anomaly.id)
        if posted is None:
            return 0
        if posted.group is not None:
            pending.setdefault(posted.group, GroupChange()).add(anomaly, self._change(anomaly, posted, now))
            return 0
        return self._try(lambda: self._update(anomaly, posted, now), anomaly)

    def _announce(self, anomaly: Anomaly, now: datetime) -> int:
        channel = self.channel_for(anomaly)
        if channel is None or anomaly.status is AnomalyStatus.RESOLVED:
            return 0
        flapped = self._recently_resolved(anomaly, now)
        if flapped is not None:
            return self._reopen(anomaly, flapped, now)
        posted = first_posted(anomaly, channel=channel, ts="", now=now, fix_offered=self._offers_fix(anomaly, now))
        blocks = render(anomaly, posted, self.links(anomaly), now, self._open)
        ts = self.chat.post_message(channel=channel, text=incident_text(anomaly), blocks=blocks)
        self.posted.put(posted.model_copy(update={"ts": ts}))
        self.posted.remember_signal(anomaly)
        log.info("incident_announced", anomaly_id=anomaly.id, channel=channel, severity=anomaly.severity.value)
        post_chart(self.chat, self.chart([anomaly], now), channel=channel, ts=ts)
        return 1

    def _offers_fix(self, anomaly: Anomaly, now: datetime) -> bool:
        return anomaly.status is not AnomalyStatus.RESOLVED and self.fix(anomaly, now) is not None

    def _change(self, anomaly: Anomaly, posted: PostedIncident, now: datetime) -> MessageChange:
        return message_change(anomaly, posted, now, renotify_after=self.renotify_after, renotify_max=self.renotify_max)

    def _update(self, anomaly: Anomaly, posted: PostedIncident, now: datetime) -> int:
        change = self._change(anomaly, posted, now)
        shown = change.posted
        if change.redraw:
            shown = shown.model_copy(update={"fix_offered": self._offers_fix(anomaly, now)})
            blocks = render(anomaly, shown, self.links(anomaly), now, self._open)
            self.chat.update_message(channel=posted.channel, ts=posted.ts, text=incident_text(anomaly), blocks=blocks)
        for note in change.notes:
            self.chat.post_message(channel=posted.channel, text=note, thread_ts=posted.ts)
        if change.due:
            text = f"<!here> Still open and not acknowledged: {incident_text(anomaly)}"
            self.chat.post_message(channel=posted.channel, text=text, thread_ts=posted.ts)
        self.posted.put(shown)
        return int(bool(change.notes) or change.due or anomaly.status is not posted.status)

    def _refresh_groups(self, pending: dict[str, GroupChange], now: datetime) -> int:
        changed = 0
        for group_id, change in pending.items():
            if change.redraw or change.due:
                refresh = partial(
                    self.groups.refresh,
                    group_id,
                    now,
                    notes=change.notes,
                    due=change.due,
                    newer=change.newer,
                    newer_posted=change.posted,
                )
                refreshed = self._try(refresh, None)
                if not refreshed:
                    continue
                changed += refreshed
            else:
                self.groups.keep(group_id)
            for new in change.posted.values():
                self.posted.put(new)
        return changed

    def _recently_resolved(self, anomaly: Anomaly, now: datetime) -> PostedIncident | None:
        """The same host and signal's own message when its incident resolved less than ``reopen_within`` ago."""
        last = self.posted.last_on(anomaly)
        ended = self.anomalies.get(last.anomaly_id) if last is not None else None
        if last is None or last.group is not None or ended is None or ended.id == anomaly.id:
            return None
        if ended.status is not AnomalyStatus.RESOLVED:
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
                "fix_offered": self._offers_fix(anomaly, now),
            }
        )
        blocks = render(anomaly, posted, self.links(anomaly), now, self._open)
        self.chat.update_message(channel=posted.channel, ts=posted.ts, text=incident_text(anomaly), blocks=blocks)
        self.chat.post_message(channel=posted.channel, thread_ts=posted.ts, text=f"Re-opened: {incident_text(anomaly)}")
        self.posted.put(posted)
        self.posted.remember_signal(anomaly)
        log.info("incident_reopened", anomaly_id=anomaly.id, previous=last.anomaly_id)
        return 1


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
        group_min_hosts=slack.group_min_hosts,
        group_window=timedelta(seconds=slack.group_window_seconds),
        chart=lambda anomalies, now: incidents_chart(metrics, anomalies, end=now) if metrics is not None else None,
        fix=fix_offers(services),
    )
