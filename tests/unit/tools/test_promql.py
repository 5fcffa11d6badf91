"""PromQL builders and label validation, including hostile values."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.prometheus import promql
from domain.errors import InputError
from domain.models import MetricKind

HOSTILE = [
    'web-1"} or vector(1) #',
    'web-1",job=~".+',
    "web-1\nup",
    "web-1\r\n",
    "web.*",
    "web-1|db-1",
    "(web)",
    "[a-z]+",
    "web-1$",
    "^web",
    "x" * 10_000,
    "",
    " web-1",
    "web-1 ",
    "web-1}",
    "web-1{",
    "web\\-1",
    "web-1\x00",
    "web-1'",
    "wéb-1",
    "-web",
    ".",
]

BUILDERS: list[tuple[str, Callable[[str], str]]] = [
    ("metric_query", lambda v: promql.metric_query(MetricKind.CPU, [v])),
    ("metric_query among others", lambda v: promql.metric_query(MetricKind.LOAD, ["web-1", v])),
    ("job", lambda v: promql.metric_query(MetricKind.MEMORY, None, job=v)),
    ("label_value", lambda v: promql.label_value(v)),
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(("builder", "build"), BUILDERS, ids=[b[0] for b in BUILDERS])
def test_hostile_label_values_are_refused_by_every_builder(
    builder: str, build: Callable[[str], str], value: str
) -> None:
    with pytest.raises(InputError):
        build(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("web-1", '"web-1"'),
        ("10.0.1.12:9100", '"10.0.1.12:9100"'),
        ("i-0123456789abcdef0", '"i-0123456789abcdef0"'),
        ("/var/lib/docker", '"/var/lib/docker"'),
        ("node_exporter", '"node_exporter"'),
    ],
)
def test_valid_label_values_are_quoted(value: str, expected: str) -> None:
    assert expected == promql.label_value(value)


_BY = "instance, host, instance_id"
_SEL = 'instance="web-1:9100"'


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        (
            MetricKind.CPU,
            f'100 * (1 - avg by ({_BY}) (rate(node_cpu_seconds_total{{mode="idle",{_SEL}}}[1m])))',
        ),
        (
            MetricKind.MEMORY,
            f"100 * (1 - max by ({_BY}) (node_memory_MemAvailable_bytes{{{_SEL}}}"
            f" / node_memory_MemTotal_bytes{{{_SEL}}}))",
        ),
        (
            MetricKind.DISK,
            f'100 * (1 - max by ({_BY}) (node_filesystem_avail_bytes{{mountpoint="/",'
            f'fstype!~"tmpfs|devtmpfs|ramfs|overlay|squashfs|nsfs|autofs|fuse.lxcfs",{_SEL}}}'
            f' / node_filesystem_size_bytes{{mountpoint="/",'
            f'fstype!~"tmpfs|devtmpfs|ramfs|overlay|squashfs|nsfs|autofs|fuse.lxcfs",{_SEL}}}))',
        ),
        (
            MetricKind.DISK_IO,
            f'(sum by ({_BY}) (rate(node_disk_read_bytes_total{{device!~"loop.*|ram.*",{_SEL}}}[1m]))'
            f' + sum by ({_BY}) (rate(node_disk_written_bytes_total{{device!~"loop.*|ram.*",{_SEL}}}[1m]))) / 1e6',
        ),
        (
            MetricKind.NETWORK_IN,
            f"sum by ({_BY}) (rate(node_network_receive_bytes_total"
            f'{{device!~"lo|veth.*|docker.*|br-.*",{_SEL}}}[1m])) / 1e6',
        ),
        (
            MetricKind.NETWORK_OUT,
            f"sum by ({_BY}) (rate(node_network_transmit_bytes_total"
            f'{{device!~"lo|veth.*|docker.*|br-.*",{_SEL}}}[1m])) / 1e6',
        ),
        (MetricKind.LOAD, f"max by ({_BY}) (node_load1{{{_SEL}}})"),
        (MetricKind.UP, f"max by ({_BY}) (up{{{_SEL}}})"),
    ],
)
def test_builders_select_one_host(metric: MetricKind, expected: str) -> None:
    assert expected == promql.metric_query(metric, ["web-1:9100"])


@pytest.mark.parametrize("metric", list(MetricKind))
def test_fleet_queries_have_no_host_matcher(metric: MetricKind) -> None:
    query = promql.metric_query(metric, None)

    assert "instance=" not in query
    assert "instance=~" not in query


def test_a_job_is_selected_beside_the_hosts() -> None:
    expected = 'max by (instance, host, instance_id) (node_load1{instance="web-1:9100",job="node"})'

    assert expected == promql.metric_query(MetricKind.LOAD, ["web-1:9100"], job="node")


def test_several_hosts_become_an_escaped_regex() -> None:
    query = promql.metric_query(MetricKind.LOAD, ["10.0.1.1:9100", "web-2"])
    assert 'instance=~"10\\\\.0\\\\.1\\\\.1:9100|web\\\\-2"' in query


def test_repeated_hosts_are_selected_once() -> None:
    assert 'instance="web-1"' in promql.metric_query(MetricKind.LOAD, ["web-1", "web-1"])


def test_an_empty_host_list_is_refused() -> None:
    with pytest.raises(InputError):
        promql.metric_query(MetricKind.CPU, [])


@pytest.mark.parametrize(
    ("start", "end", "requested", "expected"),
    [
        (0, 3600, 60, 60.0),
        (0, 3600, 1, 4.0),
        (0, 6 * 3600, 15, 20.0),
        (0, 6 * 3600, 60, 60.0),
        (0, 7 * 86400, 60, 551.0),
        (0, 30 * 86400, 15, 2359.0),
    ],
)
def test_range_step_keeps_series_under_the_point_limit(
    start: float, end: float, requested: float, expected: float
) -> None:
    step = promql.range_step(start, end, requested)
    assert expected == step
    assert (end - start) / step + 1 <= promql.MAX_POINTS_PER_SERIES


@pytest.mark.parametrize(("start", "end", "step"), [(10, 10, 60), (20, 10, 60), (0, 60, 0), (0, 60, -5)])
def test_range_step_refuses_empty_ranges_and_bad_steps(start: float, end: float, step: float) -> None:
    with pytest.raises(InputError):
        promql.range_step(start, end, step)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            promql.hosts_query(),
            "count by (instance, host, instance_id) (node_uname_info{}) or "
            "count by (instance, host, instance_id) (node_cpu_seconds_total{})",
        ),
        (
            promql.hosts_query('job="node"'),
            'count by (instance, host, instance_id) (node_uname_info{job="node"}) or '
            'count by (instance, host, instance_id) (node_cpu_seconds_total{job="node"})',
        ),
        (promql.targets_query(), "max by (instance, host, instance_id) (up{})"),
        (
            promql.seen_hosts_query(["10.0.1.14:9100"], look_back="24h"),
            'max by (instance, host, instance_id) (last_over_time(node_uname_info{instance="10.0.1.14:9100"}[24h]))',
        ),
        (
            promql.last_up_query(["a:1"], look_back="24h", selector='job="node"'),
            'max by (instance) (max_over_time((timestamp(up{instance="a:1",job="node"}) and '
            'up{instance="a:1",job="node"} == 1)[24h:15s]))',
        ),
    ],
)
def test_host_inventory_queries(query: str, expected: str) -> None:
    assert expected == query


def test_the_last_seen_of_a_hostile_instance_is_an_input_error() -> None:
    with pytest.raises(InputError):
        promql.last_up_query(['x"} or vector(1) #'], look_back="24h")
