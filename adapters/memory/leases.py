"""InMemoryJobLeases: the JobLeases port inside one process (the demo, a single replica, unit tests)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from domain.ports import Clock


class InMemoryJobLeases:
    """Leases with expiry read from ``clock``; the same contract as ``RedisJobLeases``.

    Args:
        clock: where expiry times are read from.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._leases: dict[str, tuple[str, datetime]] = {}
        self._done: dict[str, datetime] = {}

    def _holder(self, key: str) -> str | None:
        held = self._leases.get(key)
        if held is None:
            return None
        if held[1] <= self._clock.now():
            del self._leases[key]
            return None
        return held[0]

    def acquire(self, key: str, token: str, ttl_ms: int) -> bool:
        """Take the lease unless someone holds it."""
        with self._lock:
            if self._holder(key) is not None:
                return False
            self._leases[key] = (token, self._clock.now() + timedelta(milliseconds=ttl_ms))
            return True

    def release(self, key: str, token: str) -> bool:
        """Drop the lease if ``token`` holds it."""
        with self._lock:
            if self._holder(key) != token:
                return False
            del self._leases[key]
            return True

    def keep(self, key: str, token: str, ttl_ms: int) -> bool:
        """Extend the lease if ``token`` holds it."""
        with self._lock:
            if self._holder(key) != token:
                return False
            self._leases[key] = (token, self._clock.now() + timedelta(milliseconds=ttl_ms))
            return True

    def mark_done(self, job: str, tick: datetime) -> None:
        """Remember the latest completed tick."""
        with self._lock:
            if job not in self._done or self._done[job] < tick:
                self._done[job] = tick

    def last_done(self, job: str) -> datetime | None:
        """The latest completed tick."""
        with self._lock:
            return self._done.get(job)
