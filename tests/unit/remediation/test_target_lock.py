"""Approved actions on the same Auto Scaling group run one after the other: no lost capacity."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from adapters.clock import ManualClock
from adapters.memory.leases import InMemoryJobLeases
from adapters.simulated.cloud import SimulatedCloudActions
from remediation import actions
from remediation.actions import ActionLimits
from remediation.approval import ApprovalState
from remediation.cloud_state import GroupState
from remediation.service import RemediationService
from tests.factories import remediation_service

T0 = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
LIMITS = ActionLimits(max_scale_step=2)


class SlowCloud(SimulatedCloudActions):
    """Reads then writes with a pause in between, as a real API round trip does."""

    def describe_group(self, name: str) -> GroupState:
        state = super().describe_group(name)
        time.sleep(0.02)
        return state


def service(locks: InMemoryJobLeases | None) -> tuple[RemediationService, SlowCloud]:
    cloud = SlowCloud({"web-asg": GroupState(name="web-asg", desired_capacity=2, min_size=1, max_size=20)})
    svc = remediation_service(cloud=cloud, limits=LIMITS, clock=ManualClock(T0), sleep=time.sleep, locks=locks)
    return svc, cloud


def approve_all_at_once(svc: RemediationService, n: int) -> list[ApprovalState]:
    requests = [svc.request(actions.scale_up(group="web-asg", by=1, limits=LIMITS), "U_REQ") for _ in range(n)]
    barrier = threading.Barrier(n)
    states: list[ApprovalState] = []

    def click(request_id: str) -> None:
        barrier.wait()
        states.append(svc.approve(request_id, "U_LEAD").state)

    threads = [threading.Thread(target=click, args=(r.id,)) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return states


def test_concurrent_scale_ups_of_one_group_all_count() -> None:
    svc, cloud = service(InMemoryJobLeases(ManualClock(T0)))
    states = approve_all_at_once(svc, 5)
    assert [ApprovalState.SUCCEEDED] * 5 == states
    assert 7 == cloud.describe_group("web-asg").desired_capacity
