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


def test_a_down_host_is_a_known_host_reported_down_by_up(metrics: SimulatedMetrics) -> None:
    names = [h.name for h in metrics.hosts()]
    up = {s.host.name: s.value for s in metrics.current(MetricKind.UP)}

    assert "cache-1" in names
    assert 10 == len(names)
    assert 0.0 == up["cache-1"]
    assert 9 == sum(up.values())


def test_a_down_host_was_last_seen_when_its_outage_began(metrics: SimulatedMetrics) -> None:
    states = {s.ref.name: s for s in metrics.host_states()}

    assert (False, NOW - timedelta(seconds=300)) == (states["cache-1"].up, states["cache-1"].last_seen)
    assert [] == [name for name, s in states.items() if name != "cache-1" and not s.up]


def test_a_down_host_has_no_series_but_up(metrics: SimulatedMetrics) -> None:
    cache = resolve_host("cache-1", metrics.hosts())

    assert [] == metrics.current(MetricKind.CPU, [cache])


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
