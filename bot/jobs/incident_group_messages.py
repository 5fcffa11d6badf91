"""Fleet-wide incident messages: posted for a new group, joined by later hosts, kept up to date, resolved.

Every member incident maps to the group's message (``PostedIncident.group``), so a change of any
member (acknowledged, silenced, escalated, resolved) re-renders that one message; the group is
resolved once all its members are. A new group's thread gets the chart of its hosts over the last
hour; its message offers Suggest fix while every open member has the same fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from bot.jobs.chat import ChatMessages
from bot.jobs.incident_grouping import NewGroup
from bot.jobs.incident_messages import IncidentMessageMap, PostedGroup, PostedIncident, first_posted
from bot.slack.charts import Chart
from bot.slack.fix_offers import common_fix
from bot.slack.incident_blocks import incident_text
from bot.slack.incident_group_blocks import (
    GroupMember,
    group_blocks,
    group_text,
    group_title,
    moved_blocks,
    shown_members,
    worst_member,
)
from domain.errors import NotifierUnavailable
from domain.models import Anomaly, AnomalyStatus
from domain.ports import AnomalyStore
from remediation.actions import ActionCall

log = structlog.get_logger(__name__)


def group_members(
    group: PostedGroup,
    *,
    anomalies: AnomalyStore,
    posted: IncidentMessageMap,
    now: datetime,
    newer: Mapping[str, Anomaly] | None = None,
    newer_posted: Mapping[str, PostedIncident] | None = None,
) -> list[GroupMember]:
    """The members of ``group`` as its message shows them (``newer`` ones override what the stores hold)."""
    out = []
    for anomaly_id in group.members:
        anomaly = (newer or {}).get(anomaly_id) or anomalies.get(anomaly_id)
        if anomaly is None:
            continue
        mine = (newer_posted or {}).get(anomaly_id) or posted.get(anomaly_id)
        peak = max(mine.peak, anomaly.value) if mine is not None else anomaly.value
        out.append(GroupMember(anomaly=anomaly, peak=peak, silenced=mine.silence_line(now) if mine else None))
    return out


def group_message(
    group: PostedGroup, members: Sequence[GroupMember], *, now: datetime, runbook: Callable[[Anomaly], str | None]
) -> tuple[str, list[dict[str, Any]]]:
    """The text and blocks of ``group``'s message now (the runbook is the worst member's signal's)."""
    shown = shown_members(members)
    worst = worst_member(members) or (shown[0] if shown else None)
    book = runbook(worst.anomaly) if worst is not None else None
    blocks = group_blocks(group.group_id, group.metric, members, now=now, runbook=book, fix=group.fix_offered)
    return group_text(group.metric, members), blocks


def post_chart(chat: ChatMessages, chart: Chart | None, *, channel: str, ts: str) -> None:
    """Upload ``chart`` in the thread of message ``ts``; a refusal is logged (the message is posted either way)."""
    if chart is None:
        return
    try:
        chat.upload_file(channel=channel, thread_ts=ts, content=chart.png, filename=chart.filename, title=chart.title)
    except NotifierUnavailable as exc:
        log.warning("incident_chart_not_posted", channel=channel, ts=ts, error=str(exc))


