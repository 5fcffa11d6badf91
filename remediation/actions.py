"""The remediation actions the product can run, their parameters and the pure checks on them."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.errors import ActionNotAllowed, InputError
from remediation.cloud_state import GroupState, InstanceState


class ActionName(StrEnum):
    """Names of the actions, as users and the model write them."""

    RESTART_SERVICE = "restart_service"
    SCALE_UP = "scale_up"
    SCALE_TO = "scale_to"


_SERVICE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
_INSTANCE_RE = re.compile(r"^i-[0-9a-f]{8,17}$")
_GROUP_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}$")


class ActionLimits(BaseModel):
    """What configuration allows actions to do."""

    model_config = ConfigDict(frozen=True)

    allowed_services: frozenset[str] = frozenset({"nginx"})
    max_scale_step: int = 2
    max_restart_hosts: int = 10


class ActionCall(BaseModel):
    """An action with its exact parameters. Its fingerprint binds an approval to it."""

    model_config = ConfigDict(frozen=True)

    action: ActionName
    params: dict[str, str | int]

    def fingerprint(self) -> str:
        """SHA-256 of the action and parameters in canonical JSON."""
        canonical = json.dumps(
            {"action": self.action.value, "params": self.params}, sort_keys=True, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode()).hexdigest()

    def describe(self) -> str:
        """One line a person reads: what will run."""
        p = self.params
        if self.action is ActionName.RESTART_SERVICE:
            return f"restart {p['service']} on {', '.join(restart_targets(self))}"
        if self.action is ActionName.SCALE_UP:
            return f"scale {p['group']} up by {p['by']}"
        return f"scale {p['group']} to {p['desired']}"


def restart_service(
    *,
    service: str,
    limits: ActionLimits,
    instance_id: str | None = None,
    instance_ids: Sequence[str] = (),
) -> ActionCall:
    """Build a validated ``restart_service`` call on one instance or several.

    Args:
        service: the systemd unit to restart; it must be on the allowlist.
        limits: what configuration allows.
        instance_id: one EC2 instance id.
        instance_ids: several EC2 instance ids (duplicates are dropped, order kept).

    Returns:
        The call; one instance is ``instance_id``, several are ``instance_ids`` joined by commas.

    Raises:
        InputError: an instance id or the service name is malformed, or no instance was given.
        ActionNotAllowed: the service is not on the allowlist, or too many instances.
    """
    targets = list(dict.fromkeys([*([instance_id] if instance_id else []), *instance_ids]))
    if not targets:
        raise InputError("restart_service needs at least one EC2 instance id")
    for target in targets:
        if not _INSTANCE_RE.fullmatch(target):
            raise InputError(f"'{target[:40]}' is not an EC2 instance id (i-0123456789abcdef0)")
    if len(targets) > limits.max_restart_hosts:
        raise ActionNotAllowed(
            "restart_service", f"{len(targets)} instances is above the configured maximum of {limits.max_restart_hosts}"
        )
    if not _SERVICE_RE.fullmatch(service):
        raise InputError(f"'{service[:40]}' is not a valid service name")
    if service not in limits.allowed_services:
        allowed = ", ".join(sorted(limits.allowed_services)) or "none"
        raise ActionNotAllowed("restart_service", f"service '{service}' is not on the allowlist ({allowed})")
    if len(targets) == 1:
        return ActionCall(action=ActionName.RESTART_SERVICE, params={"instance_id": targets[0], "service": service})
    return ActionCall(action=ActionName.RESTART_SERVICE, params={"instance_ids": ",".join(targets), "service": service})


def restart_targets(call: ActionCall) -> tuple[str, ...]:
    """The instance ids a ``restart_service`` call acts on."""
    if "instance_ids" in call.params:
        return tuple(str(call.params["instance_ids"]).split(","))
    return (str(call.params["instance_id"]),)


def check_restart_targets(call: ActionCall, found: Sequence[InstanceState]) -> str:
    """The restart dry-run line, refusing instances that do not exist or are not running.

    Args:
        call: a ``restart_service`` call.
        found: the live state of its instances, as EC2 reports them.

    Raises:
        ActionNotAllowed: an instance is unknown or not running.
    """
    by_id = {i.instance_id: i for i in found}
    targets = restart_targets(call)
    missing = [t for t in targets if t not in by_id]
    if missing:
        raise ActionNotAllowed("restart_service", f"instance(s) not found: {', '.join(missing)}")
    stopped = [f"{t} ({by_id[t].lifecycle_state})" for t in targets if by_id[t].lifecycle_state != "running"]
    if stopped:
        raise ActionNotAllowed("restart_service", f"instance(s) not running: {', '.join(stopped)}")
    states = ", ".join(f"{t} ({by_id[t].lifecycle_state}, {by_id[t].health_status})" for t in targets)
    return (
        f"will run `systemctl restart {call.params['service']}` through SSM (AWS-RunShellScript) "
        f"on {len(targets)} instance(s): {states}"
    )


def scale_up(*, group: str, by: int, limits: ActionLimits) -> ActionCall:
    """Build a validated ``scale_up`` call (add ``by`` instances)."""
    _check_group(group)
    if by < 1:
        raise InputError("scale_up needs a positive number of instances")
    if by > limits.max_scale_step:
        raise ActionNotAllowed("scale_up", f"a step of {by} is above the configured maximum of {limits.max_scale_step}")
    return ActionCall(action=ActionName.SCALE_UP, params={"group": group, "by": by})


def scale_to(*, group: str, desired: int) -> ActionCall:
    """Build a validated ``scale_to`` call (set desired capacity)."""
    _check_group(group)
    if desired < 0:
        raise InputError("desired capacity cannot be negative")
    return ActionCall(action=ActionName.SCALE_TO, params={"group": group, "desired": desired})


def _check_group(group: str) -> None:
    if not _GROUP_RE.fullmatch(group):
        raise InputError(f"'{group[:40]}' is not a valid Auto Scaling group name")


class ScalePlan(BaseModel):
    """What a scaling action will change, computed from live group state."""

    model_config = ConfigDict(frozen=True)

    group: str
    current: int
    new: int
    min_size: int
    max_size: int

    def summary(self, state: GroupState) -> str:
        """The dry-run line shown before approval."""
        members = ", ".join(f"{i.instance_id} ({i.lifecycle_state}, {i.health_status})" for i in state.instances)
        return (
            f"{self.group}: desired capacity {self.current} → {self.new} "
            f"(min {self.min_size}, max {self.max_size}); instances: {members or 'none'}"
        )


def plan_scale(call: ActionCall, state: GroupState, limits: ActionLimits) -> ScalePlan:
    """Decide the new desired capacity for a scaling call, refusing what is not allowed.

    Raises:
        ActionNotAllowed: no change (the group is at that size already), above the group's MaxSize,
            below MinSize, or a step larger than allowed.
    """
    current = state.desired_capacity
    if call.action is ActionName.SCALE_UP:
        new = current + int(call.params["by"])
    elif call.action is ActionName.SCALE_TO:
        new = int(call.params["desired"])
    else:
        raise ActionNotAllowed(call.action.value, "not a scaling action")
    if new == current:
        raise ActionNotAllowed(call.action.value, f"{state.name} is already at {current} instances: nothing to change")
    if new > state.max_size:
        raise ActionNotAllowed(
            call.action.value, f"{state.name} would reach {new}, above its MaxSize of {state.max_size}"
        )
    if new < state.min_size:
        raise ActionNotAllowed(
            call.action.value, f"{state.name} would drop to {new}, below its MinSize of {state.min_size}"
        )
    if abs(new - current) > limits.max_scale_step:
        raise ActionNotAllowed(
            call.action.value,
            f"changing {state.name} by {abs(new - current)} is above the configured step of {limits.max_scale_step}",
        )
    return ScalePlan(group=state.name, current=current, new=new, min_size=state.min_size, max_size=state.max_size)


def action_target(call: ActionCall) -> str:
    """The instances or Auto Scaling group an action is about (for the audit log and target locks)."""
    if call.action is ActionName.RESTART_SERVICE:
        return ",".join(restart_targets(call))
    return str(call.params.get("group", ""))
