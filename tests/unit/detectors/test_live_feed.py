"""The live detection path: the engine bootstraps once, then reads only the minutes since the last cycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.clock import ManualClock
from adapters.memory.anomalies import InMemoryAnomalyStore
from adapters.simulated.metrics import SimulatedMetrics
from detectors.engine.feed import LiveFeed, fed_seconds
from detectors.service import DetectionService
from domain.errors import MetricsUnavailable
from domain.models import AnomalyStatus, MetricKind
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests.unit.detectors.recording_metrics import RecordingMetrics

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SIGNALS = (MetricKind.CPU, MetricKind.UP)


def _service(incidents: tuple[Incident, ...] = ()) -> tuple[DetectionService, RecordingMetrics, InMemoryAnomalyStore]:
    metrics = RecordingMetrics(SimulatedMetrics(FleetModel(5, incidents), ManualClock(NOW)))
    store = InMemoryAnomalyStore()
    feed = LiveFeed(metrics, bootstrap_hours=24, signals=SIGNALS)
    return DetectionService(metrics=metrics, store=store, detectors=(), feed=feed), metrics, store


def test_after_the_bootstrap_each_cycle_reads_only_the_minute_since_the_last() -> None:
    service, metrics, _ = _service()
    service.run_once(NOW)
    bootstrap_reads = list(metrics.spans)
    metrics.spans.clear()

    service.run_once(NOW + timedelta(minutes=1))

    assert max(bootstrap_reads) >= 12 * 3600
    assert metrics.spans == [60.0, 60.0]


def test_the_bootstrap_reads_reachability_once_to_size_both_the_fit_and_the_stretch_fed() -> None:
    service, metrics, _ = _service()

    service.run_once(NOW)

    up_history = [(start, step) for metric, start, step in metrics.reads if metric is MetricKind.UP and step > 60]
    assert len(up_history) == 1
    assert up_history[0][0] <= NOW.timestamp() - 23 * 3600


def test_a_gap_longer_than_half_an_hour_is_followed_by_a_fresh_bootstrap() -> None:
    service, metrics, _ = _service()
    service.run_once(NOW)
    metrics.spans.clear()

    service.run_once(NOW + timedelta(hours=2))

    assert max(metrics.spans) >= 12 * 3600


def test_an_engine_incident_is_one_anomaly_resolved_when_the_incident_ends() -> None:
    saturation = Incident(IncidentKind.CPU_SATURATION, "web-1", NOW.timestamp() + 10 * 60, 20 * 60)
    service, _, store = _service((saturation,))
    for minute in range(0, 45):
        service.run_once(NOW + timedelta(minutes=minute))

    cpu = [a for a in store.recent(50) if a.metric is MetricKind.CPU and a.host.name == "web-1"]
    assert len(cpu) == 1
    assert cpu[0].detector == "engine:anomaly"
    assert cpu[0].status is AnomalyStatus.RESOLVED
    assert cpu[0].started_at <= NOW + timedelta(minutes=15)
    assert cpu[0].ended_at is not None
    assert cpu[0].ended_at >= NOW + timedelta(minutes=30)


def test_prometheus_down_mid_bootstrap_misses_the_cycle_and_the_next_one_bootstraps() -> None:
    service, metrics, _ = _service()
    metrics.down_after = 1

    with pytest.raises(MetricsUnavailable):
        service.run_once(NOW)
    metrics.down_after = None
    metrics.spans.clear()
    service.run_once(NOW + timedelta(minutes=1))

    assert max(metrics.spans) >= 12 * 3600


def test_an_incident_open_before_a_gap_is_the_same_anomaly_after_the_re_bootstrap() -> None:
    saturation = Incident(IncidentKind.CPU_SATURATION, "web-1", NOW.timestamp() + 5 * 60, 3 * 3600)
    service, _, store = _service((saturation,))
    for minute in range(0, 15):
        service.run_once(NOW + timedelta(minutes=minute))

    for minute in range(60, 200):
        service.run_once(NOW + timedelta(minutes=minute))

    cpu = [a for a in store.recent(50) if a.metric is MetricKind.CPU and a.host.name == "web-1"]
    assert len(cpu) == 1
    assert cpu[0].status is AnomalyStatus.RESOLVED
    assert cpu[0].ended_at is not None
    assert cpu[0].ended_at.timestamp() >= saturation.start + saturation.duration


def test_an_incident_under_way_at_start_up_is_reported_by_the_first_cycle() -> None:
    began = NOW.timestamp() - 20 * 60
    service, _, _ = _service((Incident(IncidentKind.CPU_SATURATION, "web-1", began, 3600),))

    report = service.run_once(NOW)

    opened = [(a.host.name, a.metric) for a in report.opened]
    assert [("web-1", MetricKind.CPU)] == opened
    assert abs(report.opened[0].started_at.timestamp() - began) <= 5 * 60


@pytest.mark.parametrize("hours_ago", [1.0, 2.5, 5.0])
def test_an_incident_under_way_for_hours_at_start_up_is_reported_with_its_real_start(hours_ago: float) -> None:
    began = NOW.timestamp() - hours_ago * 3600
    service, _, _ = _service((Incident(IncidentKind.CPU_SATURATION, "web-1", began, 8 * 3600),))

    report = service.run_once(NOW)

    opened = [(a.host.name, a.metric) for a in report.opened]
    assert [("web-1", MetricKind.CPU)] == opened
    assert abs(report.opened[0].started_at.timestamp() - began) <= 10 * 60


def test_a_host_down_for_hours_at_start_up_is_reported_from_when_it_went_down() -> None:
    began = NOW.timestamp() - 3 * 3600
    service, _, _ = _service((Incident(IncidentKind.HOST_DOWN, "db-1", began, 8 * 3600),))

    report = service.run_once(NOW)

    down = [a for a in report.opened if a.host.name == "db-1" and a.metric is MetricKind.UP]
    assert len(down) == 1
    assert abs(down[0].started_at.timestamp() - began) <= 10 * 60


def test_a_memory_leak_under_way_at_start_up_is_reported_from_when_it_was_first_projected() -> None:
    began = NOW.timestamp() - 5 * 3600
    metrics = RecordingMetrics(
        SimulatedMetrics(
            FleetModel(5, (Incident(IncidentKind.MEMORY_LEAK, "db-1", began, 10 * 3600),)), ManualClock(NOW)
        )
    )
    feed = LiveFeed(metrics, bootstrap_hours=24, signals=(MetricKind.MEMORY, MetricKind.UP))
    service = DetectionService(metrics=metrics, store=InMemoryAnomalyStore(), detectors=(), feed=feed)

    report = service.run_once(NOW)

    leak = [a for a in report.opened if a.host.name == "db-1" and a.detector == "engine:memory_leak"]
    assert len(leak) == 1
    assert began <= leak[0].started_at.timestamp() <= NOW.timestamp() - 3600


def test_a_level_shift_older_than_the_horizon_at_start_up_is_reported_as_the_new_normal_it_became() -> None:
    began = NOW.timestamp() - 9 * 3600
    service, _, store = _service((Incident(IncidentKind.CPU_SATURATION, "web-1", began, 12 * 3600),))

    service.run_once(NOW)

    cpu = [a for a in store.recent(20) if a.metric is MetricKind.CPU]
    assert len(cpu) == 1
    assert cpu[0].status is AnomalyStatus.RESOLVED
    assert abs(cpu[0].started_at.timestamp() - began) <= 10 * 60
    assert "accepted as its new normal" in cpu[0].summary


def test_an_incident_over_before_start_up_is_recorded_with_when_it_began_and_ended() -> None:
    began = NOW.timestamp() - 3 * 3600
    service, _, store = _service((Incident(IncidentKind.CPU_SATURATION, "web-1", began, 40 * 60),))

    report = service.run_once(NOW)

    cpu = [a for a in store.recent(20) if a.metric is MetricKind.CPU]
    assert [(a.host.name, a.status) for a in cpu] == [("web-1", AnomalyStatus.RESOLVED)]
    assert abs(cpu[0].started_at.timestamp() - began) <= 5 * 60
    assert cpu[0].ended_at is not None
    assert began + 40 * 60 <= cpu[0].ended_at.timestamp() <= began + 60 * 60
    assert [a.id for a in report.resolved] == [cpu[0].id]


def test_a_large_fleet_or_a_short_history_feeds_less_of_it_at_start_up() -> None:
    horizon, day = 6 * 3600.0, 24 * 3600.0

    assert fed_seconds(20, step=60, horizon=horizon, history=day) == horizon
    assert fed_seconds(1000, step=60, horizon=horizon, history=7 * day) == horizon
    assert fed_seconds(4000, step=60, horizon=horizon, history=day) == 90 * 60
    assert fed_seconds(100_000, step=60, horizon=horizon, history=day) == 30 * 60
    assert fed_seconds(20, step=60, horizon=48 * 3600, history=day) == day / 2
    assert fed_seconds(20, step=60, horizon=horizon, history=4 * 3600) == 2 * 3600
    assert fed_seconds(20, step=60, horizon=horizon, history=0) == 30 * 60


def test_a_fleet_with_hours_of_history_is_fitted_on_half_of_them_and_the_rest_is_fed() -> None:
    began = NOW.timestamp() - 100 * 60
    saturation = Incident(IncidentKind.CPU_SATURATION, "web-1", began, 40 * 60)
    metrics = RecordingMetrics(SimulatedMetrics(FleetModel(5, (saturation,)), ManualClock(NOW)))
    metrics.born = NOW.timestamp() - 4 * 3600
    store = InMemoryAnomalyStore()
    service = DetectionService(
        metrics=metrics, store=store, detectors=(), feed=LiveFeed(metrics, bootstrap_hours=24, signals=SIGNALS)
    )

    service.run_once(NOW)

    cpu_reads = sorted(start for metric, start, _ in metrics.reads if metric is MetricKind.CPU)
    assert cpu_reads[0] <= NOW.timestamp() - 3 * 3600
    assert any(NOW.timestamp() - 121 * 60 <= start <= NOW.timestamp() - 105 * 60 for start in cpu_reads)
    cpu = [a for a in store.recent(20) if a.metric is MetricKind.CPU]
    assert [(a.host.name, a.status) for a in cpu] == [("web-1", AnomalyStatus.RESOLVED)]
    assert abs(cpu[0].started_at.timestamp() - began) <= 5 * 60


def test_a_quiet_fleet_opens_nothing_at_start_up() -> None:
    service, _, _ = _service()

    assert service.run_once(NOW).opened == ()


def _replica(store: InMemoryAnomalyStore, incidents: tuple[Incident, ...]) -> DetectionService:
    metrics = SimulatedMetrics(FleetModel(5, incidents), ManualClock(NOW))
    return DetectionService(
        metrics=metrics, store=store, detectors=(), feed=LiveFeed(metrics, bootstrap_hours=24, signals=SIGNALS)
    )


def test_an_incident_another_replica_already_stored_is_an_update_not_a_second_opening() -> None:
    began = NOW.timestamp() - 20 * 60
    store = InMemoryAnomalyStore()
    incidents = (Incident(IncidentKind.CPU_SATURATION, "web-1", began, 3600),)
    first, second = _replica(store, incidents), _replica(store, incidents)

    opened_first = first.run_once(NOW).opened
    report = second.run_once(NOW)

    assert [a.host.name for a in opened_first] == ["web-1"]
    assert report.opened == ()
    assert [a.id for a in report.updated] == [opened_first[0].id]
    assert [a.id for a in store.recent(10)] == [opened_first[0].id]


def test_an_acknowledged_engine_incident_stays_acknowledged_through_other_replicas_and_its_resolution() -> None:
    began = NOW.timestamp() - 20 * 60
    saturation = (Incident(IncidentKind.CPU_SATURATION, "web-1", began, 30 * 60),)
    store = InMemoryAnomalyStore()
    first, second = _replica(store, saturation), _replica(store, saturation)
    opened = first.run_once(NOW).opened[0]
    store.acknowledge(opened.id, by="U_ONCALL", at=NOW)

    seen_by_second = second.run_once(NOW).updated
    resolved = []
    for minute in range(1, 60):
        resolved += [a for a in first.run_once(NOW + timedelta(minutes=minute)).resolved if a.id == opened.id]

    final = store.get(opened.id)
    assert [(a.status, a.acknowledged_by) for a in seen_by_second] == [(AnomalyStatus.ACKNOWLEDGED, "U_ONCALL")]
    assert len(resolved) == 1
    assert final is not None
    assert (final.status, final.acknowledged_by) == (AnomalyStatus.RESOLVED, "U_ONCALL")


def test_a_host_going_down_is_a_host_down_incident_from_the_simulated_source() -> None:
    outage = Incident(IncidentKind.HOST_DOWN, "web-1", NOW.timestamp() + 5 * 60, 10 * 60)
    service = _replica(InMemoryAnomalyStore(), (outage,))

    opened = [a for minute in range(12) for a in service.run_once(NOW + timedelta(minutes=minute)).opened]

    assert [(a.host.name, a.metric, a.detector) for a in opened] == [("web-1", MetricKind.UP, "engine:host_down")]


def test_a_second_saturation_hours_after_a_long_first_one_is_an_incident_too() -> None:
    first = Incident(IncidentKind.CPU_SATURATION, "web-1", NOW.timestamp() + 10 * 60, 2 * 3600)
    second = Incident(IncidentKind.CPU_SATURATION, "web-1", first.start + first.duration + 2.5 * 3600, 3600)
    service = _replica(InMemoryAnomalyStore(), (first, second))

    opened = [a for minute in range(0, 6 * 60 + 30) for a in service.run_once(NOW + timedelta(minutes=minute)).opened]

    cpu = [a.started_at.timestamp() for a in opened if a.metric is MetricKind.CPU]
    assert len(cpu) == 2
    assert abs(cpu[0] - first.start) <= 5 * 60
    assert abs(cpu[1] - second.start) <= 5 * 60


def test_a_saturation_that_recurs_every_two_hours_stops_opening_incidents() -> None:
    bursts = tuple(
        Incident(IncidentKind.CPU_SATURATION, "web-1", NOW.timestamp() + (30 + 120 * k) * 60, 20 * 60) for k in range(6)
    )
    service = _replica(InMemoryAnomalyStore(), bursts)

    opened = [a for minute in range(12 * 60) for a in service.run_once(NOW + timedelta(minutes=minute)).opened]

    cpu = [a.started_at.timestamp() for a in opened if a.metric is MetricKind.CPU]
    assert [abs(t - b.start) <= 5 * 60 for t, b in zip(cpu[:2], bursts[:2], strict=True)] == [True, True]
    assert not [t for t in cpu if t >= bursts[3].start]


def test_a_pass_reports_each_incident_once_in_its_latest_state() -> None:
    began = NOW.timestamp() - 6 * 60
    metrics = SimulatedMetrics(
        FleetModel(5, (Incident(IncidentKind.CPU_SATURATION, "web-1", began, 3600),)), ManualClock(NOW)
    )
    store = InMemoryAnomalyStore()
    feed = LiveFeed(metrics, bootstrap_hours=24, signals=(MetricKind.CPU, MetricKind.LOAD))
    service = DetectionService(metrics=metrics, store=store, detectors=(), feed=feed)

    report = service.run_once(NOW)

    reported = [*report.opened, *report.updated, *report.resolved]
    ids = [a.id for a in reported]
    assert {MetricKind.CPU, MetricKind.LOAD} <= {a.metric for a in reported}
    assert len(ids) == len(set(ids))
    assert not report.updated
    for anomaly in reported:
        assert anomaly == store.get(anomaly.id)


@pytest.mark.parametrize("lasting_minutes", [25, 600])
@pytest.mark.parametrize("restart_after_minutes", [45, 90, 200])
def test_a_restart_records_the_incidents_it_finds_again_once(lasting_minutes: int, restart_after_minutes: int) -> None:
    saturation = Incident(IncidentKind.CPU_SATURATION, "web-1", NOW.timestamp() + 10 * 60, lasting_minutes * 60)
    store = InMemoryAnomalyStore()
    first = _replica(store, (saturation,))
    for minute in range(0, 40):
        first.run_once(NOW + timedelta(minutes=minute))
    seen = {a.id for a in store.recent(50)}

    restarted = _replica(store, (saturation,))
    restarted.run_once(NOW + timedelta(minutes=restart_after_minutes))

    cpu = [a for a in store.recent(50) if a.metric is MetricKind.CPU and a.host.name == "web-1"]
    assert len(cpu) == 1, [(a.started_at, a.ended_at) for a in cpu]
    assert {a.id for a in cpu} <= seen
