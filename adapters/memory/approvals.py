"""InMemoryApprovalStore: approval requests in a dict, for the demo and unit tests (same contract as Redis)."""

from __future__ import annotations

import threading

from remediation.approval import ApprovalRequest, ApprovalState


class InMemoryApprovalStore:
    """Approval requests in a dict, with a lock-guarded compare-and-set."""

    def __init__(self) -> None:
        self._items: dict[str, ApprovalRequest] = {}
        self._lock = threading.Lock()

    def add(self, request: ApprovalRequest) -> None:
        """Store a new request."""
        with self._lock:
            if request.id in self._items:
                raise ValueError(f"request {request.id} already exists")
            self._items[request.id] = request

    def get(self, request_id: str) -> ApprovalRequest | None:
        """The request with this id."""
        return self._items.get(request_id)

    def compare_and_set(self, expected_version: int, request: ApprovalRequest) -> bool:
        """Replace the request if the stored version is ``expected_version``."""
        with self._lock:
            current = self._items.get(request.id)
            if current is None or current.version != expected_version:
                return False
            self._items[request.id] = request
            return True

    def pending(self) -> list[ApprovalRequest]:
        """Pending requests, oldest first."""
        with self._lock:
            items = [r for r in self._items.values() if r.state is ApprovalState.PENDING]
        return sorted(items, key=lambda r: r.requested_at)
