"""A Reject or Cancel click that races another write of the same request (where it is shown) still decides it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.memory.approvals import InMemoryApprovalStore
from remediation.approval import ApprovalRequest, ApprovalState
from remediation.service import RemediationService
from tests.factories import T0, remediation_service, scale_up_call, simulated_cloud
from tests.fakes.audit import RecordingAudit


class ShownMeanwhileStore(InMemoryApprovalStore):
    """The in-memory store, where another writer records the message just before the first decision is stored."""

    def __init__(self) -> None:
        super().__init__()
        self.interleave = True

    def compare_and_set(self, expected_version: int, request: ApprovalRequest) -> bool:
        current = self.get(request.id)
        if self.interleave and current is not None and request.state is not ApprovalState.PENDING:
            self.interleave = False
            assert super().compare_and_set(current.version, current.shown("C_OPS", "1700000000.000100", T0))
        return super().compare_and_set(expected_version, request)

    def stored(self, request_id: str) -> ApprovalRequest:
        found = self.get(request_id)
        assert found is not None
        return found


def _service(store: ShownMeanwhileStore) -> tuple[RemediationService, RecordingAudit, str]:
    audit = RecordingAudit()
    service = remediation_service(store=store, cloud=simulated_cloud(max_size=5), audit=audit)
    return service, audit, service.request(scale_up_call(), "U_REQ").id


@pytest.mark.parametrize(
    ("decide", "event", "state"),
    [
        (lambda s, rid: s.reject(rid, "U_LEAD"), "rejected", ApprovalState.REJECTED),
        (lambda s, rid: s.cancel(rid, "U_REQ"), "cancelled", ApprovalState.CANCELLED),
        (lambda s, rid: s.approve(rid, "U_LEAD"), "approved", ApprovalState.SUCCEEDED),
    ],
)
def test_a_decision_is_applied_to_the_request_as_now_stored(
    decide: Callable[[RemediationService, str], ApprovalRequest], event: str, state: ApprovalState
) -> None:
    store = ShownMeanwhileStore()
    service, audit, request_id = _service(store)

    done = decide(service, request_id)

    assert state == done.state == store.stored(request_id).state
    assert 1 == len(store.stored(request_id).shown_in)
    assert 1 == sum(e.event == event for e in audit.events)
