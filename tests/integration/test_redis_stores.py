"""The Redis stores pass the same contracts as the in-memory ones."""

from __future__ import annotations

import pytest

from adapters.redis.anomalies import RedisAnomalyStore
from adapters.redis.approvals import RedisApprovalStore
from adapters.redis.auto_state import RedisAutoRemediationState
from adapters.redis.connection import connect
from adapters.redis.rule_firings import RedisRuleFirings
from domain.errors import StoreUnavailable
from tests.store_contracts import (
    AnomalyStoreContract,
    ApprovalStoreContract,
    AutoRemediationStateContract,
    RuleFiringsContract,
    anomaly,
)


class TestRedisAnomalyStore(AnomalyStoreContract):
    @pytest.fixture
    def store(self, redis_url: str) -> RedisAnomalyStore:
        return RedisAnomalyStore(connect(redis_url))


class TestRedisApprovalStore(ApprovalStoreContract):
    @pytest.fixture
    def store(self, redis_url: str) -> RedisApprovalStore:
        return RedisApprovalStore(connect(redis_url))


class TestRedisRuleFirings(RuleFiringsContract):
    @pytest.fixture
    def store(self, redis_url: str) -> RedisRuleFirings:
        return RedisRuleFirings(connect(redis_url))


class TestRedisAutoRemediationState(AutoRemediationStateContract):
    @pytest.fixture
    def store(self, redis_url: str) -> RedisAutoRemediationState:
        return RedisAutoRemediationState(connect(redis_url))


def test_keys_share_one_cluster_slot_per_store(redis_url: str) -> None:
    client = connect(redis_url)
    RedisAnomalyStore(client).upsert(anomaly(1))
    keys = sorted(client.keys("*"))
    assert keys
    assert all(k.startswith("sco:{anomalies}:") for k in keys)


def test_unreachable_redis_raises_store_unavailable() -> None:
    store = RedisAnomalyStore(connect("redis://127.0.0.1:9/0", timeout_seconds=0.5))
    with pytest.raises(StoreUnavailable, match="Redis unavailable"):
        store.recent(5)
