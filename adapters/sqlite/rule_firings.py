"""SqliteRuleFirings: which breach each rule last fired for, in the local state database."""

from __future__ import annotations

from adapters.sqlite.database import StateDatabase


class SqliteRuleFirings:
    """One row per rule and host: the breach start and when it was last seen (epoch seconds)."""

    def __init__(self, db: StateDatabase) -> None:
        self._db = db

    def get(self, rule: str, instance: str) -> tuple[float, float] | None:
        """The fired breach of this rule on this host."""
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT started, seen FROM rule_firings WHERE rule = ? AND instance = ?", (rule, instance)
            ).fetchone()
        return None if row is None else (float(row[0]), float(row[1]))

    def put(self, rule: str, instance: str, started: float, seen: float) -> None:
        """Record it."""
        with self._db.writing() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO rule_firings (rule, instance, started, seen) VALUES (?, ?, ?, ?)",
                (rule, instance, started, seen),
            )
