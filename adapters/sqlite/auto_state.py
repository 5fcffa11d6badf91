"""SqliteAutoRemediationState: the kill switch and recent automatic actions in the local state database."""

from __future__ import annotations

from datetime import datetime, timedelta

from adapters.clock import SystemClock
from adapters.sqlite.database import StateDatabase
from domain.ports import Clock
from remediation.brakes import AutoAction, latest_per_action

HISTORY_KEEP = timedelta(days=2)
"""Automatic actions older than this (before the newest one recorded) are dropped."""


class SqliteAutoRemediationState:
    """The kill switch as one row (who set it, when), and one row per recorded automatic action.

    Args:
        db: the state database.
        clock: when the kill switch is said to have been set.
    """

    def __init__(self, db: StateDatabase, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    def kill_switch(self) -> bool:
        """True while switched off."""
        with self._db.reading() as conn:
            return conn.execute("SELECT 1 FROM auto_kill_switch").fetchone() is not None

    def set_kill_switch(self, on: bool, *, by: str) -> None:
        """Switch off (recording who and when) or back on."""
        with self._db.writing() as conn:
            if on:
                conn.execute(
                    "INSERT OR REPLACE INTO auto_kill_switch (only, set_by, set_at) VALUES (1, ?, ?)",
                    (by, self._clock.now().isoformat()),
                )
            else:
                conn.execute("DELETE FROM auto_kill_switch")

    def record(self, action: AutoAction) -> None:
        """Add a record and drop records older than two days."""
        succeeded = None if action.succeeded is None else int(action.succeeded)
        with self._db.writing() as conn:
            conn.execute(
                "INSERT INTO auto_actions (action, target, at, at_iso, succeeded) VALUES (?, ?, ?, ?, ?)",
                (action.action, action.target, action.at.timestamp(), action.at.isoformat(), succeeded),
            )
            conn.execute("DELETE FROM auto_actions WHERE at < ?", ((action.at - HISTORY_KEEP).timestamp(),))

    def history(self, since: datetime) -> list[AutoAction]:
        """Actions since ``since``, the latest record of each."""
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT action, target, at_iso, succeeded FROM auto_actions WHERE at >= ? ORDER BY at, rowid",
                (since.timestamp(),),
            ).fetchall()
        actions = [
            AutoAction(
                action=action,
                target=target,
                at=datetime.fromisoformat(at_iso),
                succeeded=None if succeeded is None else bool(succeeded),
            )
            for action, target, at_iso, succeeded in rows
        ]
        return latest_per_action(actions)
