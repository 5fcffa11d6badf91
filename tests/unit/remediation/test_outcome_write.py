"""The outcome of a run is audited first, then stored; a lost or failing final write is never hidden."""

from __future__ import annotations

import pytest

from adapters.simulated.cloud import SimulatedCloudActions
from domain.errors import AuditWriteFailed, OutcomeNotStored, StoreUnavailable
from remediation.approval import ApprovalRequest, ApprovalState
from remediation.service import RemediationService
from tests.factories import T0, remediation_service, scale_up_call, simulated_cloud
from tests.fakes.audit import FailingAudit, RecordingAudit

FINAL = (ApprovalState.SUCCEEDED, ApprovalState.FAILED)


class FlakyFinalWriteStore:
    """An approval store whose writes of a final state fail as configured.

    ``raise_final`` writes of a final state raise ``StoreUnavailable`` (after storing it when
    ``stored_anyway``, as a Redis reply lost on the way back does); ``lose_final`` makes the
    write lose its compare-and-set to another writer that fails the request first.
    """

    def __init__(self, *, raise_final: int = 0, stored_anyway: bool = False, lose_final: bool = False) -> None:
        self.items: dict[str, ApprovalRequest] = {}
        self.raise_final = raise_final
        self.stored_anyway = stored_anyway
        self.lose_final = lose_final

    def add(self, request: ApprovalRequest) -> None:
        self.items[request.id] = request

    def get(self, request_id: str) -> ApprovalRequest | None:
        return self.items.get(request_id)

    def pending(self) -> list[ApprovalRequest]:
        return [r for r in self.items.values() if r.state is ApprovalState.PENDING]

    def compare_and_set(self, expected_version: int, request: ApprovalRequest) -> bool:
        current = self.items[request.id]
        if request.state in FINAL and self.lose_final:
            self.lose_final = False
            self.items[request.id] = current.fail("closed by another replica", T0)
            return False
        if request.state in FINAL and self.raise_final > 0:
            self.raise_final -= 1
            if self.stored_anyway and current.version == expected_version:
                self.items[request.id] = request
            raise StoreUnavailable("Redis unavailable (TimeoutError)")
        if current.version != expected_version:
            return False
        self.items[request.id] = request
        return True


def run_scale_up(
    store: FlakyFinalWriteStore, audit: RecordingAudit | None = None
) -> tuple[RemediationService, RecordingAudit, SimulatedCloudActions, list[float], str]:
    audit = audit or RecordingAudit()
    cloud = simulated_cloud(max_size=5)
    pauses: list[float] = []
    service = remediation_service(store=store, cloud=cloud, audit=audit, sleep=pauses.append)
    request = service.request(scale_up_call(), "U_REQ")
    return service, audit, cloud, pauses, request.id


def events(audit: RecordingAudit) -> list[str]:
    return [e.event for e in audit.events]


def test_a_lost_final_write_reports_the_stored_state_and_audits_the_clash() -> None:
    store = FlakyFinalWriteStore(lose_final=True)
    service, audit, cloud, _, request_id = run_scale_up(store)

    done = service.approve(request_id, "U_LEAD")

    assert ApprovalState.FAILED == done.state == store.items[request_id].state
    assert 3 == cloud.describe_group("web-asg").desired_capacity
    assert ["requested", "approved", "executing", "succeeded", "outcome_not_stored"] == events(audit)
    assert "became failed" in (audit.events[-1].error or "")


def test_a_failing_final_write_is_retried_with_backoff_until_stored() -> None:
    store = FlakyFinalWriteStore(raise_final=2)
    service, audit, _, pauses, request_id = run_scale_up(store)

    done = service.approve(request_id, "U_LEAD")

    assert ApprovalState.SUCCEEDED == done.state == store.items[request_id].state
    assert [0.1, 0.2] == pauses
    assert ["requested", "approved", "executing", "succeeded"] == events(audit)


def test_a_write_that_failed_after_storing_is_not_reported_as_a_clash() -> None:
    store = FlakyFinalWriteStore(raise_final=1, stored_anyway=True)
    service, audit, _, _, request_id = run_scale_up(store)

    done = service.approve(request_id, "U_LEAD")

    assert ApprovalState.SUCCEEDED == done.state == store.items[request_id].state
    assert ["requested", "approved", "executing", "succeeded"] == events(audit)


def test_when_the_store_keeps_failing_the_outcome_is_still_audited_and_the_error_says_so() -> None:
    store = FlakyFinalWriteStore(raise_final=99)
    service, audit, cloud, pauses, request_id = run_scale_up(store)

    with pytest.raises(OutcomeNotStored) as caught:
        service.approve(request_id, "U_LEAD")

    assert (request_id, "succeeded") == (caught.value.request_id, caught.value.outcome)
    assert 3 == cloud.describe_group("web-asg").desired_capacity
    assert ["requested", "approved", "executing", "succeeded", "outcome_not_stored"] == events(audit)
    assert "web-asg desired capacity 2 → 3" == audit.events[3].result
    assert 3 == len(pauses)
    assert ApprovalState.EXECUTING == store.items[request_id].state


def test_an_outcome_whose_audit_line_fails_is_still_stored() -> None:
    store = FlakyFinalWriteStore()
    service, _, _, _, request_id = run_scale_up(store, FailingAudit("succeeded"))

    with pytest.raises(AuditWriteFailed):
        service.approve(request_id, "U_LEAD")

    assert ApprovalState.SUCCEEDED == store.items[request_id].state
