"""SqliteStores: the SQLite stores ``build_services`` uses, over one connection to the state file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from adapters.sqlite.anomalies import SqliteAnomalyStore
from adapters.sqlite.approvals import SqliteApprovalStore
from adapters.sqlite.auto_state import SqliteAutoRemediationState
from adapters.sqlite.database import StateDatabase
from adapters.sqlite.leases import SqliteJobLeases
from adapters.sqlite.rule_firings import SqliteRuleFirings
from domain.ports import Clock


@dataclass(frozen=True)
class SqliteStores:
    """The stores one machine's processes share when Redis is not configured."""

    database: StateDatabase
    anomalies: SqliteAnomalyStore
    approvals: SqliteApprovalStore
    leases: SqliteJobLeases
    auto_state: SqliteAutoRemediationState
    firings: SqliteRuleFirings

    @classmethod
    def in_directory(cls, directory: Path, clock: Clock) -> SqliteStores:
        """Open (creating or migrating) ``<directory>/state.db`` and build every store on it.

        Raises:
            StateStoreRefused: the directory or the file cannot be used.
        """
        db = StateDatabase.in_directory(directory)
        return cls(
            database=db,
            anomalies=SqliteAnomalyStore(db),
            approvals=SqliteApprovalStore(db),
            leases=SqliteJobLeases(db, clock),
            auto_state=SqliteAutoRemediationState(db, clock),
            firings=SqliteRuleFirings(db),
        )
