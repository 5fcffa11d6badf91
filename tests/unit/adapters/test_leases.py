"""The JobLeases contract, run here on the in-memory twin (and on Redis in tests/integration)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.clock import ManualClock
from adapters.memory.leases import InMemoryJobLeases

T0 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


class LeaseContract:
    """What every lease store does; subclasses give ``leases`` and ``wait_ms``."""

    def wait_ms(self, ms: int) -> None:
        raise NotImplementedError

    def test_first_acquirer_wins(self, leases: Any) -> None:
        assert leases.acquire("detection:t1", "a", 10_000) is True
        assert leases.acquire("detection:t1", "b", 10_000) is False

    def test_keys_are_independent(self, leases: Any) -> None:
        assert leases.acquire("detection:t1", "a", 10_000) is True
        assert leases.acquire("detection:t2", "b", 10_000) is True
        assert leases.acquire("digest:t1", "b", 10_000) is True

    def test_only_the_holder_releases(self, leases: Any) -> None:
        leases.acquire("k", "a", 10_000)

        assert leases.release("k", "b") is False
        assert leases.acquire("k", "b", 10_000) is False
        assert leases.release("k", "a") is True
        assert leases.acquire("k", "b", 10_000) is True

    def test_only_the_holder_keeps(self, leases: Any) -> None:
        leases.acquire("k", "a", 10_000)

        assert leases.keep("k", "b", 60_000) is False
        assert leases.keep("k", "a", 60_000) is True

    def test_a_crashed_holders_lease_expires(self, leases: Any) -> None:
        leases.acquire("k", "crashed", 200)
        self.wait_ms(400)

        assert leases.acquire("k", "b", 10_000) is True
        assert leases.release("k", "crashed") is False

    def test_release_after_expiry_does_not_drop_the_next_holder(self, leases: Any) -> None:
        leases.acquire("k", "slow", 200)
        self.wait_ms(400)
        leases.acquire("k", "next", 10_000)

        assert leases.release("k", "slow") is False
        assert leases.acquire("k", "third", 10_000) is False

    def test_last_done_never_moves_backwards(self, leases: Any) -> None:
        assert leases.last_done("digest") is None
        leases.mark_done("digest", T0 + timedelta(days=1))
        leases.mark_done("digest", T0)

        assert T0 + timedelta(days=1) == leases.last_done("digest")
        assert leases.last_done("detection") is None


class TestInMemoryLeases(LeaseContract):
    @pytest.fixture
    def clock(self) -> ManualClock:
        return ManualClock(T0)

    @pytest.fixture
    def leases(self, clock: ManualClock) -> InMemoryJobLeases:
        self._clock = clock
        return InMemoryJobLeases(clock)

    def wait_ms(self, ms: int) -> None:
        self._clock.advance(timedelta(milliseconds=ms))
