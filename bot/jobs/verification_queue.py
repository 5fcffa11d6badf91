"""Where fixes waiting for their check are kept: in the conversation store, so restarts and replicas share them.

Each executed request gets one entry (``remediation-check:<id>``): when it ran, the check once it is
built, its outcome once audited and whether the thread was told. An index of the entries still
open (``remediation-checks``) is changed only under a shared lock (the scheduler's leases), since
any replica that executes a request adds to it while the job's replica takes entries off.
Which incident a request was made for (Suggest fix, a next step) is kept beside it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import structlog
from pydantic import BaseModel, ValidationError

from domain.errors import OpsError
from domain.ports import ConversationStore, JobLeases
from remediation.approval import ApprovalRequest
from remediation.verification import CheckOutcome, RemediationCheck

log = structlog.get_logger(__name__)

_INDEX = "remediation-checks"
_LOCK = "lock:remediation-checks"
_LOCK_TTL_MS = 5000
_LOCK_WAIT_SECONDS = 5.0
_LOCK_POLL_SECONDS = 0.05


class QueuedCheck(BaseModel):
    """One executed request on its way through its check."""

    request_id: str
    executed_at: datetime
    check: RemediationCheck | None = None
    #: Set once the outcome is in the audit log.
    outcome: CheckOutcome | None = None
    recovered_at: datetime | None = None
    latest: float | None = None


@dataclass
class VerificationQueue:
    """The checks not yet told in their thread, shared through a ``ConversationStore``.

    Args:
        store: where entries and the index live (Redis, or the state directory).
        locks: the shared leases that guard the index (None: this process is the only writer).
        sleep: how to wait for the lock.
    """

    store: ConversationStore
    locks: JobLeases | None = None
    sleep: Callable[[float], None] = time.sleep

    @contextmanager
    def _index_lock(self) -> Iterator[None]:
        """Hold the index's lock; after a few seconds without it, go on (an entry must not be lost to a stuck lock)."""
        if self.locks is None:
            yield
            return
        token, waited = uuid.uuid4().hex, 0.0
        while not self.locks.acquire(_LOCK, token, _LOCK_TTL_MS):
            if waited >= _LOCK_WAIT_SECONDS:
                log.warning("remediation_check_index_unlocked", waited_seconds=waited)
                break
            self.sleep(_LOCK_POLL_SECONDS)
            waited += _LOCK_POLL_SECONDS
        try:
            yield
        finally:
            self.locks.release(_LOCK, token)

    def ids(self) -> list[str]:
        """The requests whose check is still open, oldest first."""
        raw = self.store.load(_INDEX) or {}
        return [str(i) for i in raw.get("ids", [])]

    def _change_index(self, change: Callable[[list[str]], list[str]]) -> None:
        with self._index_lock():
            ids = self.ids()
            self.store.save(_INDEX, {"ids": list(dict.fromkeys(change(ids)))})

    def add(self, request: ApprovalRequest) -> None:
        """Queue the check of a request that just ran and succeeded (an outage is logged: the action stands)."""
        try:
            if self.get(request.id) is None:
                self.put(QueuedCheck(request_id=request.id, executed_at=request.updated_at))
            self._change_index(lambda ids: [*ids, request.id])
        except OpsError as exc:
            log.error("remediation_check_not_queued", request_id=request.id, error=str(exc))

    def get(self, request_id: str) -> QueuedCheck | None:
        """The entry of a request, if any."""
        raw = self.store.load(f"remediation-check:{request_id}")
        try:
            return None if raw is None else QueuedCheck.model_validate(raw)
        except ValidationError:
            return None

    def put(self, entry: QueuedCheck) -> None:
        """Store (or refresh) an entry."""
        self.store.save(f"remediation-check:{entry.request_id}", entry.model_dump(mode="json"))

    def done(self, request_id: str) -> None:
        """Take a request off the index: its thread was told (or never can be)."""
        self._change_index(lambda ids: [i for i in ids if i != request_id])

    def remember_origin(self, request_id: str, anomaly_id: str) -> None:
        """Record the incident a request was made for (its check then watches that incident's signal)."""
        self.store.save(f"remediation-origin:{request_id}", {"anomaly_id": anomaly_id})

    def origin(self, request_id: str) -> str | None:
        """The incident a request was made for, if one was recorded."""
        raw = self.store.load(f"remediation-origin:{request_id}") or {}
        return str(raw["anomaly_id"]) if raw.get("anomaly_id") else None
