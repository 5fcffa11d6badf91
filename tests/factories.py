"""Builders for the objects many tests need: plain functions whose keywords override sensible defaults."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.clock import ManualClock
from adapters.memory.approvals import InMemoryApprovalStore
from adapters.simulated.cloud import SimulatedCloudActions
from remediation.actions import ActionCall, ActionLimits, ActionName
from remediation.approval import ApprovalRequest
from remediation.cloud_state import GroupState, InstanceState
from remediation.policy import ApprovalPolicy
from remediation.ports import ApprovalStore, AuditSink
from remediation.service import RemediationService
from tests.fakes.audit import RecordingAudit

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def scale_up_call(*, group: str = "web-asg", by: int = 1) -> ActionCall:
    """A ``scale_up`` action call (without the limits check ``actions.scale_up`` makes)."""
    return ActionCall(action=ActionName.SCALE_UP, params={"group": group, "by": by})


def approval_request(
    *,
    request_id: str = "r1",
    call: ActionCall | None = None,
    requested_by: str = "U_REQ",
    at: datetime = T0,
    expires_in: timedelta = timedelta(minutes=15),
    **fields: Any,
) -> ApprovalRequest:
    """A request for ``call`` (scale web-asg up by 1) made at ``at``; ``fields`` set any other field."""
    call = call or scale_up_call()
    return ApprovalRequest(
        id=request_id,
        call=call,
        fingerprint=call.fingerprint(),
        requested_by=requested_by,
        requested_at=at,
        expires_at=at + expires_in,
        updated_at=at,
        **fields,
    )


def simulated_cloud(
    *, desired: int = 2, min_size: int = 1, max_size: int = 6, instances: Iterable[InstanceState] = ()
) -> SimulatedCloudActions:
    """A simulated cloud with one Auto Scaling group, ``web-asg``, and ``instances``."""
    group = GroupState(name="web-asg", desired_capacity=desired, min_size=min_size, max_size=max_size)
    return SimulatedCloudActions({"web-asg": group}, instances=list(instances))


def remediation_service(
    *,
    cloud: SimulatedCloudActions | None = None,
    audit: AuditSink | None = None,
    store: ApprovalStore | None = None,
    approvers: Mapping[str, Iterable[str]] | None = None,
    limits: ActionLimits | None = None,
    clock: ManualClock | None = None,
    **options: Any,
) -> RemediationService:
    """A RemediationService in memory: ``simulated_cloud()``, a ``RecordingAudit``, U_LEAD approving everything.

    ``options`` are RemediationService's other fields (``sleep``, ``locks``, ``expiry``...).
    """
    who = approvers if approvers is not None else {"*": ["U_LEAD"]}
    return RemediationService(
        store=store if store is not None else InMemoryApprovalStore(),
        cloud=cloud if cloud is not None else simulated_cloud(),
        audit=audit if audit is not None else RecordingAudit(),
        policy=ApprovalPolicy(approvers={action: frozenset(users) for action, users in who.items()}),
        limits=limits if limits is not None else ActionLimits(),
        clock=clock if clock is not None else ManualClock(T0),
        **options,
    )


def iso_utc(epoch: float) -> str:
    """``2026-01-05T12:00:00Z``: an epoch as the CLI's ``--start``/``--end`` and ``detect replay`` lines write it."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_of(text: str) -> float:
    """The epoch of an ISO time such as ``iso_utc`` writes."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
