"""SqliteAnomalyStore: anomaly history in the local state database."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from adapters.sqlite.database import StateDatabase
from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind

_NEWEST_FIRST = "ORDER BY started_at DESC, id DESC"


class SqliteAnomalyStore:
    """One row per anomaly (the model as JSON beside the columns it is looked up by)."""

    def __init__(self, db: StateDatabase) -> None:
        self._db = db

    def upsert(self, anomaly: Anomaly) -> None:
        """Store or replace an anomaly."""
        with self._db.writing() as conn:
            _write(conn, anomaly)

    def get(self, anomaly_id: str) -> Anomaly | None:
        """The anomaly with this id."""
        found = self._select("WHERE id = ?", (anomaly_id,))
        return found[0] if found else None

    def recent(self, limit: int) -> list[Anomaly]:
        """Newest first by start time."""
        return self._select(f"{_NEWEST_FIRST} LIMIT ?", (max(limit, 0),))

    def open_for(self, host: HostRef, metric: MetricKind, detector: str) -> Anomaly | None:
        """The open incident for this host, metric and detector (the newest, should there be two)."""
        found = self._select(
            f"WHERE instance = ? AND metric = ? AND detector = ? AND status != ? {_NEWEST_FIRST} LIMIT 1",
            (host.instance, metric.value, detector, AnomalyStatus.RESOLVED.value),
        )
        return found[0] if found else None

    def for_host(self, host: HostRef, limit: int) -> list[Anomaly]:
        """Newest first, one host."""
        return self._select(f"WHERE instance = ? {_NEWEST_FIRST} LIMIT ?", (host.instance, max(limit, 0)))

    def between(self, start: datetime, end: datetime) -> list[Anomaly]:
        """Started between ``start`` and ``end`` inclusive, newest first."""
        return self._select(f"WHERE started_at BETWEEN ? AND ? {_NEWEST_FIRST}", (start.timestamp(), end.timestamp()))

    def open_anomalies(self) -> list[Anomaly]:
        """Not resolved yet, newest first."""
        return self._select(f"WHERE status != ? {_NEWEST_FIRST}", (AnomalyStatus.RESOLVED.value,))

    def acknowledge(self, anomaly_id: str, *, by: str, at: datetime) -> Anomaly | None:
        """Mark an unresolved anomaly acknowledged (read and write in one transaction)."""
        with self._db.writing() as conn:
            row = conn.execute("SELECT json FROM anomalies WHERE id = ?", (anomaly_id,)).fetchone()
            if row is None:
                return None
            current = Anomaly.model_validate_json(row[0])
            if current.status is AnomalyStatus.RESOLVED:
                return current
            updated = current.model_copy(
                update={"status": AnomalyStatus.ACKNOWLEDGED, "acknowledged_by": by, "updated_at": at}
            )
            _write(conn, updated)
            return updated

    def _select(self, where: str, args: tuple[Any, ...]) -> list[Anomaly]:
        with self._db.reading() as conn:
            rows = conn.execute(f"SELECT json FROM anomalies {where}", args).fetchall()  # noqa: S608 - fixed fragments
        return [Anomaly.model_validate_json(row[0]) for row in rows]


def _write(conn: sqlite3.Connection, anomaly: Anomaly) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO anomalies (id, instance, metric, detector, status, started_at, json)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            anomaly.id,
            anomaly.host.instance,
            anomaly.metric.value,
            anomaly.detector,
            anomaly.status.value,
            anomaly.started_at.timestamp(),
            anomaly.model_dump_json(),
        ),
    )
