"""One stored anomaly per incident across restarts: which stored record an engine's incident continues.

An engine built again (a restart without a snapshot, a fresh bootstrap after a gap, another
replica) finds the incidents of the history it feeds once more. Fitted on other history, it can
see one open a minute or two away from the stored start: another start, so another id. Such an
incident continues the stored anomaly of its lane (host, signal, detector, filesystem) whose span
it overlaps (from its start until it ended, or until it was last updated while open), and keeps
that anomaly's id and its earlier start, instead of being recorded twice.

A stored incident that a rebuilt engine does not hold open after its first cycle is no longer
abnormal: it is resolved then, with a note, so no record stays open for ever after a crash.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from detectors.incident_records import ENGINE_DETECTOR
from domain.models import Anomaly, AnomalyStatus
from domain.ports import AnomalyStore

#: The stored anomalies of a host looked through for the one an incident continues.
_LOOK_BACK = 50


def _lane(a: Anomaly) -> tuple[str, str, str, str]:
    return a.host.instance, a.metric.value, a.detector, a.mountpoint or ""


def continued(fresh: Anomaly, stored: Iterable[Anomaly]) -> Anomaly | None:
    """The stored anomaly of ``fresh``'s lane whose span overlaps it (the latest to start), if any."""
    found: Anomaly | None = None
    for other in stored:
        if other.id == fresh.id or _lane(other) != _lane(fresh):
            continue
        seen_until = other.ended_at if other.ended_at is not None else other.updated_at
        overlaps = other.started_at <= (fresh.ended_at or fresh.updated_at) and fresh.started_at < seen_until
        if overlaps and (found is None or other.started_at > found.started_at):
            found = other
    return found


class IncidentContinuity:
    """The stored records the engine's open incidents continue, by the id the engine gives each."""

    def __init__(self) -> None:
        self._records: dict[str, tuple[str, datetime]] = {}

    def as_stored(self, fresh: Anomaly, store: AnomalyStore) -> Anomaly:
        """``fresh`` under the id and start of the stored anomaly it continues (itself when none)."""
        record = self._records.get(fresh.id)
        if record is None and store.get(fresh.id) is None:
            earlier = continued(fresh, store.for_host(fresh.host, _LOOK_BACK))
            if earlier is not None:
                record = self._records[fresh.id] = (earlier.id, earlier.started_at)
        if fresh.status is AnomalyStatus.RESOLVED:
            self._records.pop(fresh.id, None)
        if record is None:
            return fresh
        return fresh.model_copy(update={"id": record[0], "started_at": min(record[1], fresh.started_at)})

    def stored_id(self, engine_id: str) -> str:
        """The id the incident the engine calls ``engine_id`` is stored under."""
        record = self._records.get(engine_id)
        return engine_id if record is None else record[0]


def left_open(stored_open: Iterable[Anomaly], held_open: Collection[str], metrics: Collection[str]) -> list[Anomaly]:
    """The engine's stored open anomalies (of the signals in ``metrics``) whose ids are not in ``held_open``."""
    return [
        a
        for a in stored_open
        if a.detector.startswith(ENGINE_DETECTOR) and a.metric.value in metrics and a.id not in held_open
    ]


def closed_at_restart(anomaly: Anomaly, now: datetime) -> Anomaly:
    """``anomaly`` resolved at ``now``: the rebuilt engine did not find it abnormal."""
    note = f"not abnormal when detection started again at {now.strftime('%Y-%m-%d %H:%M UTC')}"
    summary = f"{anomaly.summary}; {note}" if anomaly.summary else note
    return anomaly.model_copy(
        update={"status": AnomalyStatus.RESOLVED, "ended_at": now, "updated_at": now, "summary": summary}
    )
