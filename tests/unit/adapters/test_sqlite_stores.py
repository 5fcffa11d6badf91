"""The SQLite stores pass the same contracts as the in-memory twins and Redis."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.clock import ManualClock
from adapters.memory.auto_state import InMemoryAutoRemediationState
from adapters.memory.conversations import InMemoryConversationStore
from adapters.memory.rule_firings import InMemoryRuleFirings
from adapters.sqlite.anomalies import SqliteAnomalyStore
from adapters.sqlite.approvals import SqliteApprovalStore
from adapters.sqlite.auto_state import SqliteAutoRemediationState
from adapters.sqlite.conversations import SqliteConversationStore
from adapters.sqlite.database import StateDatabase
from adapters.sqlite.leases import SqliteJobLeases
from adapters.sqlite.rule_firings import SqliteRuleFirings
from tests.store_contracts import (
    AnomalyStoreContract,
    ApprovalStoreContract,
    AutoRemediationStateContract,
    ConversationStoreContract,
    RuleFiringsContract,
    approval,
)
from tests.unit.adapters.test_leases import T0, LeaseContract


@pytest.fixture
def db(tmp_path: Path) -> Iterator[StateDatabase]:
    database = StateDatabase.in_directory(tmp_path / "state")
    yield database
    database.close()


class TestSqliteAnomalyStore(AnomalyStoreContract):
    @pytest.fixture
    def store(self, db: StateDatabase) -> SqliteAnomalyStore:
        return SqliteAnomalyStore(db)


class TestSqliteApprovalStore(ApprovalStoreContract):
    @pytest.fixture
    def store(self, db: StateDatabase) -> SqliteApprovalStore:
        return SqliteApprovalStore(db)


class TestSqliteLeases(LeaseContract):
    @pytest.fixture
    def leases(self, db: StateDatabase) -> SqliteJobLeases:
        self._clock = ManualClock(T0)
        return SqliteJobLeases(db, self._clock)

    def wait_ms(self, ms: int) -> None:
        self._clock.advance(timedelta(milliseconds=ms))


class TestRuleFirings(RuleFiringsContract):
    @pytest.fixture(params=["memory", "sqlite"])
    def store(self, request: pytest.FixtureRequest, db: StateDatabase) -> Any:
        return InMemoryRuleFirings() if request.param == "memory" else SqliteRuleFirings(db)


class TestAutoRemediationState(AutoRemediationStateContract):
    @pytest.fixture(params=["memory", "sqlite"])
    def store(self, request: pytest.FixtureRequest, db: StateDatabase) -> Any:
        return InMemoryAutoRemediationState() if request.param == "memory" else SqliteAutoRemediationState(db)


class TestConversationStore(ConversationStoreContract):
    @pytest.fixture(params=["memory", "sqlite"])
    def store(self, request: pytest.FixtureRequest, db: StateDatabase) -> Any:
        return InMemoryConversationStore() if request.param == "memory" else SqliteConversationStore(db)

    @pytest.fixture(params=["memory", "sqlite"])
    def expired_store(self, request: pytest.FixtureRequest, db: StateDatabase) -> Any:
        if request.param == "memory":
            return InMemoryConversationStore(ttl_seconds=-1)
        return SqliteConversationStore(db, ttl_seconds=-1)


def test_stores_on_one_file_see_each_others_writes(tmp_path: Path) -> None:
    """Two connections to one file (two processes, in effect) share approvals, leases and the kill switch."""
    first, second = StateDatabase.in_directory(tmp_path), StateDatabase.in_directory(tmp_path)

    SqliteApprovalStore(first).add(approval())
    assert SqliteJobLeases(first).acquire("detection:t1", "a", 10_000)
    SqliteAutoRemediationState(first).set_kill_switch(True, by="U_LEAD")

    assert ["r1"] == [r.id for r in SqliteApprovalStore(second).pending()]
    assert not SqliteJobLeases(second).acquire("detection:t1", "b", 10_000)
    assert SqliteAutoRemediationState(second).kill_switch()


def test_conversation_context_expires_by_the_clock(db: StateDatabase) -> None:
    clock = ManualClock(T0)
    store = SqliteConversationStore(db, ttl_seconds=60, clock=clock)
    store.save("T1", {"host": "web-1"})

    clock.advance(timedelta(seconds=59))
    assert {"host": "web-1"} == store.load("T1")
    clock.advance(timedelta(seconds=2))
    assert store.load("T1") is None
