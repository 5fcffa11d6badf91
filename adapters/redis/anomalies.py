"""RedisAnomalyStore: anomaly history in Redis, and the connection helpers the Redis adapters share.

Keys are prefixed and hash-tagged (``sco:{anomalies}:…``) so that every key a command
touches lives in one Redis Cluster slot.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import redis

from adapters.redis.connection import location, translated
from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind

T = TypeVar("T")


class RedisAnomalyStore:
    """Anomalies as hashes, indexed by start time in sorted sets (all, per host, unresolved).

    Keys: ``<p>:a:<id>`` (hash: json, status), ``<p>:by_time``, ``<p>:host:<instance>`` and
    ``<p>:open`` (sorted sets of ids scored by start time), ``<p>:open:<instance>|<metric>|<detector>``
    (id of the incident in progress), with ``<p>`` = ``<prefix>:{anomalies}``.
    """

    def __init__(self, client: redis.Redis, prefix: str = "sco") -> None:
        self._r = client
        self._p = f"{prefix}:{{anomalies}}"
        self._where = location(client)

    def _run(self, fn: Callable[[], T]) -> T:
        with translated(self._where):
            return fn()

    def _open_key(self, host: HostRef, metric: MetricKind, detector: str) -> str:
        return f"{self._p}:open:{host.instance}|{metric.value}|{detector}"

    def _write(self, pipe: Any, anomaly: Anomaly) -> None:
        key = f"{self._p}:a:{anomaly.id}"
        open_key = self._open_key(anomaly.host, anomaly.metric, anomaly.detector)
        stamp = anomaly.started_at.timestamp()
        pipe.hset(key, mapping={"json": anomaly.model_dump_json(), "status": anomaly.status.value})
        pipe.zadd(f"{self._p}:by_time", {anomaly.id: stamp})
        pipe.zadd(f"{self._p}:host:{anomaly.host.instance}", {anomaly.id: stamp})
        if anomaly.status is AnomalyStatus.RESOLVED:
            pipe.delete(open_key)
            pipe.zrem(f"{self._p}:open", anomaly.id)
        else:
            pipe.set(open_key, anomaly.id)
            pipe.zadd(f"{self._p}:open", {anomaly.id: stamp})

    def upsert(self, anomaly: Anomaly) -> None:
        """Store or replace an anomaly, keeping the indexes and the open-incident pointer in step."""

        def write() -> None:
            pipe = self._r.pipeline(transaction=True)
            self._write(pipe, anomaly)
            pipe.execute()

        self._run(write)

    def get(self, anomaly_id: str) -> Anomaly | None:
        """The anomaly with this id."""
        raw = self._run(lambda: self._r.hget(f"{self._p}:a:{anomaly_id}", "json"))
        return None if raw is None else Anomaly.model_validate_json(raw)

    def _load(self, ids: list[Any]) -> list[Anomaly]:
        if not ids:
            return []
        pipe = self._r.pipeline(transaction=False)
        for i in ids:
            pipe.hget(f"{self._p}:a:{i!s}", "json")
        return [Anomaly.model_validate_json(raw) for raw in pipe.execute() if raw is not None]

    def _newest(self, index: str, limit: int) -> list[Anomaly]:
        if limit <= 0:
            return []
        return self._run(lambda: self._load(list(self._r.zrevrange(index, 0, limit - 1))))

    def recent(self, limit: int) -> list[Anomaly]:
        """Newest first by start time."""
        return self._newest(f"{self._p}:by_time", limit)

    def for_host(self, host: HostRef, limit: int) -> list[Anomaly]:
        """Newest first, one host."""
        return self._newest(f"{self._p}:host:{host.instance}", limit)

    def between(self, start: datetime, end: datetime) -> list[Anomaly]:
        """Started between ``start`` and ``end`` inclusive, newest first."""
        index = f"{self._p}:by_time"
        return self._run(lambda: self._load(list(self._r.zrevrangebyscore(index, end.timestamp(), start.timestamp()))))

    def open_anomalies(self) -> list[Anomaly]:
        """Not resolved yet, newest first."""
        return self._run(lambda: self._load(list(self._r.zrevrange(f"{self._p}:open", 0, -1))))

    def open_for(self, host: HostRef, metric: MetricKind, detector: str) -> Anomaly | None:
        """The open incident for this host, metric and detector."""
        anomaly_id = self._run(lambda: self._r.get(self._open_key(host, metric, detector)))
        return None if anomaly_id is None else self.get(str(anomaly_id))

    def acknowledge(self, anomaly_id: str, *, by: str, at: datetime) -> Anomaly | None:
        """Mark an unresolved anomaly acknowledged (optimistic transaction on its hash)."""
        key = f"{self._p}:a:{anomaly_id}"

        def ack() -> Anomaly | None:
            with self._r.pipeline(transaction=True) as pipe:
                while True:
                    try:
                        pipe.watch(key)  # type: ignore[no-untyped-call]
                        raw = pipe.hget(key, "json")
                        if raw is None:
                            return None
                        current = Anomaly.model_validate_json(raw)
                        if current.status is AnomalyStatus.RESOLVED:
                            return current
                        updated = current.model_copy(
                            update={"status": AnomalyStatus.ACKNOWLEDGED, "acknowledged_by": by, "updated_at": at}
                        )
                        pipe.multi()
                        self._write(pipe, updated)
                        pipe.execute()
                        return updated
                    except redis.exceptions.WatchError:
                        continue

        return self._run(ack)
