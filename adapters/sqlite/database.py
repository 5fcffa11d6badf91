"""StateDatabase: the one SQLite file every process of one machine shares when Redis is not configured.

The file is opened in WAL mode (readers never wait for the writer) with a busy timeout, so several
processes (``serve``, ``ask``, the HTTP API) can use it at once. Every write is a ``BEGIN IMMEDIATE``
transaction: it takes the file's write lock before reading, which is what makes a compare-and-set
atomic across processes. The schema is versioned in ``schema_version`` and migrated at start-up in
one transaction; a file that is not ours, is damaged, or was written by a newer version is refused
with ``StateStoreRefused`` and left untouched.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from domain.errors import StateStoreRefused, StoreUnavailable

FILE_NAME = "state.db"
"""The database's name inside the state directory."""

APPLICATION_ID = 0x53434F31
"""``PRAGMA application_id`` of our files ("SCO1"), so a foreign SQLite file is told apart."""

_SQLITE_HEADER = b"SQLite format 3\x00"

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE anomalies (
        id TEXT PRIMARY KEY,
        instance TEXT NOT NULL,
        metric TEXT NOT NULL,
        detector TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at REAL NOT NULL,
        json TEXT NOT NULL
    );
    CREATE INDEX anomalies_by_time ON anomalies (started_at, id);
    CREATE INDEX anomalies_by_host ON anomalies (instance, started_at, id);
    CREATE INDEX anomalies_unresolved ON anomalies (instance, metric, detector) WHERE status != 'resolved';
    CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        requested_at REAL NOT NULL,
        json TEXT NOT NULL
    );
    CREATE INDEX approvals_pending ON approvals (requested_at, id) WHERE state = 'pending';
    CREATE TABLE job_leases (key TEXT PRIMARY KEY, token TEXT NOT NULL, expires_at REAL NOT NULL);
    CREATE INDEX job_leases_expiry ON job_leases (expires_at);
    CREATE TABLE job_ticks (job TEXT PRIMARY KEY, tick_ms INTEGER NOT NULL);
    CREATE TABLE rule_firings (
        rule TEXT NOT NULL,
        instance TEXT NOT NULL,
        started REAL NOT NULL,
        seen REAL NOT NULL,
        PRIMARY KEY (rule, instance)
    );
    CREATE TABLE auto_kill_switch (
        only INTEGER PRIMARY KEY CHECK (only = 1),
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL
    );
    CREATE TABLE auto_actions (
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        at REAL NOT NULL,
        at_iso TEXT NOT NULL,
        succeeded INTEGER
    );
    CREATE INDEX auto_actions_by_time ON auto_actions (at);
    CREATE TABLE conversations (thread_id TEXT PRIMARY KEY, expires_at REAL NOT NULL, json TEXT NOT NULL);
    """,
)
"""Schema migrations, in order; the schema version of a file is how many of them it has had."""

SCHEMA_VERSION = len(MIGRATIONS)


class StateDatabase:
    """One connection to the state file, shared by this process's threads under a lock.

    Args:
        path: the database file; its directory is created when missing.
        busy_timeout_ms: how long a write waits for another process's transaction before failing.
        synchronous: ``FULL`` (the default) makes each commit durable before it returns; ``NORMAL``
            is faster but may lose the last commits (never consistency) on a power cut.

    Raises:
        StateStoreRefused: the directory cannot be written, the path is not a file we can use, or
            the file is foreign, damaged or of a newer schema.
    """

    def __init__(self, path: Path, *, busy_timeout_ms: int = 5000, synchronous: str = "FULL") -> None:
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
        self.path = path
        self._lock = threading.RLock()
        _check_place(path)
        try:
            self._conn = sqlite3.connect(
                path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StateStoreRefused(str(path), f"cannot be opened ({exc})") from exc
        try:
            self._prepare(busy_timeout_ms, synchronous)
        except BaseException:
            self._conn.close()
            raise

    @classmethod
    def in_directory(cls, directory: Path) -> StateDatabase:
        """The state database of ``directory`` (``<directory>/state.db``)."""
        return cls(directory / FILE_NAME)

    def _prepare(self, busy_timeout_ms: int, synchronous: str) -> None:
        where = str(self.path)
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            found = self._conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {row[0] for row in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise StateStoreRefused(
                where, f"is damaged or not a database ({exc}); move it away to start afresh"
            ) from exc
        if tables and found != APPLICATION_ID:
            raise StateStoreRefused(where, "is a SQLite database of another program; point SCO_STATE__DIR elsewhere")
        try:
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StateStoreRefused(where, f"cannot use write-ahead logging (journal mode {mode})")
            self._conn.execute(f"PRAGMA synchronous = {synchronous}")
            self._migrate(where)
        except sqlite3.DatabaseError as exc:
            raise StateStoreRefused(where, f"cannot be prepared ({exc})") from exc

    def _migrate(self, where: str) -> None:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._conn.execute("SELECT max(version) FROM schema_version").fetchone()
            current = int(row[0]) if row[0] is not None else 0
            if current > SCHEMA_VERSION:
                raise StateStoreRefused(
                    where,
                    f"has schema version {current}, newer than this release reads ({SCHEMA_VERSION});"
                    " upgrade smartcloudops",
                )
            for script in MIGRATIONS[current:]:
                for statement in _statements(script):
                    self._conn.execute(statement)
            if current < SCHEMA_VERSION:
                self._conn.execute("DELETE FROM schema_version")
                self._conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
                self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def schema_version(self) -> int:
        """The schema version stored in the file."""
        with self.reading() as conn:
            return int(conn.execute("SELECT max(version) FROM schema_version").fetchone()[0])

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """A ``BEGIN IMMEDIATE`` transaction, committed when the block ends and rolled back when it raises.

        Raises:
            StoreUnavailable: the file stayed locked past the busy timeout, or could not be written.
        """
        with self._lock, _translated(self.path):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._rollback()
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads (each statement sees one committed state).

        Raises:
            StoreUnavailable: the file could not be read.
        """
        with self._lock, _translated(self.path):
            yield self._conn

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()


def _check_place(path: Path) -> None:
    """Refuse a state directory that cannot hold the database, and a file that is not SQLite."""
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise StateStoreRefused(
            str(directory), "is a file, not a directory; set SCO_STATE__DIR to a directory"
        ) from exc
    except OSError as exc:
        raise StateStoreRefused(str(directory), f"cannot be created ({exc.strerror or exc})") from exc
    if not directory.is_dir():
        raise StateStoreRefused(str(directory), "is not a directory; set SCO_STATE__DIR to a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise StateStoreRefused(str(directory), "is not writable by this user")
    if path.exists() and not path.is_file():
        raise StateStoreRefused(str(path), "is not a regular file")
    if path.is_file() and path.stat().st_size > 0:
        try:
            with path.open("rb") as f:
                header = f.read(len(_SQLITE_HEADER))
        except OSError as exc:
            raise StateStoreRefused(str(path), f"cannot be read ({exc.strerror or exc})") from exc
        if header != _SQLITE_HEADER:
            raise StateStoreRefused(
                str(path), "is not a SQLite database; move it away or point SCO_STATE__DIR elsewhere"
            )


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


@contextmanager
def _translated(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreUnavailable(f"state store {path} unavailable: {exc}") from exc
