"""What AWS reports about the targets of an action: Auto Scaling groups and their instances.

The values ``CloudActions`` (``remediation.ports``) returns and the pure checks in
``remediation.actions`` read; kept apart so those checks need no port.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class InstanceState(BaseModel):
    """One EC2 instance as a dry run shows it."""

    model_config = ConfigDict(frozen=True)

    instance_id: str
    lifecycle_state: str
    health_status: str


class GroupState(BaseModel):
    """An Auto Scaling group's capacity and members."""

    model_config = ConfigDict(frozen=True)

    name: str
    desired_capacity: int
    min_size: int
    max_size: int
    instances: tuple[InstanceState, ...] = ()
