"""The buttons of a fleet-wide incident message: Acknowledge all, and showing the group as it is now.

Each member is acknowledged (and audited) as if its own Acknowledge had been clicked; the group's
one message is then re-rendered and its thread says who, and on how many hosts.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.jobs.incident_group_messages import group_members, group_message
from bot.jobs.incident_messages import IncidentMessageMap, PostedGroup, incident_message_map
from bot.services import Services
from bot.slack.incident_actions import acknowledge
from bot.slack.incident_blocks import incident_links
from bot.slack.mrkdwn import escape, mention
from domain.models import AnomalyStatus

log = structlog.get_logger(__name__)


def show_group(services: Services, client: WebClient, posted_map: IncidentMessageMap, group: PostedGroup) -> bool:
    """Re-render the group's message from the stores; False when Slack refused (logged)."""
    now = services.clock.now()
    members = group_members(group, anomalies=services.anomalies, posted=posted_map, now=now)
    text, blocks = group_message(
        group, members, now=now, runbook=lambda a: incident_links(services.settings.slack, a).runbook
    )
    try:
        client.chat_update(channel=group.channel, ts=group.ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning("incident_group_not_updated", group_id=group.group_id, error=str(exc.response.get("error")))
        return False
    return True


def say_in_group(client: WebClient, group: PostedGroup, text: str) -> None:
    """Post ``text`` in the group's thread (a refusal is logged: the message itself is up to date)."""
    try:
        client.chat_postMessage(channel=group.channel, thread_ts=group.ts, text=text)
    except SlackApiError as exc:
        log.warning("incident_group_note_not_posted", group_id=group.group_id, error=str(exc.response.get("error")))


def acknowledge_group(
    services: Services, client: WebClient, group_id: str, *, user: str, tell: Callable[[str], None]
) -> None:
    """Acknowledge every unresolved member of the group as ``user``, update its message and say so in its thread.

    Raises:
        AuditWriteFailed: an audit line could not be written (the members before it are acknowledged).
    """
    posted_map = incident_message_map(services.settings)
    group = posted_map.get_group(group_id)
    if group is None:
        tell(f"I can't find the fleet-wide incident `{escape(group_id)}`.")
        return
    before = [services.anomalies.get(i) for i in group.members]
    targets = [a.id for a in before if a is not None and a.status is AnomalyStatus.OPEN]
    if not targets:
        tell("Every incident of this message is already acknowledged or resolved.")
        return
    for anomaly_id in targets:
        acknowledge(services, anomaly_id, user=user)
    show_group(services, client, posted_map, group)
    hosts = "host" if len(targets) == 1 else "hosts"
    at = services.clock.now()
    say_in_group(client, group, f"Acknowledged by {mention(user)} at {at:%H:%M} UTC on {len(targets)} {hosts}.")
