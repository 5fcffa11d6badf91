"""Silencing incidents, from the message's buttons or ``/ops silence`` / ``/ops unsilence``, audited with the actor.

A silence (1 h, 4 h or until the incident resolves) is kept with the incident's posted message, so
the notifier stops saying things in its thread and re-announcing it; the incident itself stays in
the store and in ``/ops anomalies``. A fleet-wide message's Silence all silences each of its open
incidents (each audited) and says so once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.jobs.incident_messages import IncidentMessageMap, PostedIncident, incident_message_map
from bot.jobs.incident_notifier import render
from bot.services import Services
from bot.slack.incident_actions import incidents_named
from bot.slack.incident_blocks import incident_links, incident_text
from bot.slack.incident_group_actions import say_in_group, show_group
from bot.slack.mrkdwn import mention
from bot.slack.ops_answers import Reply
from bot.slack.ops_command import SILENCE_LENGTHS
from domain.models import Anomaly, AnomalyStatus
from remediation.ports import AuditEvent

log = structlog.get_logger(__name__)

#: How long each of ``SILENCE_LENGTHS`` lasts (None: until the incident resolves).
SILENCES: dict[str, timedelta | None] = dict(
    zip(SILENCE_LENGTHS, (timedelta(hours=1), timedelta(hours=4), None), strict=True)
)


def _silenced(
    services: Services, anomaly: Anomaly, posted: PostedIncident, *, user: str, choice: str | None, now: datetime
) -> PostedIncident:
    """``posted`` silenced (``choice`` from ``SILENCES``) or unsilenced (None) by ``user``, audited.

    Raises:
        AuditWriteFailed: the audit line could not be written (nothing changed).
    """
    length = SILENCES[choice] if choice is not None else None
    changes: dict[str, object] = {
        "silenced_by": user if choice else None,
        "silenced_until": now + length if length else None,
    }
    services.audit.record(
        AuditEvent(
            timestamp=now,
            event="incident_silenced" if choice else "incident_unsilenced",
            request_id=anomaly.id,
            action="silence" if choice else "unsilence",
            params={"host": anomaly.host.name, "metric": anomaly.metric.value, "for": choice or ""},
            requester=user,
            actor=user,
            target=anomaly.host.name,
            state=anomaly.status.value,
        )
    )
    return posted.model_copy(update=changes)


def _until(posted: PostedIncident) -> str:
    return f"until {posted.silenced_until:%H:%M} UTC" if posted.silenced_until else "until it resolves"


def set_silence(
    services: Services,
    client: WebClient,
    anomaly_id: str,
    *,
    user: str,
    choice: str | None,
    posted_map: IncidentMessageMap,
) -> str:
    """Silence (``choice`` from ``SILENCES``) or unsilence (None) one announced incident.

    An incident listed in a fleet-wide message updates that message.

    Returns:
        What happened, as plain text (an answer's text is escaped where it is shown).
    """
    anomaly = services.anomalies.get(anomaly_id)
    posted = posted_map.get(anomaly_id)
    if anomaly is None or posted is None or anomaly.status is AnomalyStatus.RESOLVED:
        return f"{anomaly_id} is not an announced open incident."
    now = services.clock.now()
    posted = _silenced(services, anomaly, posted, user=user, choice=choice, now=now)
    posted_map.put(posted)
    said = posted.silence_line(now) or f"Unsilenced by {mention(user)}"
    name = f"{anomaly.host.name} {anomaly.metric.label} ({anomaly_id})"
    done = f"Silenced {name} {_until(posted)}." if choice else f"Unsilenced {name}."
    group = posted_map.get_group(posted.group) if posted.group else None
    if group is not None:
        if show_group(services, client, posted_map, group):
            say_in_group(client, group, f"{said} on {anomaly.host.name}.")
        return done
    try:
        related = services.anomalies.open_anomalies()
        blocks = render(anomaly, posted, incident_links(services.settings.slack, anomaly), now, related)
        client.chat_update(channel=posted.channel, ts=posted.ts, text=incident_text(anomaly), blocks=blocks)
        client.chat_postMessage(channel=posted.channel, thread_ts=posted.ts, text=f"{said}.")
    except SlackApiError as exc:
        log.warning("incident_message_not_updated", anomaly_id=anomaly_id, error=str(exc.response.get("error")))
    return done


def silence_group(services: Services, client: WebClient, group_id: str, *, user: str, choice: str | None) -> str:
    """Silence (or unsilence) every unresolved incident of a fleet-wide message; its message and thread say so.

    Returns:
        What happened, as plain text.
    """
    posted_map = incident_message_map(services.settings)
    group = posted_map.get_group(group_id)
    if group is None:
        return f"{group_id} is not a fleet-wide incident message."
    now = services.clock.now()
    done: list[PostedIncident] = []
    for anomaly_id in group.members:
        anomaly, posted = services.anomalies.get(anomaly_id), posted_map.get(anomaly_id)
        if anomaly is None or posted is None or anomaly.status is AnomalyStatus.RESOLVED:
            continue
        if choice is None and posted.silenced_by is None:
            continue  # nothing to lift
        posted = _silenced(services, anomaly, posted, user=user, choice=choice, now=now)
        posted_map.put(posted)
        done.append(posted)
    if not done:
        return "Nothing to unsilence: no open incident of this message is silenced."
    hosts = f"{len(done)} host{'s' if len(done) != 1 else ''}"
    said = done[0].silence_line(now) or f"Unsilenced by {mention(user)}"
    if show_group(services, client, posted_map, group):
        say_in_group(client, group, f"{said} on {hosts}.")
    return f"Silenced {hosts} {_until(done[0])}." if choice else f"Unsilenced {hosts}."


def silence_command(services: Services, client: WebClient, target: str, *, user: str, choice: str | None) -> Reply:
    """``/ops silence <host|incident> <1h|4h|resolved>`` and ``/ops unsilence <host|incident>``."""
    found = incidents_named(services, target)
    if not found:
        return Reply(text=f"No open incident matches `{target}`.")
    posted_map = incident_message_map(services.settings)
    lines = [set_silence(services, client, a.id, user=user, choice=choice, posted_map=posted_map) for a in found]
    return Reply(text="\n".join(lines))
