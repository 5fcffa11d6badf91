"""Silencing incidents, from the message's buttons or ``/ops silence`` / ``/ops unsilence``, audited with the actor.

A silence (1 h, 4 h or until the incident resolves) is kept with the incident's posted message, so
the notifier stops saying things in its thread and re-announcing it; the incident itself stays in
the store and in ``/ops anomalies``.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.jobs.incident_notifier import IncidentMessageMap, incident_message_map, render
from bot.services import Services
from bot.slack.incident_actions import incidents_named
from bot.slack.incident_blocks import incident_links, incident_text
from bot.slack.mrkdwn import mention
from bot.slack.ops_answers import Reply
from bot.slack.ops_command import SILENCE_LENGTHS
from domain.models import AnomalyStatus
from remediation.ports import AuditEvent

log = structlog.get_logger(__name__)

#: How long each of ``SILENCE_LENGTHS`` lasts (None: until the incident resolves).
SILENCES: dict[str, timedelta | None] = dict(
    zip(SILENCE_LENGTHS, (timedelta(hours=1), timedelta(hours=4), None), strict=True)
)


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

    Returns:
        What happened, as plain text (an answer's text is escaped where it is shown).
    """
    anomaly = services.anomalies.get(anomaly_id)
    posted = posted_map.get(anomaly_id)
    if anomaly is None or posted is None or anomaly.status is AnomalyStatus.RESOLVED:
        return f"{anomaly_id} is not an announced open incident."
    now = services.clock.now()
    length = SILENCES[choice] if choice is not None else None
    changes: dict[str, object] = {
        "silenced_by": user if choice else None,
        "silenced_until": now + length if length else None,
    }
    posted = posted.model_copy(update=changes)
    event = "incident_silenced" if choice else "incident_unsilenced"
    services.audit.record(
        AuditEvent(
            timestamp=now,
            event=event,
            request_id=anomaly_id,
            action="silence" if choice else "unsilence",
            params={"host": anomaly.host.name, "metric": anomaly.metric.value, "for": choice or ""},
            requester=user,
            actor=user,
            target=anomaly.host.name,
            state=anomaly.status.value,
        )
    )
    posted_map.put(posted)
    said = posted.silence_line(now) or f"Unsilenced by {mention(user)}"
    name = f"{anomaly.host.name} {anomaly.metric.label} ({anomaly_id})"
    until = f"until {posted.silenced_until:%H:%M} UTC" if posted.silenced_until else "until it resolves"
    done = f"Silenced {name} {until}." if choice else f"Unsilenced {name}."
    try:
        related = services.anomalies.open_anomalies()
        blocks = render(anomaly, posted, incident_links(services.settings.slack, anomaly), now, related)
        client.chat_update(channel=posted.channel, ts=posted.ts, text=incident_text(anomaly), blocks=blocks)
        client.chat_postMessage(channel=posted.channel, thread_ts=posted.ts, text=f"{said}.")
    except SlackApiError as exc:
        log.warning("incident_message_not_updated", anomaly_id=anomaly_id, error=str(exc.response.get("error")))
    return done


def silence_command(services: Services, client: WebClient, target: str, *, user: str, choice: str | None) -> Reply:
    """``/ops silence <host|incident> <1h|4h|resolved>`` and ``/ops unsilence <host|incident>``."""
    found = incidents_named(services, target)
    if not found:
        return Reply(text=f"No open incident matches `{target}`.")
    posted_map = incident_message_map(services.settings)
    lines = [set_silence(services, client, a.id, user=user, choice=choice, posted_map=posted_map) for a in found]
    return Reply(text="\n".join(lines))
