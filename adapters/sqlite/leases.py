"""SqliteJobLeases: the JobLeases port over the local state database, shared by one machine's processes.

Each call is one ``BEGIN IMMEDIATE`` transaction, so reading who holds a lease and changing it
cannot interleave with another process. Expiry times come from ``clock`` (wall-clock time in
production, which every process on the machine shares); expired leases are dropped as new ones
are taken.
"""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.clock import SystemClock
from adapters.sqlite.database import StateDatabase
from domain.ports import Clock


class SqliteJobLeases:
    """Job leases with expiry and completed ticks in the state database; the contract of ``RedisJobLeases``.

    Args:
        db: the state database.
        clock: where expiry times are read from.
    """

    def __init__(self, db: StateDatabase, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def acquire(self, key: str, token: str, ttl_ms: int) -> bool:
        """Take the lease unless someone holds it (an expired lease is nobody's)."""
        now = self._now()
        with self._db.writing() as conn:
            conn.execute("DELETE FROM job_leases WHERE expires_at <= ?", (now,))
            if conn.execute("SELECT 1 FROM job_leases WHERE key = ?", (key,)).fetchone() is not None:
                return False
            conn.execute(
                "INSERT INTO job_leases (key, token, expires_at) VALUES (?, ?, ?)", (key, token, now + ttl_ms / 1000)
            )
            return True

    def release(self, key: str, token: str) -> bool:
        """Drop the lease if ``token`` still holds it."""
        with self._db.writing() as conn:
            cursor = conn.execute(
                "DELETE FROM job_leases WHERE key = ? AND token = ? AND expires_at > ?", (key, token, self._now())
            )
            return cursor.rowcount == 1

    def keep(self, key: str, token: str, ttl_ms: int) -> bool:
        """Extend the lease to ``ttl_ms`` from now if ``token`` still holds it."""
        now = self._now()
        with self._db.writing() as conn:
            cursor = conn.execute(
                "UPDATE job_leases SET expires_at = ? WHERE key = ? AND token = ? AND expires_at > ?",
                (now + ttl_ms / 1000, key, token, now),
            )
            return cursor.rowcount == 1

    def mark_done(self, job: str, tick: datetime) -> None:
        """Store ``tick`` (epoch milliseconds) as the job's latest completed tick unless a later one is there."""
        millis = round(tick.timestamp() * 1000)
        with self._db.writing() as conn:
            conn.execute(
                "INSERT INTO job_ticks (job, tick_ms) VALUES (?, ?)"
                " ON CONFLICT (job) DO UPDATE SET tick_ms = excluded.tick_ms"
                " WHERE excluded.tick_ms > job_ticks.tick_ms",
                (job, millis),
            )

    def last_done(self, job: str) -> datetime | None:
        """The job's latest completed tick."""
        with self._db.reading() as conn:
            row = conn.execute("SELECT tick_ms FROM job_ticks WHERE job = ?", (job,)).fetchone()
        return None if row is None else datetime.fromtimestamp(int(row[0]) / 1000, UTC)
