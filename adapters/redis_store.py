"""RedisAnomalyStore: anomaly history in Redis, and the connection helpers the Redis adapters share.

Keys are prefixed and hash-tagged (``sco:{anomalies}:…``) so that every key a command
touches lives in one Redis Cluster slot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import redis

from domain.errors import StoreUnavailable
from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind

T = TypeVar("T")


def connect(url: str, *, timeout_seconds: float = 2.0) -> redis.Redis:
    """A Redis client with explicit timeouts (no connection is made yet)."""
    return redis.Redis.from_url(
        url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds, decode_responses=True
    )


@contextmanager
def translated(url_hint: str) -> Iterator[None]:
    try:
        yield
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        raise StoreUnavailable(f"Redis unavailable ({type(exc).__name__}) at {url_hint}") from exc
    except redis.exceptions.RedisError as exc:
        raise StoreUnavailable(f"Redis error: {exc}") from exc


def location(client: redis.Redis) -> str:
    kwargs: dict[str, Any] = client.connection_pool.connection_kwargs
    return f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"


class RedisAnomalyStore:
    """Anomalies as hashes, indexed by start time in a sorted set."""

    def __init__(self, client: redis.Redis, prefix: str = "sco") -> None:
        self._r = client
        self._p = f"{prefix}:{{anomalies}}"
        self._where = location(client)

    def _run(self, fn: Callable[[], T]) -> T:
        with translated(self._where):
            return fn()

    def _open_key(self, host: HostRef, metric: MetricKind, detector: str) -> str:
        return f"{self._p}:open:{host.instance}|{metric.value}|{detector}"

    def upsert(self, anomaly: Anomaly) -> None:
        """Store or replace an anomaly, keeping the open-incident pointer in step."""
        key = f"{self._p}:a:{anomaly.id}"
        open_key = self._open_key(anomaly.host, anomaly.metric, anomaly.detector)

        def write() -> None:
            pipe = self._r.pipeline(transaction=True)
            pipe.hset(key, mapping={"json": anomaly.model_dump_json(), "status": anomaly.status.value})
            pipe.zadd(f"{self._p}:by_time", {anomaly.id: anomaly.started_at.timestamp()})
            if anomaly.status is AnomalyStatus.RESOLVED:
                pipe.delete(open_key)
            else:
                pipe.set(open_key, anomaly.id)
            pipe.execute()

        self._run(write)

    def get(self, anomaly_id: str) -> Anomaly | None:
        """The anomaly with this id."""
        raw = self._run(lambda: self._r.hget(f"{self._p}:a:{anomaly_id}", "json"))
        return None if raw is None else Anomaly.model_validate_json(raw)

    def recent(self, limit: int) -> list[Anomaly]:
        """Newest first by start time."""
        if limit <= 0:
            return []

        def read() -> list[Any]:
            ids = self._r.zrevrange(f"{self._p}:by_time", 0, limit - 1)
            if not ids:
                return []
            pipe = self._r.pipeline(transaction=False)
            for i in ids:
                pipe.hget(f"{self._p}:a:{i!s}", "json")
            return list(pipe.execute())

        return [Anomaly.model_validate_json(raw) for raw in self._run(read) if raw is not None]

    def open_for(self, host: HostRef, metric: MetricKind, detector: str) -> Anomaly | None:
        """The open incident for this host, metric and detector."""
        anomaly_id = self._run(lambda: self._r.get(self._open_key(host, metric, detector)))
        return None if anomaly_id is None else self.get(str(anomaly_id))
