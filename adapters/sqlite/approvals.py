"""SqliteApprovalStore: approval requests in the local state database, with a transactional compare-and-set."""

from __future__ import annotations

import sqlite3

from adapters.sqlite.database import StateDatabase
from remediation.approval import ApprovalRequest, ApprovalState


class SqliteApprovalStore:
    """One row per request: its version and state beside the model as JSON.

    A compare-and-set is one ``BEGIN IMMEDIATE`` transaction (the write lock is taken before the
    version is compared), so of several processes making the same transition exactly one wins.
    """

    def __init__(self, db: StateDatabase) -> None:
        self._db = db

    def add(self, request: ApprovalRequest) -> None:
        """Store a new request; an existing id is refused and left untouched.

        Raises:
            ValueError: a request with this id already exists.
        """
        with self._db.writing() as conn:
            try:
                conn.execute(
                    "INSERT INTO approvals (id, version, state, requested_at, json) VALUES (?, ?, ?, ?, ?)",
                    (
                        request.id,
                        request.version,
                        request.state.value,
                        request.requested_at.timestamp(),
                        request.model_dump_json(),
                    ),
                )
            except sqlite3.IntegrityError:
                refused = True
            else:
                refused = False
        if refused:
            raise ValueError(f"request {request.id} already exists")

    def get(self, request_id: str) -> ApprovalRequest | None:
        """The request with this id."""
        with self._db.reading() as conn:
            row = conn.execute("SELECT json FROM approvals WHERE id = ?", (request_id,)).fetchone()
        return None if row is None else ApprovalRequest.model_validate_json(row[0])

    def compare_and_set(self, expected_version: int, request: ApprovalRequest) -> bool:
        """Replace the request if the stored version is still ``expected_version``."""
        with self._db.writing() as conn:
            row = conn.execute("SELECT version FROM approvals WHERE id = ?", (request.id,)).fetchone()
            if row is None or int(row[0]) != expected_version:
                return False
            conn.execute(
                "UPDATE approvals SET version = ?, state = ?, requested_at = ?, json = ? WHERE id = ?",
                (
                    request.version,
                    request.state.value,
                    request.requested_at.timestamp(),
                    request.model_dump_json(),
                    request.id,
                ),
            )
            return True

    def pending(self) -> list[ApprovalRequest]:
        """Pending requests, oldest first."""
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT json FROM approvals WHERE state = ? ORDER BY requested_at, id", (ApprovalState.PENDING.value,)
            ).fetchall()
        return [ApprovalRequest.model_validate_json(row[0]) for row in rows]
