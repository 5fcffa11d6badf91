"""SpoolingAnomalyStore: keeps anomaly writes when the primary store (Redis) is down, and replays them.

Writes go to the primary store. When it raises ``StoreUnavailable`` the anomaly is appended to a
local JSON-lines spool (flushed and fsynced) instead; once anything is spooled, later writes queue
behind it so the order is kept. Every call first tries to replay the spool, oldest first; a line
leaves the spool only after the primary store accepted it. While the primary is down, reads are
answered from the spooled anomalies and the last open incidents seen: the detection path's
(``open_for``, ``open_anomalies``, ``get``), so an incident is updated rather than opened twice, and
the people's (``recent``, ``for_host``, ``between``: ``/ops anomalies``, the digest), so they see
what was detected during the outage instead of an error.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import structlog

from domain.errors import StoreUnavailable
from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind
from domain.ports import AnomalyStore

T = TypeVar("T")
log = structlog.get_logger(__name__)


class SpoolingAnomalyStore:
    """An AnomalyStore that never loses a write while its primary store is unavailable.

    Args:
        primary: the real store (Redis).
        spool_path: the local JSON-lines file that holds writes the primary could not take.
    """

    def __init__(self, primary: AnomalyStore, spool_path: Path) -> None:
        self.primary = primary
        self.spool_path = spool_path
        self._lock = threading.RLock()
        self._known_open: dict[str, Anomaly] = {}
        self._pending: list[Anomaly] = self._read_spool()

    def _read_spool(self) -> list[Anomaly]:
        if not self.spool_path.exists():
            return []
        items: list[Anomaly] = []
        for n, line in enumerate(self.spool_path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(Anomaly.model_validate_json(line))
            except ValueError:
                rejected = self.spool_path.with_suffix(self.spool_path.suffix + ".rejected")
                with rejected.open("a", encoding="utf-8") as out:
                    out.write(line + "\n")
                log.error("anomaly_spool_line_rejected", path=str(self.spool_path), line=n, kept_in=str(rejected))
        return items

    def _rewrite_spool(self) -> None:
        tmp = self.spool_path.with_suffix(self.spool_path.suffix + ".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            for a in self._pending:
                out.write(a.model_dump_json() + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.spool_path)

    def _append(self, anomaly: Anomaly) -> None:
        self.spool_path.parent.mkdir(parents=True, exist_ok=True)
        with self.spool_path.open("a", encoding="utf-8") as out:
            out.write(anomaly.model_dump_json() + "\n")
            out.flush()
            os.fsync(out.fileno())
        self._pending.append(anomaly)

    @property
    def spooled(self) -> int:
        """How many writes wait for the primary store."""
        with self._lock:
            return len(self._pending)

    def replay(self) -> int:
        """Send spooled writes to the primary store, oldest first; returns how many went through."""
        with self._lock:
            sent = 0
            try:
                while self._pending:
                    self.primary.upsert(self._pending[0])
                    self._pending.pop(0)
                    sent += 1
            except StoreUnavailable:
                pass
            if sent:
                if self._pending:
                    self._rewrite_spool()
                else:
                    self.spool_path.unlink(missing_ok=True)
                log.info("anomaly_spool_replayed", sent=sent, left=len(self._pending))
            return sent

    def _remember(self, anomaly: Anomaly) -> None:
        if anomaly.status is AnomalyStatus.RESOLVED:
            self._known_open.pop(anomaly.id, None)
        else:
            self._known_open[anomaly.id] = anomaly

    def upsert(self, anomaly: Anomaly) -> None:
        """Write to the primary store, or spool the write when it is down."""
        with self._lock:
            self.replay()
            self._remember(anomaly)
            if not self._pending:
                try:
                    self.primary.upsert(anomaly)
                    return
                except StoreUnavailable as exc:
                    log.warning("anomaly_store_unavailable_spooling", error=str(exc), path=str(self.spool_path))
            self._append(anomaly)

    def _local(self) -> dict[str, Anomaly]:
        view = dict(self._known_open)
        for a in self._pending:
            view[a.id] = a
        return view

    def _read(self, remote: Callable[[], T], local: Callable[[dict[str, Anomaly]], T]) -> T:
        with self._lock:
            self.replay()
            if not self._pending:
                try:
                    return remote()
                except StoreUnavailable:
                    pass
            return local(self._local())

    def get(self, anomaly_id: str) -> Anomaly | None:
        """The anomaly with this id (spooled writes first while the primary is behind)."""
        return self._read(lambda: self.primary.get(anomaly_id), lambda view: view.get(anomaly_id))

    def open_for(self, host: HostRef, metric: MetricKind, detector: str) -> Anomaly | None:
        """The open incident for this host, metric and detector."""

        def local(view: dict[str, Anomaly]) -> Anomaly | None:
            for a in view.values():
                if (a.host.instance, a.metric, a.detector) == (host.instance, metric, detector) and (
                    a.status is not AnomalyStatus.RESOLVED
                ):
                    return a
            return None

        def remote() -> Anomaly | None:
            found = self.primary.open_for(host, metric, detector)
            if found is not None:
                self._remember(found)
            return found

        return self._read(remote, local)

    def open_anomalies(self) -> list[Anomaly]:
        """Unresolved anomalies, newest first."""

        def remote() -> list[Anomaly]:
            found = self.primary.open_anomalies()
            self._known_open = {a.id: a for a in found}
            return found

        def local(view: dict[str, Anomaly]) -> list[Anomaly]:
            items = [a for a in view.values() if a.status is not AnomalyStatus.RESOLVED]
            return sorted(items, key=lambda a: (a.started_at, a.id), reverse=True)

        return self._read(remote, local)

    def _newest_first(self, view: dict[str, Anomaly], keep: Callable[[Anomaly], bool]) -> list[Anomaly]:
        return sorted((a for a in view.values() if keep(a)), key=lambda a: (a.started_at, a.id), reverse=True)

    def recent(self, limit: int) -> list[Anomaly]:
        """Newest first (while the primary is down: the spooled and last open anomalies)."""
        return self._read(
            lambda: self.primary.recent(limit), lambda view: self._newest_first(view, lambda _a: True)[:limit]
        )

    def for_host(self, host: HostRef, limit: int) -> list[Anomaly]:
        """Newest first, one host (while the primary is down: from the spooled and last open anomalies)."""
        return self._read(
            lambda: self.primary.for_host(host, limit),
            lambda view: self._newest_first(view, lambda a: a.host.instance == host.instance)[:limit],
        )

    def between(self, start: datetime, end: datetime) -> list[Anomaly]:
        """Started in the range, newest first (while the primary is down: from the spooled and last open ones)."""
        return self._read(
            lambda: self.primary.between(start, end),
            lambda view: self._newest_first(view, lambda a: start <= a.started_at <= end),
        )

    def acknowledge(self, anomaly_id: str, *, by: str, at: datetime) -> Anomaly | None:
        """Acknowledge in the primary store, once the spool has been replayed."""
        with self._lock:
            self.replay()
            if self._pending:
                raise StoreUnavailable("the anomaly store is unavailable; try acknowledging again shortly")
            return self.primary.acknowledge(anomaly_id, by=by, at=at)
