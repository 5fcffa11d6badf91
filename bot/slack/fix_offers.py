"""Whether an incident message offers Suggest fix: the first step of the same choice the click makes.

A message has the button when ``remediation.suggestion.first_fix`` finds a fix for its incident:
a rule mapping the signal to an action, or CPU or memory on a member of an Auto Scaling group.
Group membership is asked of AWS once per instance and kept for ``keep_for``, so a detection
cycle announcing many incidents does not call AWS per message; with AWS absent or failing there
is no scale-up to offer (logged), and the message is posted all the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from bot.services import Services
from bot.slack.fix_requests import rule_call_for
from domain.errors import OpsError
from domain.models import Anomaly
from remediation.actions import ActionCall
from remediation.ports import GroupMembership
from remediation.suggestion import SCALABLE_SIGNALS, first_fix

log = structlog.get_logger(__name__)


@dataclass
class MembershipCache:
    """The Auto Scaling group of each instance, as AWS last said, kept for a while.

    Args:
        membership: where membership is read (None: no AWS, so no instance is in a group).
        keep_for: how long an answer is kept.
        retry_after: how long a failed read is kept as "no group" before AWS is asked again.
    """

    membership: GroupMembership | None
    keep_for: timedelta = timedelta(minutes=10)
    retry_after: timedelta = timedelta(minutes=1)
    _known: dict[str, tuple[datetime, str | None]] = field(default_factory=dict, init=False, repr=False)

    def group_of(self, instance_id: str, now: datetime) -> str | None:
        """The name of ``instance_id``'s group; None when it is in none, or AWS is absent or failing."""
        kept = self._known.get(instance_id)
        if kept is not None and now < kept[0]:
            return kept[1]
        if self.membership is None:
            return None
        try:
            group = self.membership.auto_scaling_group_of(instance_id)
        except OpsError as exc:
            log.warning("group_membership_unknown", instance_id=instance_id, error=str(exc))
            self._known[instance_id] = (now + self.retry_after, None)
            return None
        self._known[instance_id] = (now + self.keep_for, group)
        return group


@dataclass
class FixOffers:
    """The fix an incident message's Suggest fix would request first (None: the message has no button).

    Args:
        services: the rules with actions, the limits, and whether remediation is on.
        membership: the hosts' Auto Scaling groups.
    """

    services: Services
    membership: MembershipCache

    def __call__(self, anomaly: Anomaly, now: datetime) -> ActionCall | None:
        """The fix for ``anomaly`` as a click at ``now`` would first choose it."""
        if self.services.remediation is None:
            return None
        host = anomaly.host
        try:
            rule_call = rule_call_for(self.services, anomaly.metric, host)
            asks_aws = rule_call is None and anomaly.metric in SCALABLE_SIGNALS
            group = self.membership.group_of(host.instance_id, now) if asks_aws and host.instance_id else None
            return first_fix(metric=anomaly.metric, rule_call=rule_call, group=group, limits=self.services.tools.limits)
        except OpsError:  # the rule's action cannot be built for this host: the click would refuse it
            return None


def common_fix(fixes: Sequence[ActionCall | None]) -> ActionCall | None:
    """The one fix shared by every incident of a group (their ``FixOffers``), or None when they differ or one has none.

    A fleet-wide message offers Suggest fix only then, since a click requests one fix for the
    group; fixes that differ per host (a restart on each) are asked for in its thread.
    """
    first = fixes[0] if fixes else None
    return first if first is not None and all(f == first for f in fixes) else None


def fix_offers(services: Services) -> FixOffers:
    """The offers of the running services, reading membership from their cloud when it has groups."""
    cloud = services.remediation.cloud if services.remediation is not None else None
    return FixOffers(services, MembershipCache(cloud if isinstance(cloud, GroupMembership) else None))
