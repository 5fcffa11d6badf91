"""Which fix to suggest for an incident, and which next step after a fix that did not help. Pure.

Suggest fix on an incident message and the "next step" button of a failed check both ask
``choose_fix``, so the two never disagree; whether a message offers Suggest fix at all is
``first_fix``, the first step of the same choice:

1. a rule that maps the signal to an action (``then <action>``) wins;
2. CPU or memory on a member of an Auto Scaling group: scale the group up by one;
3. after a scale-up (or scale_to) that did not help: restart the service on the incident's host;
   after a restart that did not help: scale its group up by one.

An action already tried is not suggested again, and a group at its MaxSize gets a reason, not a call.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import OpsError
from domain.models import HostRef, MetricKind
from remediation.actions import ActionCall, ActionLimits, ActionName, restart_service, scale_up
from remediation.cloud_state import GroupState

#: Signals a scale-up of the host's group is suggested for, without a rule.
SCALABLE_SIGNALS = frozenset({MetricKind.CPU, MetricKind.MEMORY})
_SCALING = frozenset({ActionName.SCALE_UP, ActionName.SCALE_TO})


@dataclass(frozen=True)
class Suggestion:
    """The call to request, or (``call`` None) why there is none."""

    call: ActionCall | None
    reason: str = ""


def _scale_group(group: GroupState, call: ActionCall) -> Suggestion:
    if group.desired_capacity + 1 > group.max_size:
        return Suggestion(None, f"{group.name} is already at its MaxSize of {group.max_size}")
    return Suggestion(call, f"{group.name} has room to grow")


def _restart_host(host: HostRef | None, service: str | None, limits: ActionLimits) -> Suggestion:
    if host is None:
        return Suggestion(None, "the fix was not for one host, so there is no host to restart")
    if not host.instance_id:
        return Suggestion(None, f"{host.name} has no instance_id label, so it cannot be restarted through SSM")
    if service is None:
        return Suggestion(None, "more than one service may be restarted; ask in the thread which one")
    try:
        return Suggestion(restart_service(instance_id=host.instance_id, service=service, limits=limits))
    except OpsError as exc:
        return Suggestion(None, str(exc))


def _kind(call: ActionCall) -> str:
    return "scale" if call.action in _SCALING else call.action.value


def first_fix(
    *, metric: MetricKind, rule_call: ActionCall | None, group: str | None, limits: ActionLimits
) -> ActionCall | None:
    """The fix Suggest fix requests first, before the group's capacity is read; None: there is none.

    Args:
        metric: the incident's signal.
        rule_call: the call a rule with ``then <action>`` on this signal asks for on the incident's host.
        group: the name of the Auto Scaling group the host's instance belongs to.
        limits: what configuration allows.

    Raises:
        InputError, ActionNotAllowed: a scale-up of ``group`` by one is not allowed.
    """
    if rule_call is not None:
        return rule_call
    if group is not None and metric in SCALABLE_SIGNALS:
        return scale_up(group=group, by=1, limits=limits)
    return None


def choose_fix(
    *,
    metric: MetricKind,
    host: HostRef | None,
    limits: ActionLimits,
    rule_call: ActionCall | None = None,
    group: GroupState | None = None,
    tried: ActionCall | None = None,
) -> Suggestion:
    """The fix to request for an incident's signal on ``host``, or why there is none.

    Args:
        metric: the incident's signal.
        host: the incident's host (None when the fix was not for one host).
        limits: what configuration allows.
        rule_call: the call a rule with ``then <action>`` on this signal asks for on this host.
        group: the Auto Scaling group ``host``'s instance belongs to, as AWS reports it now.
        tried: the fix that already ran and did not help (None: the first suggestion).
    """
    if tried is None:
        call = first_fix(metric=metric, rule_call=rule_call, group=group.name if group else None, limits=limits)
        if call is None or group is None or call is rule_call:
            return Suggestion(call, "a rule maps the signal to it" if call is not None else "")
        return _scale_group(group, call)
    if rule_call is not None and _kind(rule_call) != _kind(tried):
        return Suggestion(rule_call, "a rule maps the signal to it")
    if tried.action in _SCALING:
        service = str(rule_call.params["service"]) if rule_call and "service" in rule_call.params else None
        if service is None and len(limits.allowed_services) == 1:
            [service] = limits.allowed_services
        return _restart_host(host, service, limits)
    if group is None:
        return Suggestion(None, "the host is in no Auto Scaling group to scale")
    return _scale_group(group, scale_up(group=group.name, by=1, limits=limits))
