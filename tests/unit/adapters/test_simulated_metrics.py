"""SimulatedMetrics answers the whole MetricsSource port from the fleet model, as Prometheus would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.clock import ManualClock
from adapters.prometheus import promql
from adapters.simulated.metrics import SimulatedMetrics
from domain.errors import InputError, UnknownHost
from domain.models import MetricKind
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


def test_top_puts_the_saturated_host_first(metrics: SimulatedMetrics) -> None:
    top = metrics.top(MetricKind.CPU, 3)

    assert "db-1" == top[0].host.name
    assert 3 == len(top)
    assert top[0].value >= top[1].value >= top[2].value


def test_bottom_n_is_lowest_first(metrics: SimulatedMetrics) -> None:
    bottom = metrics.top(MetricKind.MEMORY, 2, largest=False)

    assert bottom[0].value <= bottom[1].value


def test_disk_usage_has_each_mountpoint_and_sees_the_filling_disk(metrics: SimulatedMetrics) -> None:
    usage = metrics.disk_usage()
    api2 = {d.mountpoint: d.used_percent for d in usage if d.host.name == "api-2"}

    assert {"/", "/data"} == {d.mountpoint for d in usage}
    assert 9 * 2 == len(usage)
    assert api2["/"] > 90
    assert ["/data"] * 9 == [d.mountpoint for d in metrics.disk_usage(mountpoint="/data")]


def test_a_hostile_mountpoint_is_an_input_error(metrics: SimulatedMetrics) -> None:
    with pytest.raises(InputError):
        metrics.disk_usage(mountpoint='/"} or vector(1)')


@pytest.mark.parametrize("name", ["web-1", "WEB-1:9100", "10.0.1.11", "10.0.1.11:9100"])
def test_resolve_host_by_any_name(metrics: SimulatedMetrics, name: str) -> None:
    assert "web-1" == metrics.resolve_host(name).host


def test_resolve_host_by_instance_id(metrics: SimulatedMetrics) -> None:
    ref = metrics.model.refs[metrics.model.index_of("db-2")]

    assert ref == metrics.resolve_host(str(ref.instance_id))


def test_an_unknown_host_suggests_close_names(metrics: SimulatedMetrics) -> None:
    with pytest.raises(UnknownHost) as caught:
        metrics.resolve_host("web-7")

    assert "web-1" in caught.value.close_matches


def test_label_values_list_hosts_and_refuse_bad_names(metrics: SimulatedMetrics) -> None:
    assert ["node"] == metrics.label_values("job")
    assert 10 == len(metrics.label_values("instance"))
    assert "cache-1" == metrics.resolve_host("cache-1").host
    with pytest.raises(InputError):
        metrics.label_values("host/../x")


def test_range_step_is_capped_like_prometheus(metrics: SimulatedMetrics) -> None:
    series = metrics.range(MetricKind.CPU, None, start=NOW - timedelta(days=7), end=NOW, step_seconds=15)

    assert len(series[0].values) <= promql.MAX_POINTS_PER_SERIES
    assert NOW.timestamp() == pytest.approx(series[0].timestamps[-1], abs=600)


def test_ranges_batch_several_metrics(metrics: SimulatedMetrics) -> None:
    result = metrics.ranges(
        [MetricKind.CPU, MetricKind.MEMORY, MetricKind.CPU],
        None,
        start=NOW - timedelta(hours=1),
        end=NOW,
        step_seconds=60,
    )

    assert [MetricKind.CPU, MetricKind.MEMORY] == list(result)
    assert [61] * 9 == [len(s.values) for s in result[MetricKind.MEMORY]]


def test_current_at_a_past_time(metrics: SimulatedMetrics) -> None:
    before = metrics.current(MetricKind.CPU, [metrics.resolve_host("db-1")], at=NOW - timedelta(hours=1))

    assert before[0].value < 80
    assert NOW - timedelta(hours=1) == before[0].timestamp
