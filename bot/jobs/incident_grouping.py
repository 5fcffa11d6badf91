"""Which new incidents are one fleet-wide event, pure: the notifier asks, then posts what the plan says.

Incidents of one signal going to one channel form a group when, in one notifier pass, they open
on at least ``min_hosts`` hosts, counting the hosts whose incident of that signal was announced
alone within the grouping window (those are moved into the group's message). While a group is
not resolved, new incidents of its signal in its channel join it instead of getting messages of
their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.models import Anomaly, MetricKind


@dataclass(frozen=True)
class Candidate:
    """An incident and the channel it is announced in."""

    anomaly: Anomaly
    channel: str


@dataclass(frozen=True)
class NewGroup:
    """A fleet-wide message to post: the incidents not announced yet, and those moved from their own messages."""

    channel: str
    metric: MetricKind
    fresh: tuple[Anomaly, ...]
    absorbed: tuple[Anomaly, ...] = ()


@dataclass(frozen=True)
class GroupPlan:
    """What one notifier pass does with its new incidents."""

    new_groups: tuple[NewGroup, ...] = ()
    #: (group id, incident) for each new incident joining a group already posted.
    joins: tuple[tuple[str, Anomaly], ...] = ()
    #: Incidents announced with a message of their own.
    singles: tuple[Anomaly, ...] = ()


def plan_groups(
    fresh: Sequence[Candidate],
    *,
    recent: Sequence[Candidate] = (),
    open_groups: Mapping[tuple[str, MetricKind], str],
    min_hosts: int,
) -> GroupPlan:
    """Group the incidents of this pass.

    Args:
        fresh: incidents not announced yet, in the order they are announced.
        recent: incidents announced alone within the grouping window and still unresolved.
        open_groups: the unresolved group id per (channel, signal).
        min_hosts: hosts one signal must open on to be grouped (0: never grouped).

    Returns:
        The groups to post, the incidents joining posted groups, and the rest, announced alone.
    """
    if min_hosts <= 0:
        return GroupPlan(singles=tuple(c.anomaly for c in fresh))
    keys = list(dict.fromkeys((c.channel, c.anomaly.metric) for c in fresh))
    new_groups: list[NewGroup] = []
    joins: list[tuple[str, Anomaly]] = []
    grouped: set[str] = set()
    for key in keys:
        members = [c.anomaly for c in fresh if (c.channel, c.anomaly.metric) == key]
        if key in open_groups:
            joins.extend((open_groups[key], a) for a in members)
            grouped.update(a.id for a in members)
            continue
        earlier = [c.anomaly for c in recent if (c.channel, c.anomaly.metric) == key]
        if len({a.host.name for a in [*members, *earlier]}) >= min_hosts:
            new_groups.append(NewGroup(channel=key[0], metric=key[1], fresh=tuple(members), absorbed=tuple(earlier)))
            grouped.update(a.id for a in members)
    singles = tuple(c.anomaly for c in fresh if c.anomaly.id not in grouped)
    return GroupPlan(new_groups=tuple(new_groups), joins=tuple(joins), singles=singles)
