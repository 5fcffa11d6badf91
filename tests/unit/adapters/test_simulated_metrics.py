"""SimulatedMetrics answers the MetricsSource port from the fleet model, as Prometheus would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.clock import ManualClock
from adapters.prometheus import promql
from adapters.simulated.metrics import SimulatedMetrics
from domain.errors import InputError
from domain.hosts import resolve_host
from domain.models import HostRef, MetricKind
from simulator.fleet import FleetModel, Incident, IncidentKind

NOW = datetime(2026, 3, 10, 15, 0, 5, tzinfo=UTC)


@pytest.fixture
def metrics() -> SimulatedMetrics:
    t = NOW.timestamp()
    model = FleetModel(
        10,
        (
            Incident(IncidentKind.CPU_SATURATION, "db-1", t - 600, 3600),
            Incident(IncidentKind.HOST_DOWN, "cache-1", t - 300, 3600),
            Incident(IncidentKind.DISK_FILL, "api-2", t - 1700, 1800),
        ),
    )
    return SimulatedMetrics(model, ManualClock(NOW))


def test_a_down_host_is_missing_from_hosts_but_reported_by_up(metrics: SimulatedMetrics) -> None:
    names = [h.name for h in metrics.hosts()]
    up = {s.host.name: s.value for s in metrics.current(MetricKind.UP)}

    assert "cache-1" not in names
    assert 9 == len(names)
    assert 0.0 == up["cache-1"]
    assert 9 == sum(up.values())


def test_a_hostile_instance_is_an_input_error(metrics: SimulatedMetrics) -> None:
    with pytest.raises(InputError):
        metrics.current(MetricKind.CPU, [HostRef(instance='web-1"} or vector(1)')])


def test_range_step_is_capped_like_prometheus(metrics: SimulatedMetrics) -> None:
    series = metrics.range(MetricKind.CPU, None, start=NOW - timedelta(days=7), end=NOW, step_seconds=15)

    assert len(series[0].values) <= promql.MAX_POINTS_PER_SERIES
    assert NOW.timestamp() == pytest.approx(series[0].timestamps[-1], abs=600)


def test_current_at_a_past_time(metrics: SimulatedMetrics) -> None:
    before = metrics.current(MetricKind.CPU, [resolve_host("db-1", metrics.hosts())], at=NOW - timedelta(hours=1))

    assert before[0].value < 80
    assert NOW - timedelta(hours=1) == before[0].timestamp
