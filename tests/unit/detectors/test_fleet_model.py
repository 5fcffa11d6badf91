"""The trained fleet model and live detection with it, over a simulated fleet (no servers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from adapters.clock import ManualClock
from adapters.memory.anomalies import InMemoryAnomalyStore
from adapters.simulated.metrics import SimulatedMetrics
from detectors.model.fleet_model import FEATURES, FleetBaselineModel
from detectors.model.training import fit_from_series
from detectors.service import DetectionService
from domain.models import AnomalyStatus, MetricKind, Severity
from simulator.fleet import FleetModel, Incident, IncidentKind

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TRAIN_HOURS = 24


def _train(fleet: FleetModel, end: datetime, *, hosts: int | None = None) -> FleetBaselineModel:
    metrics = SimulatedMetrics(fleet, ManualClock(end))
    start = end - timedelta(hours=TRAIN_HOURS)
    known = fleet.refs[:hosts] if hosts else None
    series = [s for f in FEATURES for s in metrics.range(MetricKind(f), known, start=start, end=end, step_seconds=60)]
    return fit_from_series(series, FEATURES, start=start.timestamp(), end=end.timestamp(), step=60)


@pytest.fixture(scope="module")
def trained() -> FleetBaselineModel:
    return _train(FleetModel(6), NOW - timedelta(hours=1))


def _service(fleet: FleetModel, clock: ManualClock, model: FleetBaselineModel) -> DetectionService:
    return DetectionService(
        metrics=SimulatedMetrics(fleet, clock),
        store=InMemoryAnomalyStore(),
        detectors=(),
        metric_kinds=(),
        model=model,
    )


def test_every_host_gets_its_own_baseline(trained: FleetBaselineModel) -> None:
    assert 6 == len(trained.hosts)
    assert FEATURES == trained.features
    assert trained.fleet.on > trained.fleet.off > 0


def test_quiet_fleet_raises_nothing(trained: FleetBaselineModel) -> None:
    clock = ManualClock(NOW)
    report = _service(FleetModel(6), clock, trained).run_once(NOW)

    assert () == report.opened
    assert 6 * len(FEATURES) == report.series_checked


def test_incident_is_one_anomaly_that_updates_then_resolves(trained: FleetBaselineModel) -> None:
    start = NOW.timestamp() - 10 * 60
    fleet = FleetModel(6, (Incident(IncidentKind.CPU_SATURATION, "web-1", start, 40 * 60),))
    clock = ManualClock(NOW)
    service = _service(fleet, clock, trained)

    first = service.run_once(NOW)
    second = service.run_once(NOW + timedelta(minutes=5))
    later = service.run_once(NOW + timedelta(minutes=60))

    assert [("web-1", True)] == [(a.host.name, a.metric in (MetricKind.CPU, MetricKind.LOAD)) for a in first.opened]
    opened = first.opened[0]
    assert AnomalyStatus.OPEN == opened.status
    assert opened.started_at <= NOW - timedelta(minutes=5)
    assert Severity.CRITICAL == opened.severity
    assert [opened.id] == [a.id for a in second.updated]
    assert () == second.opened
    assert [opened.id] == [a.id for a in later.resolved]
    assert AnomalyStatus.RESOLVED == service.store.get(opened.id).status


def test_new_host_is_judged_against_the_fleet() -> None:
    start = NOW.timestamp() - 10 * 60
    fleet = FleetModel(8, (Incident(IncidentKind.CPU_SATURATION, "db-2", start, 3600),))
    model = _train(FleetModel(8), NOW - timedelta(hours=1), hosts=6)
    service = _service(fleet, ManualClock(NOW), model)

    report = service.run_once(NOW)

    assert {"10.0.1.17:9100", "10.0.1.18:9100"}.isdisjoint(model.hosts)
    assert ["db-2"] == [a.host.name for a in report.opened]
    assert "the fleet baseline" in report.opened[0].summary


def test_score_cycle_is_causal_and_vectorised(trained: FleetBaselineModel) -> None:
    rng = np.random.default_rng(0)
    instances = list(trained.hosts)
    cube = np.stack([trained.hosts[i].median + rng.normal(0, 0.1, (30, len(FEATURES))) for i in instances])
    cube[0, 20:, 0] = 100.0

    full = trained.score_cycle(instances, cube)
    cut = trained.score_cycle(instances, cube[:, :25])

    assert full.alarm_rows[:, :25].tolist() == cut.alarm_rows.tolist()
    assert full.alarm_rows[0, -1]
    assert not full.alarm_rows[1:, -1].any()
    assert 0 == int(full.culprit[0])


def test_missing_history_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no usable training rows"):
        FleetBaselineModel.fit({"a:9100": np.full((5, len(FEATURES)), np.nan)}, trained_from=0, trained_to=1)


def test_acknowledged_incident_stays_acknowledged_until_it_resolves(trained: FleetBaselineModel) -> None:
    start = NOW.timestamp() - 10 * 60
    fleet = FleetModel(6, (Incident(IncidentKind.CPU_SATURATION, "web-1", start, 40 * 60),))
    service = _service(fleet, ManualClock(NOW), trained)
    opened = service.run_once(NOW).opened[0]

    service.store.acknowledge(opened.id, by="U_LEAD", at=NOW + timedelta(minutes=1))
    during = service.run_once(NOW + timedelta(minutes=5))
    after = service.run_once(NOW + timedelta(minutes=60))

    assert [(opened.id, AnomalyStatus.ACKNOWLEDGED, "U_LEAD")] == [
        (a.id, a.status, a.acknowledged_by) for a in during.updated
    ]
    assert [(opened.id, AnomalyStatus.RESOLVED)] == [(a.id, a.status) for a in after.resolved]
