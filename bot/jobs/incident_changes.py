"""What changed in an incident since its message last showed it, pure: the notes for its thread, the new state.

The notifier applies a ``MessageChange`` to an incident's own message, or gathers those of a
group's members (``GroupChanges``) and says them once in the group's message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.jobs.incident_messages import PostedIncident
from bot.slack.incident_blocks import incident_text
from bot.slack.mrkdwn import mention
from domain.models import Anomaly, AnomalyStatus, Severity, format_value


def thread_notes(anomaly: Anomaly, posted: PostedIncident) -> list[str]:
    """What is said in the incident's thread since the message last changed: an escalation, the resolution. Pure."""
    notes = []
    if anomaly.severity.rank > posted.severity.rank:
        notes.append(f"Escalated from {posted.severity.value} to {anomaly.severity.value}: {incident_text(anomaly)}")
    if anomaly.status is AnomalyStatus.RESOLVED and posted.status is not AnomalyStatus.RESOLVED:
        peak = format_value(anomaly.metric, max(posted.peak, anomaly.value))
        notes.append(f"Resolved: {incident_text(anomaly)} (peak {peak})")
    return notes


@dataclass(frozen=True)
class MessageChange:
    """One incident's change: its new posted state, what its thread hears, and whether to re-announce it."""

    posted: PostedIncident
    notes: tuple[str, ...]
    due: bool
    #: The message must be re-rendered (state, peak or silence changed, or there is something to say).
    redraw: bool


def message_change(
    anomaly: Anomaly, posted: PostedIncident, now: datetime, *, renotify_after: timedelta, renotify_max: int
) -> MessageChange:
    """How ``posted`` moves to show ``anomaly`` at ``now``. Pure.

    An unacknowledged critical incident is due to be announced again ``renotify_after`` after it
    last was, at most ``renotify_max`` times, unless silenced; a silenced incident's thread hears
    nothing. Once a timed silence has run out, the message loses its silence line and the thread
    hears "Silence by @ann ended".
    """
    ended = posted.silence_ended(now)
    if ended:  # the silence line goes, and the thread hears again
        posted = posted.model_copy(update={"silenced_by": None, "silenced_until": None})
    silenced = posted.is_silenced(now)
    due = (
        anomaly.status is AnomalyStatus.OPEN
        and anomaly.severity is Severity.CRITICAL
        and posted.renotified < renotify_max
        and now - posted.announced_at >= renotify_after
        and not silenced
    )
    update: dict[str, object] = {
        "severity": anomaly.severity,
        "status": anomaly.status,
        "peak": max(posted.peak, anomaly.value),
    }
    if due:
        update |= {"announced_at": now, "renotified": posted.renotified + 1}
    new = posted.model_copy(update=update)
    notes = () if silenced else tuple(thread_notes(anomaly, posted))
    if ended:
        notes = (f"Silence by {mention(ended)} ended", *notes)
    redraw = bool(notes) or anomaly.status is not posted.status or new.peak != posted.peak
    return MessageChange(posted=new, notes=notes, due=due, redraw=redraw)


@dataclass
class GroupChange:
    """What the members of one group changed in a pass, said once in the group's message and thread."""

    notes: list[str] = field(default_factory=list)
    redraw: bool = False
    due: bool = False
    newer: dict[str, Anomaly] = field(default_factory=dict)
    posted: dict[str, PostedIncident] = field(default_factory=dict)

    def add(self, anomaly: Anomaly, change: MessageChange) -> None:
        """Gather one member's change; its resolution shows in the group's count, not in the thread."""
        notes = [n for n in change.notes if not n.startswith("Resolved:")]
        self.redraw |= change.redraw
        self.due |= change.due
        self.notes += [n for n in notes if n not in self.notes]
        self.newer[anomaly.id] = anomaly
        self.posted[anomaly.id] = change.posted
