"""Block Kit of an incident message, pure: an anomaly in, the message that announces it and follows it out.

While the incident is open the message has an **Acknowledge** button; once acknowledged it says by
whom; once resolved it says how long it lasted and its peak, and the button is gone. **Suggest fix**
is there only when the caller found a fix to suggest (``bot.slack.fix_offers``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.config.slack_settings import SlackSettings
from bot.jobs.digest import grafana_link
from bot.slack.mrkdwn import escape, link, mention
from bot.slack.ops_command import SILENCE_LENGTHS
from domain.durations import format_duration
from domain.models import Anomaly, AnomalyStatus, Severity, format_value

ACKNOWLEDGE_ACTION = "incident_acknowledge"
INVESTIGATE_ACTION = "incident_investigate"
SUGGEST_FIX_ACTION = "incident_suggest_fix"
#: Silence buttons: ``incident_silence_<1h|4h|resolved>``; the value is the incident id.
SILENCE_ACTION_PREFIX = "incident_silence_"
SILENCE_CHOICES = dict(zip(SILENCE_LENGTHS, ("Silence 1 h", "Silence 4 h", "Silence until resolved"), strict=True))
UNSILENCE_ACTION = "incident_unsilence"

SEVERITY_ICONS = {
    Severity.LOW: ":large_blue_circle:",
    Severity.MEDIUM: ":large_yellow_circle:",
    Severity.HIGH: ":large_orange_circle:",
    Severity.CRITICAL: ":red_circle:",
}


@dataclass(frozen=True)
class IncidentLinks:
    """Links shown on an incident when configured: the host's Grafana dashboard and the signal's runbook."""

    grafana: str | None = None
    runbook: str | None = None


def signal_label(anomaly: Anomaly) -> str:
    """``disk used /data`` for a filesystem, else the metric's label."""
    return f"{anomaly.metric.label} {anomaly.mountpoint}" if anomaly.mountpoint else anomaly.metric.label


def incident_title(anomaly: Anomaly) -> str:
    """``web-1: CPU`` (plain text, for the header and the notification text)."""
    return f"{anomaly.host.name}: {signal_label(anomaly)}"


def incident_text(anomaly: Anomaly) -> str:
    """The message's fallback text (notifications, screen readers), escaped."""
    state = "resolved" if anomaly.status is AnomalyStatus.RESOLVED else anomaly.severity.value
    return escape(f"[{state}] {incident_title(anomaly)} {anomaly.value_text}")


def _facts(anomaly: Anomaly, *, peak: float) -> list[dict[str, Any]]:
    fields = [
        ("Host", f"`{escape(anomaly.host.name)}`"),
        ("Signal", escape(signal_label(anomaly))),
        ("Value", escape(f"{anomaly.value_text} (peak {format_value(anomaly.metric, peak)})")),
        ("Since", f"{anomaly.started_at:%Y-%m-%d %H:%M} UTC"),
        ("Severity", f"{SEVERITY_ICONS[anomaly.severity]} {anomaly.severity.value}"),
        ("Incident", f"`{escape(anomaly.id)}`"),
    ]
    return [{"type": "mrkdwn", "text": f"*{name}*\n{value}"} for name, value in fields]


def _button(action_id: str, label: str, value: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": label}, "value": value}


def _buttons(anomaly: Anomaly, silenced: str | None, fix: bool) -> list[dict[str, Any]]:
    out = [_button(ACKNOWLEDGE_ACTION, "Acknowledge", anomaly.id)] if anomaly.status is AnomalyStatus.OPEN else []
    out.append(_button(INVESTIGATE_ACTION, "Investigate", anomaly.id))
    if fix:
        out.append(_button(SUGGEST_FIX_ACTION, "Suggest fix", anomaly.id))
    if silenced:
        return [*out, _button(UNSILENCE_ACTION, "Unsilence", anomaly.id)]
    return out + [_button(f"{SILENCE_ACTION_PREFIX}{k}", label, anomaly.id) for k, label in SILENCE_CHOICES.items()]


def related_line(anomaly: Anomaly, related: Sequence[Anomaly]) -> str | None:
    """``Also open on web-1: memory used (high), disk used (medium)``, or None when nothing else is open there."""
    others = [a for a in related if a.id != anomaly.id and a.host.name == anomaly.host.name]
    if not others:
        return None
    listed = ", ".join(f"{a.metric.label} ({a.severity.value})" for a in others)
    return escape(f"Also open on {anomaly.host.name}: {listed}")


def incident_blocks(
    anomaly: Anomaly,
    *,
    peak: float,
    links: IncidentLinks,
    now: datetime,
    silenced: str | None = None,
    related: Sequence[Anomaly] = (),
    fix: bool = False,
) -> list[dict[str, Any]]:
    """The incident message as it should look now.

    Args:
        peak: the highest value seen while it lasted.
        links: Grafana and runbook links (either may be None).
        now: the time the message is rendered (for an open incident's age).
        silenced: who silenced it and until when (a line of ``mrkdwn``), while it is silenced.
        related: the open incidents; those on the same host are listed.
        fix: there is a fix to suggest (the message gets Suggest fix).
    """
    resolved = anomaly.status is AnomalyStatus.RESOLVED
    header = (
        f"Resolved: {incident_title(anomaly)}"
        if resolved
        else f"{anomaly.severity.value.upper()}: {incident_title(anomaly)}"
    )
    out: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header[:150]}},
        {"type": "section", "fields": _facts(anomaly, peak=peak)},
    ]
    if anomaly.summary:
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": escape(anomaly.summary)[:2900]}})
    also = related_line(anomaly, related)
    if also:
        out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": also}]})
    shown = [link(url, name) for url, name in ((links.grafana, "Grafana"), (links.runbook, "Runbook")) if url]
    if shown:
        out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(shown)}]})
    out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": state_line(anomaly, peak=peak, now=now)}]})
    if anomaly.status is AnomalyStatus.RESOLVED:
        return out
    if silenced:
        out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f":no_bell: {silenced}"}]})
    out.append({"type": "actions", "block_id": f"incident:{anomaly.id}", "elements": _buttons(anomaly, silenced, fix)})
    return out


def state_line(anomaly: Anomaly, *, peak: float, now: datetime) -> str:
    """``Open for 12m`` · ``Acknowledged by @ann`` · ``Resolved at 14:05 UTC after 23m; peak 97.0%``."""
    if anomaly.status is AnomalyStatus.RESOLVED:
        ended = anomaly.ended_at or anomaly.updated_at
        lasted = format_duration(max(0, int((ended - anomaly.started_at).total_seconds())))
        highest = format_value(anomaly.metric, peak)
        return f":white_check_mark: Resolved at {ended:%H:%M} UTC after {lasted}; peak {highest}"
    age = format_duration(max(0, int((now - anomaly.started_at).total_seconds())))
    if anomaly.status is AnomalyStatus.ACKNOWLEDGED:
        by = mention(anomaly.acknowledged_by) if anomaly.acknowledged_by else "someone"
        return f":eyes: Acknowledged by {by}; open for {age}"
    return f":rotating_light: Open for {age}, not acknowledged"


def incident_links(slack: SlackSettings, anomaly: Anomaly) -> IncidentLinks:
    """The configured links of an incident: the Grafana host dashboard around it, the runbook of its signal."""
    grafana = grafana_link(str(slack.grafana_url), anomaly) if slack.grafana_url else None
    runbook = slack.runbooks.get(anomaly.metric)
    return IncidentLinks(grafana=grafana, runbook=str(runbook) if runbook else None)
