"""Automatic remediation under policy, with brakes. Pure: history and time come in as arguments.

A rule's action runs in one of three modes: ``approve`` (a person approves, the default),
``auto`` (the policy approves it) or ``notify`` (say what would be done, do nothing). ``auto``
is only ever granted to low-risk actions of one host or one instance step, and only while no
brake has tripped: the kill switch, a cool-down after a failed action, a rate limit per action
and target, or the fleet-wide hourly budget. A tripped brake turns ``auto`` into ``approve``
and says which brake tripped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from remediation.actions import ActionCall, ActionName, restart_targets


class RemediationMode(StrEnum):
    """How a rule's action is carried out."""

    APPROVE = "approve"
    AUTO = "auto"
    NOTIFY = "notify"


class RateLimit(BaseModel):
    """At most ``count`` automatic actions per target within ``window_seconds``."""

    model_config = ConfigDict(frozen=True)

    count: int
    window_seconds: int


class AutoPolicy(BaseModel):
    """What automatic remediation may do, and its brakes."""

    model_config = ConfigDict(frozen=True)

    enabled: bool = True
    low_risk_actions: frozenset[str] = frozenset({ActionName.RESTART_SERVICE.value, ActionName.SCALE_UP.value})
    per_target: Mapping[str, RateLimit] = {
        ActionName.RESTART_SERVICE.value: RateLimit(count=1, window_seconds=1800),
        ActionName.SCALE_UP.value: RateLimit(count=2, window_seconds=3600),
    }
    fleet_budget_per_hour: int = 5
    cooldown_after_failure_seconds: int = 900


@dataclass(frozen=True)
class AutoAction:
    """One automatic action in the recent past: what, on which target, when, and whether it worked."""

    action: str
    target: str
    at: datetime
    succeeded: bool | None = None


@dataclass(frozen=True)
class AutoDecision:
    """The mode an action gets, and the brake that tripped when ``auto`` fell back to ``approve``."""

    mode: RemediationMode
    brake: str | None = None


def auto_target(call: ActionCall) -> str:
    """What a rate limit counts per: the service on its host, or the Auto Scaling group."""
    if call.action is ActionName.RESTART_SERVICE:
        return f"{call.params['service']}@{','.join(restart_targets(call))}"
    return str(call.params["group"])


def _minutes(seconds: int) -> str:
    return f"{seconds // 3600}h" if seconds % 3600 == 0 else f"{seconds // 60}m"


def _size_refusal(call: ActionCall) -> str | None:
    if call.action is ActionName.RESTART_SERVICE and len(restart_targets(call)) > 1:
        return "automatic restarts act on one host at a time"
    if call.action is ActionName.SCALE_UP and int(call.params["by"]) > 1:
        return "automatic scaling adds one instance at a time"
    if call.action is ActionName.SCALE_TO:
        return "scale_to is never automatic"
    return None


def decide(
    call: ActionCall,
    mode: RemediationMode,
    *,
    now: datetime,
    history: Sequence[AutoAction],
    policy: AutoPolicy,
    kill_switch: bool,
) -> AutoDecision:
    """The mode ``call`` runs in, given the rule's ``mode``, recent automatic actions and the brakes.

    Args:
        call: the validated action a rule asks for.
        mode: the mode configured for the rule.
        now: the current time.
        history: automatic actions of the last hours (any order).
        policy: low-risk actions and brake settings.
        kill_switch: True when an approver switched automatic remediation off.
    """
    if mode is not RemediationMode.AUTO:
        return AutoDecision(mode)
    fallback = RemediationMode.APPROVE
    if kill_switch or not policy.enabled:
        return AutoDecision(fallback, "automatic remediation is switched off (kill switch)")
    if call.action.value not in policy.low_risk_actions:
        return AutoDecision(fallback, f"{call.action.value} is not marked low-risk, so it is never automatic")
    if (refusal := _size_refusal(call)) is not None:
        return AutoDecision(fallback, refusal)
    cooldown = timedelta(seconds=policy.cooldown_after_failure_seconds)
    failures = [a for a in history if a.succeeded is False and now - a.at < cooldown]
    if failures:
        last = max(failures, key=lambda a: a.at)
        until = (last.at + cooldown).strftime("%H:%M UTC")
        return AutoDecision(fallback, f"cool-down after the failed {last.action} on {last.target}, until {until}")
    target = auto_target(call)
    limit = policy.per_target.get(call.action.value)
    if limit is not None:
        window = timedelta(seconds=limit.window_seconds)
        same = [a for a in history if a.action == call.action.value and a.target == target and now - a.at < window]
        if len(same) >= limit.count:
            return AutoDecision(
                fallback,
                f"rate limit: at most {limit.count} automatic {call.action.value} of {target} "
                f"per {_minutes(limit.window_seconds)}",
            )
    last_hour = [a for a in history if now - a.at < timedelta(hours=1)]
    if len(last_hour) >= policy.fleet_budget_per_hour:
        return AutoDecision(
            fallback, f"the fleet-wide budget of {policy.fleet_budget_per_hour} automatic actions per hour is used up"
        )
    return AutoDecision(RemediationMode.AUTO)


def inverse(call: ActionCall, *, before: int | None) -> ActionCall | None:
    """The action that undoes ``call``, where one exists: scaling back to the capacity it had."""
    if call.action is ActionName.SCALE_UP and before is not None:
        return ActionCall(action=ActionName.SCALE_TO, params={"group": str(call.params["group"]), "desired": before})
    return None


def _record_key(action: AutoAction) -> str:
    return f"{action.action}|{action.target}|{action.at.isoformat()}"


def latest_per_action(actions: list[AutoAction]) -> list[AutoAction]:
    """One entry per action (the latest record wins), oldest first."""
    by_key: dict[str, AutoAction] = {}
    for a in actions:
        by_key[_record_key(a)] = a
    return sorted(by_key.values(), key=lambda a: a.at)
