"""PromQL builders and label validation, including hostile values."""

from __future__ import annotations

import pytest

from domain.errors import InputError
from domain.models import MetricKind
from tools import promql


@pytest.mark.parametrize(
    "value",
    [
        'web-1"} or vector(1) #',
        "web-1\nup",
        "web.*",
        "web-1|db-1",
        "(web)",
        "x" * 10_000,
        "",
        " web-1",
        "web-1}",
        "web\\-1",
        "web-1\x00",
    ],
)
def test_hostile_label_values_are_refused(value: str) -> None:
    with pytest.raises(InputError):
        promql.metric_query(MetricKind.CPU, [value])


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        (
            MetricKind.CPU,
            '100 * (1 - avg by (instance, host, instance_id) (rate(node_cpu_seconds_total{mode="idle",instance="web-1:9100"}[1m])))',
        ),
        (MetricKind.LOAD, 'max by (instance, host, instance_id) (node_load1{instance="web-1:9100"})'),
        (MetricKind.UP, 'max by (instance, host, instance_id) (up{instance="web-1:9100"})'),
        (
            MetricKind.NETWORK_IN,
            'sum by (instance, host, instance_id) (rate(node_network_receive_bytes_total{device!~"lo|veth.*|docker.*|br-.*",instance="web-1:9100"}[1m])) / 1e6',
        ),
    ],
)
def test_builders_select_one_host(metric: MetricKind, expected: str) -> None:
    assert expected == promql.metric_query(metric, ["web-1:9100"])


def test_fleet_query_has_no_host_matcher() -> None:
    assert "instance" not in promql.metric_query(MetricKind.MEMORY, None).split("by (")[0]
    assert "{}" in promql.metric_query(MetricKind.MEMORY, None)


def test_several_hosts_become_an_escaped_regex() -> None:
    query = promql.metric_query(MetricKind.LOAD, ["10.0.1.1:9100", "web-2"])
    assert 'instance=~"10\\\\.0\\\\.1\\\\.1:9100|web\\\\-2"' in query


@pytest.mark.parametrize(
    ("start", "end", "requested", "expected"),
    [
        (0, 3600, 60, 60.0),
        (0, 6 * 3600, 15, 20.0),
        (0, 7 * 86400, 60, 551.0),
    ],
)
def test_range_step_keeps_series_under_the_point_limit(
    start: float, end: float, requested: float, expected: float
) -> None:
    step = promql.range_step(start, end, requested)
    assert expected == step
    assert (end - start) / step + 1 <= promql.MAX_POINTS_PER_SERIES


def test_range_step_refuses_an_empty_range() -> None:
    with pytest.raises(InputError):
        promql.range_step(10, 10, 60)
