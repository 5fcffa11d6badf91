"""The remediation actions the product can run, their parameters and the pure checks on them."""

from __future__ import annotations

import hashlib
import json
import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.errors import ActionNotAllowed, InputError
from domain.ports import GroupState


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
            return f"restart {p['service']} on {p['instance_id']}"
        if self.action is ActionName.SCALE_UP:
            return f"scale {p['group']} up by {p['by']}"
        return f"scale {p['group']} to {p['desired']}"


def restart_service(*, instance_id: str, service: str, limits: ActionLimits) -> ActionCall:
    """Build a validated ``restart_service`` call.

    Raises:
        InputError: the instance id or service name is malformed.
        ActionNotAllowed: the service is not on the allowlist.
    """
    if not _INSTANCE_RE.fullmatch(instance_id):
        raise InputError(f"'{instance_id[:40]}' is not an EC2 instance id (i-0123456789abcdef0)")
    if not _SERVICE_RE.fullmatch(service):
        raise InputError(f"'{service[:40]}' is not a valid service name")
    if service not in limits.allowed_services:
        allowed = ", ".join(sorted(limits.allowed_services)) or "none"
        raise ActionNotAllowed("restart_service", f"service '{service}' is not on the allowlist ({allowed})")
    return ActionCall(action=ActionName.RESTART_SERVICE, params={"instance_id": instance_id, "service": service})


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
        ActionNotAllowed: above the group's MaxSize, below MinSize, or a step larger than allowed.
    """
    current = state.desired_capacity
    if call.action is ActionName.SCALE_UP:
        new = current + int(call.params["by"])
    elif call.action is ActionName.SCALE_TO:
        new = int(call.params["desired"])
    else:
        raise ActionNotAllowed(call.action.value, "not a scaling action")
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
