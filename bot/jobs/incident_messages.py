"""The incident messages the notifier posted, kept in a ``ConversationStore`` (Redis when configured).

Each announced incident maps to the message that shows it: its own, or the one fleet-wide
message of its group when it opened together with the same signal on other hosts. The map
survives restarts and is shared by replicas, so whoever moves an incident (the notifier, a
click, ``/ops``) finds the message to update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ValidationError

from bot.config.settings import Settings
from bot.slack.mrkdwn import mention
from domain.models import Anomaly, AnomalyStatus, MetricKind, Severity
from domain.ports import ConversationStore

_INDEX = "incident-messages"


def _signal_key(anomaly: Anomaly) -> str:
    # A filesystem other than / is a signal of its own, as in the anomaly's id.
    mount = f":{anomaly.mountpoint}" if anomaly.mountpoint not in (None, "/") else ""
    return f"incident-signal:{anomaly.host.instance}:{anomaly.metric.value}{mount}"


def _open_group_key(channel: str, metric: MetricKind) -> str:
    return f"incident-group-open:{channel}:{metric.value}"


class PostedIncident(BaseModel):
    """What the notifier posted for one incident, and the state it last showed.

    ``channel`` and ``ts`` are the message showing the incident: the group's message when
    ``group`` is set.
    """

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
    #: The fleet-wide message this incident is listed in (None: it has its own message).
    group: str | None = None
    #: The message has Suggest fix: the notifier found a fix when it last drew it.
    fix_offered: bool = False

    def is_silenced(self, now: datetime) -> bool:
        """True while a silence holds (no thread notes, no re-announcements)."""
        return self.silenced_by is not None and (self.silenced_until is None or now < self.silenced_until)

    def silence_ended(self, now: datetime) -> str | None:
        """Who silenced it, once a timed silence has run out and the message still shows it; else None."""
        if self.silenced_by is not None and self.silenced_until is not None and now >= self.silenced_until:
            return self.silenced_by
        return None

    def silence_line(self, now: datetime) -> str | None:
        """``Silenced by @ann until 15:00 UTC`` while silenced, else None."""
        if not self.is_silenced(now) or self.silenced_by is None:
            return None
        until = f"until {self.silenced_until:%H:%M} UTC" if self.silenced_until else "until it resolves"
        return f"Silenced by {mention(self.silenced_by)} {until}"


def first_posted(
    anomaly: Anomaly, *, channel: str, ts: str, now: datetime, group: str | None = None, fix_offered: bool = False
) -> PostedIncident:
    """What was posted when ``anomaly`` was announced at ``now`` in message ``ts`` (its own, or ``group``'s)."""
    return PostedIncident(
        anomaly_id=anomaly.id,
        channel=channel,
        ts=ts,
        severity=anomaly.severity,
        status=anomaly.status,
        peak=anomaly.value,
        announced_at=now,
        group=group,
        fix_offered=fix_offered,
    )


class PostedGroup(BaseModel):
    """One fleet-wide message: the incidents of one signal on many hosts, listed together."""

    group_id: str
    channel: str
    ts: str
    metric: MetricKind
    #: Anomaly ids of the incidents it lists, in the order they joined.
    members: list[str]
    opened_at: datetime
    resolved: bool = False
    #: The message has Suggest fix: every open member had the same fix when the notifier last drew it.
    fix_offered: bool = False


@dataclass
class IncidentMessageMap:
    """Posted incident messages by anomaly id, with an index of the ones not yet resolved, and the groups."""

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

    def get_group(self, group_id: str) -> PostedGroup | None:
        """A fleet-wide message, if any."""
        raw = self.store.load(f"incident-group:{group_id}")
        try:
            return None if raw is None else PostedGroup.model_validate(raw)
        except ValidationError:
            return None

    def put_group(self, group: PostedGroup) -> None:
        """Store (or refresh) a fleet-wide message; while it is not resolved, new hosts of its signal join it."""
        self.store.save(f"incident-group:{group.group_id}", group.model_dump(mode="json"))
        key = _open_group_key(group.channel, group.metric)
        if not group.resolved:
            self.store.save(key, {"group_id": group.group_id})
        elif (self.store.load(key) or {}).get("group_id") == group.group_id:
            self.store.save(key, {})

    def open_group(self, channel: str, metric: MetricKind) -> PostedGroup | None:
        """The unresolved fleet-wide message of ``metric`` in ``channel``, if any."""
        raw = self.store.load(_open_group_key(channel, metric)) or {}
        group = self.get_group(str(raw["group_id"])) if raw.get("group_id") else None
        return group if group is not None and not group.resolved else None


def incident_message_map(settings: Settings) -> IncidentMessageMap:
    """The posted-message map where conversations are kept (Redis when configured, else the state directory)."""
    from bot.wiring.assistant import build_conversations  # the composition root's store choice

    return IncidentMessageMap(build_conversations(settings))
