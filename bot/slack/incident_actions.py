"""Acknowledging incidents, from the message's button or ``/ops ack``: the store changes and the audit log says who."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.jobs.incident_notifier import PostedIncident, incident_message_map, render
from bot.services import Services
from bot.slack.incident_blocks import incident_links, incident_text
from bot.slack.mrkdwn import escape, mention
from bot.slack.ops_answers import Reply
from domain.models import Anomaly, AnomalyStatus
from remediation.ports import AuditEvent

log = structlog.get_logger(__name__)


def acknowledge(services: Services, anomaly_id: str, *, user: str) -> Anomaly | None:
    """Mark an unresolved incident acknowledged by ``user`` and audit it; returns it as stored (None: unknown).

    Raises:
        AuditWriteFailed: the audit line could not be written.
    """
    now = services.clock.now()
    before = services.anomalies.get(anomaly_id)
    if before is None or before.status is AnomalyStatus.RESOLVED:
        return before
    after = services.anomalies.acknowledge(anomaly_id, by=user, at=now)
    if after is not None and before.status is not AnomalyStatus.ACKNOWLEDGED:
        services.audit.record(
            AuditEvent(
                timestamp=now,
                event="incident_acknowledged",
                request_id=anomaly_id,
                action="acknowledge",
                params={"host": before.host.name, "metric": before.metric.value, "severity": before.severity.value},
                requester=user,
                actor=user,
                target=before.host.name,
                state=AnomalyStatus.ACKNOWLEDGED.value,
            )
        )
    return after


def incidents_named(services: Services, target: str) -> list[Anomaly]:
    """The unresolved incidents ``target`` names: one incident id, or every one on a host."""
    one = services.anomalies.get(target)
    if one is not None:
        return [one] if one.status is not AnomalyStatus.RESOLVED else []
    return [a for a in services.anomalies.open_anomalies() if target in {a.host.name, a.host.instance}]


def ack_command(services: Services, target: str, *, user: str) -> Reply:
    """``/ops ack <host|incident>``: acknowledge what ``target`` names."""
    found = incidents_named(services, target)
    if not found:
        return Reply(text=f"No open incident matches `{target}`.")
    done = [a for a in (acknowledge(services, a.id, user=user) for a in found) if a is not None]
    names = ", ".join(f"{a.host.name} {a.metric.label} ({a.id})" for a in done)
    return Reply(text=f"Acknowledged by you: {names}.")


def current_blocks(services: Services, anomaly: Anomaly) -> list[dict[str, Any]]:
    """The incident's message as it should look now, with what the notifier keeps (peak, silence) when it posted it."""
    now = services.clock.now()
    posted = incident_message_map(services.settings).get(anomaly.id) or PostedIncident(
        anomaly_id=anomaly.id,
        channel="",
        ts="",
        severity=anomaly.severity,
        status=anomaly.status,
        peak=anomaly.value,
        announced_at=now,
    )
    links = incident_links(services.settings.slack, anomaly)
    return render(anomaly, posted, links, now, services.anomalies.open_anomalies())


def acknowledge_click(
    services: Services,
    client: WebClient,
    *,
    anomaly_id: str,
    user: str,
    where: dict[str, Any],
    tell: Callable[[str], None],
) -> None:
    """The Acknowledge button: acknowledge, update the incident message, and say who in its thread."""
    anomaly = acknowledge(services, anomaly_id, user=user)
    if anomaly is None:
        tell(f"I can't find incident `{escape(anomaly_id)}`.")
        return
    if anomaly.status is AnomalyStatus.RESOLVED:
        tell(f"Incident `{escape(anomaly_id)}` is already resolved.")
        return
    channel, ts = where.get("channel"), where.get("ts")
    if not channel or not ts:
        tell(f"Acknowledged: {incident_text(anomaly)}")
        return
    blocks = current_blocks(services, anomaly)
    try:
        client.chat_update(channel=channel, ts=ts, text=incident_text(anomaly), blocks=blocks)
        client.chat_postMessage(
            channel=channel, thread_ts=ts, text=f"Acknowledged by {mention(user)} at {services.clock.now():%H:%M} UTC."
        )
    except SlackApiError as exc:
        log.warning("incident_message_not_updated", anomaly_id=anomaly_id, error=str(exc.response.get("error")))
        tell(f"Acknowledged: {incident_text(anomaly)}")
