"""The edges remediation talks to, as Protocols: approvals, automatic-remediation state, AWS, the audit log.

Adapters in ``adapters/`` implement these over Redis, files and AWS; in-memory twins serve the
demo and the unit tests. Each pair passes the same contract tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from remediation.approval import ApprovalRequest
from remediation.brakes import AutoAction
from remediation.cloud_state import GroupState, InstanceState


class ApprovalStore(Protocol):
    """Approval requests, with an atomic compare-and-set for state changes."""

    def add(self, request: ApprovalRequest) -> None:
        """Store a new request."""
        ...

    def get(self, request_id: str) -> ApprovalRequest | None:
        """The request with this id, if any."""
        ...

    def compare_and_set(self, expected_version: int, request: ApprovalRequest) -> bool:
        """Replace the stored request only if its version is still ``expected_version``."""
        ...

    def pending(self) -> list[ApprovalRequest]:
        """Requests still waiting for approval, oldest first."""
        ...


class CloudActions(Protocol):
    """The AWS calls remediation makes."""

    def describe_group(self, name: str) -> GroupState:
        """Live state of an Auto Scaling group."""
        ...

    def set_desired_capacity(self, name: str, desired: int) -> None:
        """Set a group's desired capacity."""
        ...

    def send_restart(self, instance_id: str, service: str) -> str:
        """Restart a systemd service on an instance; returns the command id."""
        ...

    def command_status(self, command_id: str, instance_id: str) -> str:
        """Status of a command sent to an instance (Pending, InProgress, Success, Failed, ...)."""
        ...

    def describe_instances(self, instance_ids: Sequence[str]) -> list[InstanceState]:
        """Live state of EC2 instances (``lifecycle_state`` is running, stopped, ...); unknown ids are left out."""
        ...


@runtime_checkable
class GroupMembership(Protocol):
    """Which Auto Scaling group an instance belongs to (a cloud with groups implements it beside ``CloudActions``)."""

    def auto_scaling_group_of(self, instance_id: str) -> str | None:
        """The name of the group ``instance_id`` is a member of; None when it is in none (or unknown)."""
        ...


class AuditEvent(BaseModel):
    """One line of the audit log."""

    model_config = ConfigDict(frozen=True)

    timestamp: datetime
    event: str
    request_id: str
    action: str
    params: dict[str, Any]
    requester: str
    actor: str
    approvers: tuple[str, ...] = ()
    dry_run: str = ""
    result: str | None = None
    error: str | None = None
    target: str = ""
    state: str = ""


class AuditSink(Protocol):
    """Durable record of every remediation step. A failed write raises ``AuditWriteFailed``."""

    def record(self, event: AuditEvent) -> None:
        """Append one event durably."""
        ...


class AutoRemediationState(Protocol):
    """What automatic remediation shares between replicas: the kill switch and recent automatic actions."""

    def kill_switch(self) -> bool:
        """True while automatic remediation is switched off."""
        ...

    def set_kill_switch(self, on: bool, *, by: str) -> None:
        """Switch automatic remediation off (``on=True``) or back on."""
        ...

    def record(self, action: AutoAction) -> None:
        """Remember one automatic action (or its outcome, recorded again with ``succeeded`` set)."""
        ...

    def history(self, since: datetime) -> list[AutoAction]:
        """Automatic actions since ``since``, the latest record of each."""
        ...
