"""Block Kit of a fleet-wide incident message, pure: one signal on many hosts, listed in one message.

The message names the signal and how many hosts, the worst severity, since when, and each host
with its value; its buttons act on the whole group (**Acknowledge all**, **Silence all**) or on
its worst host (**Investigate**, and **Suggest fix** when every open host has the same fix, such
as one Auto Scaling group to scale up). As members are acknowledged or resolve, the message says how
many ("5 of 7 resolved"); once all have resolved the buttons are gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.slack.incident_blocks import (
    INVESTIGATE_ACTION,
    SEVERITY_ICONS,
    SILENCE_CHOICES,
    SUGGEST_FIX_ACTION,
    incident_title,
)
from bot.slack.mrkdwn import cut_lines, escape, link, mention
from domain.durations import format_duration
from domain.models import Anomaly, AnomalyStatus, MetricKind, Severity, format_value

GROUP_ACKNOWLEDGE_ACTION = "incident_group_acknowledge"
#: Silence buttons of a group: ``incident_group_silence_<1h|4h|resolved>``; the value is the group id.
GROUP_SILENCE_ACTION_PREFIX = "incident_group_silence_"
GROUP_UNSILENCE_ACTION = "incident_group_unsilence"
#: Hosts named in the message's fallback text before ``(+N more)``.
_NAMED_IN_TEXT = 5


@dataclass(frozen=True)
class GroupMember:
    """One incident of a group as its message shows it: the incident, its peak, its silence line (if silenced)."""

    anomaly: Anomaly
    peak: float
    silenced: str | None = None


def shown_members(members: Sequence[GroupMember]) -> list[GroupMember]:
    """One member per host (its unresolved incident when it has one), unresolved first, worst first.

    Unresolved members are ordered by severity and value, resolved ones by severity and peak.
    """
    by_host: dict[str, GroupMember] = {}
    for member in members:
        kept = by_host.get(member.anomaly.host.name)
        if kept is None or kept.anomaly.status is AnomalyStatus.RESOLVED:
            by_host[member.anomaly.host.name] = member

    def order(m: GroupMember) -> tuple[bool, int, float, str]:
        resolved = m.anomaly.status is AnomalyStatus.RESOLVED
        return resolved, -m.anomaly.severity.rank, -(m.peak if resolved else m.anomaly.value), m.anomaly.host.name

    return sorted(by_host.values(), key=order)


def worst_member(members: Sequence[GroupMember]) -> GroupMember | None:
    """The unresolved member of the highest severity and value (None once all have resolved)."""
    shown = shown_members(members)
    return shown[0] if shown and shown[0].anomaly.status is not AnomalyStatus.RESOLVED else None


def group_title(metric: MetricKind, hosts: int) -> str:
    """``CPU high on 7 hosts`` (plain text)."""
    return f"{metric.label} high on {hosts} hosts"


def group_text(metric: MetricKind, members: Sequence[GroupMember]) -> str:
    """The fallback text: ``[critical] CPU high on 7 hosts: web-1 97.0%, web-2 95.0%, … (+2 more)``, escaped."""
    shown = shown_members(members)
    open_ones = [m for m in shown if m.anomaly.status is not AnomalyStatus.RESOLVED]
    state = open_ones[0].anomaly.severity.value if open_ones else "resolved"
    named = ", ".join(
        f"{m.anomaly.host.name} {'resolved' if m.anomaly.status is AnomalyStatus.RESOLVED else m.anomaly.value_text}"
        for m in shown[:_NAMED_IN_TEXT]
    )
    more = f", … (+{len(shown) - _NAMED_IN_TEXT} more)" if len(shown) > _NAMED_IN_TEXT else ""
    return escape(f"[{state}] {group_title(metric, len(shown))}: {named}{more}")


def _host_line(member: GroupMember) -> str:
    a = member.anomaly
    value = f"{a.value_text} (peak {format_value(a.metric, member.peak)})"
    line = f"• `{escape(a.host.name)}` {escape(value)} {SEVERITY_ICONS[a.severity]} {a.severity.value}"
    if a.status is AnomalyStatus.RESOLVED:
        return f"{line}, resolved at {(a.ended_at or a.updated_at):%H:%M} UTC"
    if a.status is AnomalyStatus.ACKNOWLEDGED:
        return f"{line}, acknowledged by {mention(a.acknowledged_by) if a.acknowledged_by else 'someone'}"
    return line


def _button(action_id: str, label: str, value: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": label}, "value": value}


def _buttons(group_id: str, shown: Sequence[GroupMember], silenced: str | None, fix: bool) -> list[dict[str, Any]]:
    out = []
    if any(m.anomaly.status is AnomalyStatus.OPEN for m in shown):
        out.append(_button(GROUP_ACKNOWLEDGE_ACTION, "Acknowledge all", group_id))
    worst = worst_member(shown)
    if worst is not None:
        out.append(_button(INVESTIGATE_ACTION, f"Investigate {worst.anomaly.host.name}"[:75], worst.anomaly.id))
        if fix:  # the fix every open host shares, requested as the worst host's
            out.append(_button(SUGGEST_FIX_ACTION, "Suggest fix", worst.anomaly.id))
    if silenced:
        return [*out, _button(GROUP_UNSILENCE_ACTION, "Unsilence all", group_id)]
    labels = [label.replace("Silence", "Silence all", 1) for label in SILENCE_CHOICES.values()]
    return out + [
        _button(f"{GROUP_SILENCE_ACTION_PREFIX}{k}", label, group_id)
        for k, label in zip(SILENCE_CHOICES, labels, strict=True)
    ]


def state_line(shown: Sequence[GroupMember], *, now: datetime) -> str:
    """``Open for 12m; 5 of 7 resolved, 1 acknowledged`` or ``Resolved on all 7 hosts at 14:25 UTC after 23m``."""
    started = min(m.anomaly.started_at for m in shown)
    resolved = [m for m in shown if m.anomaly.status is AnomalyStatus.RESOLVED]
    if len(resolved) == len(shown):
        ended = max(m.anomaly.ended_at or m.anomaly.updated_at for m in shown)
        lasted = format_duration(max(0, int((ended - started).total_seconds())))
        return f":white_check_mark: Resolved on all {len(shown)} hosts at {ended:%H:%M} UTC after {lasted}"
    age = format_duration(max(0, int((now - started).total_seconds())))
    acked = sum(m.anomaly.status is AnomalyStatus.ACKNOWLEDGED for m in shown)
    counts = [f"{len(resolved)} of {len(shown)} resolved"] if resolved else []
    counts += [f"{acked} acknowledged"] if acked else []
    tail = f"; {', '.join(counts)}" if counts else ""
    unacked = any(m.anomaly.status is AnomalyStatus.OPEN for m in shown)
    return f":rotating_light: Open for {age}{tail}" + ("" if not unacked or acked else ", not acknowledged")


def group_blocks(
    group_id: str,
    metric: MetricKind,
    members: Sequence[GroupMember],
    *,
    now: datetime,
    runbook: str | None = None,
    fix: bool = False,
) -> list[dict[str, Any]]:
    """The fleet-wide message as it should look now.

    Args:
        group_id: the group's id (the value of its Acknowledge all and Silence all buttons).
        metric: the signal the hosts share.
        members: every incident of the group (a host with several is shown once).
        now: the time the message is rendered (for the group's age).
        runbook: the signal's runbook link, when configured.
        fix: every open member has the same fix to suggest (the message gets Suggest fix).
    """
    shown = shown_members(members)
    if not shown:
        return []
    open_ones = [m for m in shown if m.anomaly.status is not AnomalyStatus.RESOLVED]
    title = group_title(metric, len(shown))
    worst = Severity.worst(*(m.anomaly.severity for m in open_ones or shown))
    header = f"{worst.value.upper()}: {title}" if open_ones else f"Resolved: {title}"
    fields = [
        ("Signal", escape(metric.label)),
        ("Hosts", str(len(shown))),
        ("Worst severity", f"{SEVERITY_ICONS[worst]} {worst.value}"),
        ("Since", f"{min(m.anomaly.started_at for m in shown):%Y-%m-%d %H:%M} UTC"),
        ("Group", f"`{escape(group_id)}`"),
    ]
    out: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header[:150]}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in fields]},
        {"type": "section", "text": {"type": "mrkdwn", "text": cut_lines("\n".join(_host_line(m) for m in shown))}},
    ]
    if runbook:
        out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": link(runbook, "Runbook")}]})
    out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": state_line(shown, now=now)}]})
    if not open_ones:
        return out
    quiet = [m for m in open_ones if m.silenced]
    silenced = quiet[0].silenced if quiet else None
    if silenced:
        some = f" ({len(quiet)} of {len(open_ones)} open hosts)" if len(quiet) < len(open_ones) else ""
        out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f":no_bell: {silenced}{some}"}]})
    out.append(
        {
            "type": "actions",
            "block_id": f"incident-group:{group_id}",
            "elements": _buttons(group_id, shown, silenced, fix),
        }
    )
    return out


def moved_blocks(anomaly: Anomaly, title: str) -> list[dict[str, Any]]:
    """What an incident's own message becomes once the incident is listed in a fleet-wide message."""
    text = escape(f"{incident_title(anomaly)} is now part of the fleet-wide message “{title}”")
    return [
        {"type": "header", "text": {"type": "plain_text", "text": f"Grouped: {incident_title(anomaly)}"[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{text}; it is followed there."}},
    ]
