"""The in-memory stores pass the store contracts."""

from __future__ import annotations

import pytest

from adapters.memory.anomalies import InMemoryAnomalyStore
from adapters.memory.approvals import InMemoryApprovalStore
from tests.store_contracts import AnomalyStoreContract, ApprovalStoreContract


class TestInMemoryAnomalyStore(AnomalyStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryAnomalyStore:
        return InMemoryAnomalyStore()


class TestInMemoryApprovalStore(ApprovalStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryApprovalStore:
        return InMemoryApprovalStore()
