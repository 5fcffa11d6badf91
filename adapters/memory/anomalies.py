"""In-memory twins of the stores, for the demo and unit tests. They pass the same contract tests as Redis."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind


class InMemoryAnomalyStore:
    """Anomaly history in a dict."""

    def __init__(self) -> None:
        self._items: dict[str, Anomaly] = {}
        self._lock = threading.Lock()

    def upsert(self, anomaly: Anomaly) -> None:
        """Store or replace an anomaly."""
        with self._lock:
            self._items[anomaly.id] = anomaly

    def get(self, anomaly_id: str) -> Anomaly | None:
        """The anomaly with this id."""
        return self._items.get(anomaly_id)

    def recent(self, limit: int) -> list[Anomaly]:
        """Newest first by start time."""
        with self._lock:
            items = sorted(self._items.values(), key=lambda a: (a.started_at, a.id), reverse=True)
        return items[: max(limit, 0)]

    def open_for(self, host: HostRef, metric: MetricKind, detector: str) -> Anomaly | None:
        """The open incident for this host, metric and detector."""
        with self._lock:
            for a in self._items.values():
                if (
                    a.host.instance == host.instance
                    and a.metric is metric
                    and a.detector == detector
                    and a.status is not AnomalyStatus.RESOLVED
                ):
                    return a
        return None

    def _newest_first(self, keep: Callable[[Anomaly], bool]) -> list[Anomaly]:
        with self._lock:
            items = [a for a in self._items.values() if keep(a)]
        return sorted(items, key=lambda a: (a.started_at, a.id), reverse=True)

    def for_host(self, host: HostRef, limit: int) -> list[Anomaly]:
        """Newest first, one host."""
        return self._newest_first(lambda a: a.host.instance == host.instance)[: max(limit, 0)]

    def between(self, start: datetime, end: datetime) -> list[Anomaly]:
        """Started between ``start`` and ``end`` inclusive, newest first."""
        return self._newest_first(lambda a: start <= a.started_at <= end)

    def open_anomalies(self) -> list[Anomaly]:
        """Not resolved yet, newest first."""
        return self._newest_first(lambda a: a.status is not AnomalyStatus.RESOLVED)

    def acknowledge(self, anomaly_id: str, *, by: str, at: datetime) -> Anomaly | None:
        """Mark an unresolved anomaly acknowledged."""
        with self._lock:
            current = self._items.get(anomaly_id)
            if current is None or current.status is AnomalyStatus.RESOLVED:
                return current
            updated = current.model_copy(
                update={"status": AnomalyStatus.ACKNOWLEDGED, "acknowledged_by": by, "updated_at": at}
            )
            self._items[anomaly_id] = updated
            return updated
