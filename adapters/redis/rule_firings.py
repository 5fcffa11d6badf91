"""RedisRuleFirings: which breach each rule last fired for, shared by replicas (``sco:{rules}:fired``)."""

from __future__ import annotations

import redis

from adapters.redis.connection import location, translated


class RedisRuleFirings:
    """One hash, field ``<rule>|<instance>``, value ``<breach start>,<last seen>`` (epoch seconds)."""

    def __init__(self, client: redis.Redis, prefix: str = "sco") -> None:
        self._r = client
        self._key = f"{prefix}:{{rules}}:fired"
        self._where = location(client)

    def get(self, rule: str, instance: str) -> tuple[float, float] | None:
        """The fired breach of this rule on this host."""
        with translated(self._where):
            raw = self._r.hget(self._key, f"{rule}|{instance}")
        if raw is None:
            return None
        started, _, seen = str(raw).partition(",")
        return float(started), float(seen)

    def put(self, rule: str, instance: str, started: float, seen: float) -> None:
        """Record it."""
        with translated(self._where):
            self._r.hset(self._key, f"{rule}|{instance}", f"{started!r},{seen!r}")
