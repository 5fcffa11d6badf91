"""One stored anomaly per incident across restarts, and none left open for ever by a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.clock import ManualClock
from adapters.memory.anomalies import InMemoryAnomalyStore
from adapters.simulated.metrics import SimulatedMetrics
from detectors.engine.feed import LiveFeed
from detectors.incident_continuity import continued
from detectors.service import DetectionService
from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind, Severity
from simulator.fleet import FleetModel, Incident, IncidentKind

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SIGNALS = (MetricKind.CPU, MetricKind.UP)


def _record(
    name: str, started: datetime, *, ended: datetime | None = None, updated: datetime | None = None, **extra: object
) -> Anomaly:
    fields: dict[str, object] = {
        "id": f"{name}-{started:%H%M}",
        "host": HostRef(instance=f"{name}:9100", host=name),
        "metric": MetricKind.CPU,
        "detector": "engine:anomaly",
        "status": AnomalyStatus.OPEN if ended is None else AnomalyStatus.RESOLVED,
        "severity": Severity.HIGH,
        "score": 3.0,
        "value": 97.0,
        "started_at": started,
        "updated_at": updated or ended or started,
        "ended_at": ended,
        "summary": "web-1 CPU at 97.0%",
    }
    fields.update(extra)
    return Anomaly.model_validate(fields)


def test_an_incident_continues_the_stored_one_of_its_lane_it_overlaps() -> None:
    fresh = _record("web-1", NOW, updated=NOW + timedelta(minutes=5))
    overlapping = _record("web-1", NOW + timedelta(minutes=2), updated=NOW + timedelta(minutes=30))
    over_before = _record("web-1", NOW - timedelta(hours=2), ended=NOW - timedelta(hours=1))
    ended_as_it_began = _record("web-1", NOW - timedelta(minutes=20), ended=NOW)
    other_host = _record("web-2", NOW, updated=NOW + timedelta(minutes=30))
    other_detector = _record("web-1", NOW, updated=NOW + timedelta(minutes=30), detector="engine:host_down")
    other_disk = _record("web-1", NOW, updated=NOW + timedelta(minutes=30), mountpoint="/data")
    # Open in the store, but last seen open hours before: a record a crash left behind.
    left_by_a_crash = _record("web-1", NOW - timedelta(hours=5), updated=NOW - timedelta(hours=4))

    assert continued(fresh, [overlapping, over_before, other_host]) == overlapping
    for unrelated in (over_before, ended_as_it_began, other_host, other_detector, other_disk, left_by_a_crash):
        assert continued(fresh, [unrelated]) is None


def _service(store: InMemoryAnomalyStore, incidents: tuple[Incident, ...]) -> DetectionService:
    metrics = SimulatedMetrics(FleetModel(5, incidents), ManualClock(NOW))
    return DetectionService(
        metrics=metrics, store=store, detectors=(), feed=LiveFeed(metrics, bootstrap_hours=24, signals=SIGNALS)
    )


def test_a_restarted_engine_that_sees_an_incident_begin_later_keeps_its_stored_record() -> None:
    began = NOW - timedelta(hours=2)
    saturation = Incident(IncidentKind.CPU_SATURATION, "web-1", began.timestamp(), 8 * 3600)
    store = InMemoryAnomalyStore()
    # What the process before the restart stored: it saw the saturation open 3 minutes after it began.
    before = _record(
        "web-1",
        began + timedelta(minutes=3),
        updated=NOW - timedelta(minutes=5),
        host=HostRef(instance="10.0.0.10:9100", host="web-1"),
    )
    probe = _service(InMemoryAnomalyStore(), (saturation,))
    found = probe.run_once(NOW).opened[0]
    store.upsert(before.model_copy(update={"host": found.host}))

    report = _service(store, (saturation,)).run_once(NOW)

    cpu = [a for a in store.recent(20) if a.metric is MetricKind.CPU]
    assert [a.id for a in cpu] == [before.id]
    assert cpu[0].status is AnomalyStatus.OPEN
    assert cpu[0].started_at == min(before.started_at, found.started_at)
    assert report.opened == ()
    assert [a.id for a in report.updated] == [before.id]


def test_an_incident_a_crash_left_open_is_resolved_by_the_next_start_with_a_note() -> None:
    store = InMemoryAnomalyStore()
    quiet = _service(InMemoryAnomalyStore(), ())
    host = quiet.metrics.hosts()[2]
    crashed = _record(host.name, NOW - timedelta(hours=9), updated=NOW - timedelta(hours=8), host=host)
    down_elsewhere = crashed.model_copy(update={"id": "ignored", "metric": MetricKind.MEMORY})
    store.upsert(crashed)
    store.upsert(down_elsewhere)

    report = _service(store, ()).run_once(NOW)

    closed = store.get(crashed.id)
    assert closed is not None
    assert closed.status is AnomalyStatus.RESOLVED
    assert closed.ended_at == NOW
    assert "not abnormal when detection started again" in closed.summary
    assert [a.id for a in report.resolved] == [crashed.id]
    # A signal this engine does not watch is not its to close.
    untouched = store.get("ignored")
    assert untouched is not None
    assert untouched.status is AnomalyStatus.OPEN
