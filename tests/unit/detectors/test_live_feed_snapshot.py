"""Start-up from a saved snapshot: resumed, then fed only the minutes since; a bad one is bootstrapped over."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from structlog.testing import capture_logs

from adapters.clock import ManualClock
from adapters.simulated.metrics import SimulatedMetrics
from detectors.engine.events import EventKind
from detectors.engine.feed import LiveFeed
from detectors.engine.fleet import FleetEngine
from detectors.engine.history import bootstrap
from detectors.engine.snapshot import SnapshotError, encode
from domain.models import MetricKind
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests.unit.detectors.recording_metrics import RecordingMetrics
from tests.unit.detectors.test_live_feed import NOW, SIGNALS

HOUR = 3600.0
MODEL = FleetModel(5)


def _metrics() -> RecordingMetrics:
    return RecordingMetrics(SimulatedMetrics(MODEL, ManualClock(NOW + timedelta(hours=1))))


def _snapshot(*, hosts: int = 5, until: float = NOW.timestamp()) -> bytes:
    engine = FleetEngine()
    history = np.arange(until - 24 * HOUR, until + 1, 60.0)
    for signal in SIGNALS:
        engine.bootstrap(signal, MODEL.refs[:hosts], history, MODEL.rates(signal, history)[:hosts])
    return encode(engine, covered_from=until - 24 * HOUR, covered_until=until)


def _failing() -> bytes:
    raise SnapshotError("engine_snapshot.npz: sha256 0123456789ab… does not match the manifest")


def test_a_sound_snapshot_is_resumed_and_only_the_minutes_since_its_end_are_read() -> None:
    metrics = _metrics()
    payload = _snapshot()
    feed = LiveFeed(metrics, bootstrap_hours=24, signals=SIGNALS, restore=lambda: payload)

    with capture_logs() as logs:
        feed.advance_to(NOW + timedelta(minutes=10))

    loaded = [e for e in logs if e["event"] == "detection_snapshot_loaded"]
    assert [10] == [e["caught_up_minutes"] for e in loaded]
    assert 0 == loaded[0]["bootstrapped_lanes"]
    assert max(metrics.spans) <= 10 * 60
    assert (NOW + timedelta(minutes=10)).timestamp() == feed.last
    assert NOW.timestamp() - 24 * HOUR == feed.since


def test_a_host_the_snapshot_lacks_is_bootstrapped_from_its_history() -> None:
    metrics = _metrics()
    payload = _snapshot(hosts=4)
    feed = LiveFeed(metrics, bootstrap_hours=24, signals=SIGNALS, restore=lambda: payload)

    with capture_logs() as logs:
        feed.advance_to(NOW + timedelta(minutes=5))

    newcomer = int(feed.engine.lanes(MetricKind.CPU, MODEL.refs[4:])[0])
    # One lane per signal watched: cpu and up.
    assert [2] == [e["bootstrapped_lanes"] for e in logs if e["event"] == "detection_snapshot_loaded"]
    assert feed.engine.baselines.count[newcomer] > 100


def test_a_bad_snapshot_is_logged_and_the_engine_bootstraps_from_history() -> None:
    metrics = _metrics()
    feed = LiveFeed(metrics, bootstrap_hours=24, signals=SIGNALS, restore=_failing)

    with capture_logs() as logs:
        feed.advance_to(NOW)

    refused = [e for e in logs if e["event"] == "detection_snapshot_refused"]
    assert ["engine_snapshot.npz: sha256 0123456789ab… does not match the manifest"] == [e["error"] for e in refused]
    assert any(e["event"] == "detection_bootstrapped" for e in logs)
    assert max(metrics.spans) >= 12 * 3600


def test_a_snapshot_older_than_the_catch_up_limit_is_not_used() -> None:
    metrics = _metrics()
    payload = _snapshot(until=NOW.timestamp() - 72 * HOUR)
    feed = LiveFeed(metrics, bootstrap_hours=24, signals=SIGNALS, restore=lambda: payload)

    with capture_logs() as logs:
        feed.advance_to(NOW)

    assert ["72.0 h old"] == [e["reason"] for e in logs if e["event"] == "detection_snapshot_unused"]
    assert any(e["event"] == "detection_bootstrapped" for e in logs)


def test_a_fresh_bootstrap_and_a_resumed_snapshot_see_the_same_lanes() -> None:
    resumed = LiveFeed(_metrics(), bootstrap_hours=24, signals=SIGNALS, restore=lambda: _snapshot())
    fresh = FleetEngine()
    bootstrap(fresh, _metrics(), start=NOW.timestamp() - 24 * HOUR, end=NOW.timestamp(), signals=SIGNALS)

    resumed.advance_to(NOW + timedelta(minutes=1))

    assert fresh.keys == resumed.engine.keys


def test_an_incident_in_the_hours_since_the_snapshot_is_reported_by_the_first_cycle() -> None:
    saturated = FleetModel(5, (Incident(IncidentKind.CPU_SATURATION, "web-1", NOW.timestamp() - 2 * HOUR, 3 * HOUR),))
    metrics = RecordingMetrics(SimulatedMetrics(saturated, ManualClock(NOW)))
    payload = _snapshot(until=NOW.timestamp() - 5 * HOUR)
    feed = LiveFeed(metrics, bootstrap_hours=24, signals=SIGNALS, restore=lambda: payload)

    events = feed.advance_to(NOW)

    opened = [(e.incident.host.name, e.incident.signal) for e in events if e.kind is EventKind.OPENED]
    assert [("web-1", MetricKind.CPU)] == opened
    assert max(metrics.spans) <= 2 * HOUR
