"""RedisJobLeases: the JobLeases port over Redis, shared by every replica of the bot.

A lease is ``SET <p>:lease:<job>:<tick> <token> NX PX <ttl>``: the first replica to set it runs
the tick, the others see it taken and skip. Releasing and extending check the token inside a Lua
script, so a replica can only touch a lease it still holds (never one that expired and was taken
by someone else). Keys carry the hash tag ``{jobs}`` (``<p>`` = ``<prefix>:{jobs}``), so they live
in one Redis Cluster slot.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import redis

from adapters.redis.connection import location, translated

T = TypeVar("T")

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""

_KEEP = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""

_MARK_DONE = """
local current = redis.call('get', KEYS[1])
if (not current) or tonumber(current) < tonumber(ARGV[1]) then
  redis.call('set', KEYS[1], ARGV[1])
  return 1
end
return 0
"""


class RedisJobLeases:
    """Job leases and completed ticks in Redis.

    Args:
        client: a Redis client (``adapters.redis.anomalies.connect``).
        prefix: key prefix shared with the other Redis adapters.
    """

    def __init__(self, client: redis.Redis, prefix: str = "sco") -> None:
        self._r = client
        self._p = f"{prefix}:{{jobs}}"
        self._where = location(client)
        self._release = client.register_script(_RELEASE)
        self._keep = client.register_script(_KEEP)
        self._mark_done = client.register_script(_MARK_DONE)

    def _run(self, fn: Callable[[], T]) -> T:
        with translated(self._where):
            return fn()

    def lease_key(self, key: str) -> str:
        """The Redis key of the lease ``key``."""
        return f"{self._p}:lease:{key}"

    def acquire(self, key: str, token: str, ttl_ms: int) -> bool:
        """``SET key token NX PX ttl_ms``.

        Raises:
            StoreUnavailable: Redis could not be reached.
        """
        return bool(self._run(lambda: self._r.set(self.lease_key(key), token, nx=True, px=ttl_ms)))

    def release(self, key: str, token: str) -> bool:
        """Delete the lease if ``token`` still holds it."""
        return bool(self._run(lambda: self._release(keys=[self.lease_key(key)], args=[token])))

    def keep(self, key: str, token: str, ttl_ms: int) -> bool:
        """Set the lease's time to live to ``ttl_ms`` if ``token`` still holds it."""
        return bool(self._run(lambda: self._keep(keys=[self.lease_key(key)], args=[token, ttl_ms])))

    def mark_done(self, job: str, tick: datetime) -> None:
        """Store ``tick`` (epoch milliseconds) as the job's latest completed tick unless a later one is there."""
        millis = round(tick.timestamp() * 1000)
        self._run(lambda: self._mark_done(keys=[f"{self._p}:done:{job}"], args=[millis]))

    def last_done(self, job: str) -> datetime | None:
        """The job's latest completed tick."""
        raw = self._run(lambda: self._r.get(f"{self._p}:done:{job}"))
        if raw is None:
            return None
        return datetime.fromtimestamp(int(str(raw)) / 1000, UTC)