@dataclass
class IncidentGroups:
    """Posts and updates fleet-wide messages.

    Args:
        anomalies: where the member incidents are read.
        chat: where the messages go.
        posted: the posted messages (members and groups).
        runbook: the runbook link of an incident's signal, if configured.
        fix: the fix Suggest fix would request for an incident (None: it has none).
        chart: the chart of the last hour of incidents' hosts, posted in a new group's thread.
    """

    anomalies: AnomalyStore
    chat: ChatMessages
    posted: IncidentMessageMap
    runbook: Callable[[Anomaly], str | None]
    fix: Callable[[Anomaly, datetime], ActionCall | None] = lambda _anomaly, _now: None
    chart: Callable[[Sequence[Anomaly], datetime], Chart | None] = lambda _anomalies, _now: None

    def _members(
        self,
        group: PostedGroup,
        now: datetime,
        newer: Mapping[str, Anomaly] | None = None,
        newer_posted: Mapping[str, PostedIncident] | None = None,
    ) -> list[GroupMember]:
        return group_members(
            group, anomalies=self.anomalies, posted=self.posted, now=now, newer=newer, newer_posted=newer_posted
        )

    def _with_fix(self, group: PostedGroup, members: Sequence[GroupMember], now: datetime) -> PostedGroup:
        """``group`` offering Suggest fix when every open member has the same fix."""
        unresolved = [m.anomaly for m in members if m.anomaly.status is not AnomalyStatus.RESOLVED]
        offered = common_fix([self.fix(a, now) for a in unresolved]) is not None
        return group.model_copy(update={"fix_offered": offered})

    def open(self, new: NewGroup, now: datetime) -> int:
        """Post the message of a new group; incidents announced alone before it are moved into it.

        Raises:
            NotifierUnavailable: the group's message could not be posted (nothing was recorded).
        """
        members = [*new.absorbed, *new.fresh]
        group = PostedGroup(
            group_id=f"group-{new.channel}-{new.metric.value}-{int(now.timestamp())}",
            channel=new.channel,
            ts="",
            metric=new.metric,
            members=[a.id for a in members],
            opened_at=now,
        )
        shown = self._members(group, now, {a.id: a for a in members})
        group = self._with_fix(group, shown, now)
        text, blocks = group_message(group, shown, now=now, runbook=self.runbook)
        group = group.model_copy(update={"ts": self.chat.post_message(channel=new.channel, text=text, blocks=blocks)})
        self.posted.put_group(group)
        for anomaly in new.fresh:
            self.posted.put(first_posted(anomaly, channel=group.channel, ts=group.ts, now=now, group=group.group_id))
            self.posted.remember_signal(anomaly)
        title = group_title(new.metric, len(shown_members(shown)))
        for anomaly in new.absorbed:
            self._absorb(anomaly, group, title)
        log.info("incident_group_announced", group_id=group.group_id, channel=group.channel, hosts=len(members))
        charted = [m.anomaly for m in shown_members(shown)]  # worst first: the chart keeps the highest peaks
        post_chart(self.chat, self.chart(charted, now), channel=group.channel, ts=group.ts)
        return 1

    def _absorb(self, anomaly: Anomaly, group: PostedGroup, title: str) -> None:
        """Point an incident announced alone at the group: its message says so, and it follows the group."""
        own = self.posted.get(anomaly.id)
        if own is None:
            return
        try:
            self.chat.update_message(
                channel=own.channel, ts=own.ts, text=incident_text(anomaly), blocks=moved_blocks(anomaly, title)
            )
            self.chat.post_message(
                channel=own.channel, thread_ts=own.ts, text=f"Grouped with the same signal on other hosts: {title}."
            )
        except NotifierUnavailable as exc:  # the group lists it either way; only the old message is stale
            log.warning("incident_message_not_moved", anomaly_id=anomaly.id, error=str(exc))
        self.posted.put(own.model_copy(update={"channel": group.channel, "ts": group.ts, "group": group.group_id}))

    def join(self, group_id: str, anomaly: Anomaly, now: datetime) -> int:
        """A new host of the group's signal: listed in its message, and said in its thread.

        Raises:
            NotifierUnavailable: the message could not be updated (the incident is not recorded yet).
        """
        group = self.posted.get_group(group_id)
        if group is None:
            return 0
        group = group.model_copy(update={"members": [*group.members, anomaly.id]})
        shown = self._members(group, now, {anomaly.id: anomaly})
        group = self._with_fix(group, shown, now)
        text, blocks = group_message(group, shown, now=now, runbook=self.runbook)
        self.chat.update_message(channel=group.channel, ts=group.ts, text=text, blocks=blocks)
        self.chat.post_message(channel=group.channel, thread_ts=group.ts, text=f"Joined: {incident_text(anomaly)}")
        self.posted.put_group(group)
        self.posted.put(first_posted(anomaly, channel=group.channel, ts=group.ts, now=now, group=group.group_id))
        self.posted.remember_signal(anomaly)
        log.info("incident_group_joined", group_id=group_id, anomaly_id=anomaly.id)
        return 1

    def keep(self, group_id: str) -> None:
        """Store the group again, so a long quiet event is not forgotten by a store that expires entries."""
        group = self.posted.get_group(group_id)
        if group is not None:
            self.posted.put_group(group)

    def refresh(
        self,
        group_id: str,
        now: datetime,
        *,
        notes: Sequence[str] = (),
        due: bool = False,
        newer: Mapping[str, Anomaly] | None = None,
        newer_posted: Mapping[str, PostedIncident] | None = None,
    ) -> int:
        """Re-render the group's message and say ``notes`` in its thread; once all members resolved, say so.

        Args:
            notes: what its members' changes say in the thread (escalations, a silence's end).
            due: an unacknowledged critical member is due to be announced again.
            newer: members' incidents newer than the store's.
            newer_posted: members' posted states newer than the map's (recorded once Slack took the update).

        Raises:
            NotifierUnavailable: the message could not be updated.
        """
        group = self.posted.get_group(group_id)
        if group is None:
            return 0
        members = self._members(group, now, newer, newer_posted)
        drawn = self._with_fix(group, members, now)
        text, blocks = group_message(drawn, members, now=now, runbook=self.runbook)
        self.chat.update_message(channel=group.channel, ts=group.ts, text=text, blocks=blocks)
        if drawn.fix_offered != group.fix_offered:
            group = drawn
            self.posted.put_group(group)
        for note in notes:
            self.chat.post_message(channel=group.channel, thread_ts=group.ts, text=note)
        if due:
            again = f"<!here> Still open and not acknowledged: {text}"
            self.chat.post_message(channel=group.channel, thread_ts=group.ts, text=again)
        if members and all(m.anomaly.status is AnomalyStatus.RESOLVED for m in members) and not group.resolved:
            self.chat.post_message(channel=group.channel, thread_ts=group.ts, text=f"Resolved on every host: {text}")
            self.posted.put_group(group.model_copy(update={"resolved": True}))
            log.info("incident_group_resolved", group_id=group_id)
        return 1
