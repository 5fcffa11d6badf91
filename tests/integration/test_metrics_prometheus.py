"""The MetricsSource port over a real Prometheus scraping node_exporter and the fleet simulator."""

from __future__ import annotations

import contextlib
import http.server
import itertools
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import numpy as np
import pytest
import requests

from adapters.prometheus import promql
from adapters.prometheus.metrics import PrometheusMetrics
from detectors.engine.blocks import GridSource, block_of
from domain.errors import MetricsUnavailable, QueryError, UnknownHost
from domain.hosts import resolve_host
from domain.models import MetricKind
from simulator.fleet import BUCKET_SECONDS, FleetModel
from tests import servers
from tests.fleet_process import FleetSimulator
from tests.servers import ServerProcess


@pytest.fixture(autouse=True)
def _complete_last_minute(steady_prometheus: ServerProcess) -> None:
    """These tests compare one-minute rates with the simulator's model: wait out missed scrapes first."""


@pytest.fixture
def metrics(prometheus: servers.ServerProcess) -> PrometheusMetrics:
    return PrometheusMetrics(prometheus.url, timeout_seconds=5)


def test_current_cpu_of_each_simulated_host_equals_the_models_one_minute_average(
    metrics: PrometheusMetrics, fleet_model: FleetModel
) -> None:
    samples = [s for s in metrics.current(MetricKind.CPU) if s.host.host is not None]

    assert 20 == len(samples)
    for sample in samples:
        expected = fleet_model.average(MetricKind.CPU, sample.timestamp.timestamp(), 60.0)
        # rate() extrapolates from scrape times that jitter on a loaded machine: a few points of slack.
        assert abs(sample.value - expected[fleet_model.index_of(sample.host.host or "")]) < 5.0, sample
        assert "1m average" == sample.window


def test_memory_and_root_disk_equal_the_model(metrics: PrometheusMetrics, fleet_model: FleetModel) -> None:
    web1 = [resolve_host("web-1", metrics.hosts())]
    memory = metrics.current(MetricKind.MEMORY, web1)[0]
    disk = metrics.current(MetricKind.DISK, web1)[0]

    row = fleet_model.index_of("web-1")
    # A gauge's latest sample was scraped up to a couple of seconds before its timestamp, possibly
    # in the model's previous 15 s bucket: either bucket's value is right.
    for sample in (memory, disk):
        at = sample.timestamp.timestamp()
        expected = [fleet_model.rates(sample.metric, [t])[row, 0] for t in (at, at - 2.0)]
        assert any(e == pytest.approx(sample.value, abs=1.0) for e in expected), sample


def test_the_real_node_exporter_reports_its_memory_in_percent(
    metrics: PrometheusMetrics, node_exporter: servers.ServerProcess
) -> None:
    host = resolve_host(f"127.0.0.1:{node_exporter.port}", metrics.hosts())
    memory = metrics.current(MetricKind.MEMORY, [host])

    assert [host] == [s.host for s in memory]
    assert 0.0 < memory[0].value < 100.0


@pytest.mark.parametrize("name", ["web-1", "WEB-1", "10.0.1.11", "10.0.1.11:9100", "i-0000000000a000000"])
def test_names_resolve_among_the_hosts_prometheus_lists(metrics: PrometheusMetrics, name: str) -> None:
    ref = resolve_host(name, metrics.hosts())

    assert ("10.0.1.11:9100", "web-1", "i-0000000000a000000") == (ref.instance, ref.host, ref.instance_id)


def test_an_unknown_host_lists_close_matches(metrics: PrometheusMetrics) -> None:
    with pytest.raises(UnknownHost) as caught:
        resolve_host("web-9", metrics.hosts())

    assert caught.value.close_matches
    assert all(name.startswith("web-") for name in caught.value.close_matches)


def test_a_range_over_a_week_is_capped_at_the_point_limit(metrics: PrometheusMetrics) -> None:
    end = datetime.now(UTC)
    start = end - timedelta(days=7)
    db1 = resolve_host("db-1", metrics.hosts())
    series = metrics.range(MetricKind.CPU, [db1], start=start, end=end, step_seconds=15)

    step = promql.range_step(start.timestamp(), end.timestamp(), 15)
    assert 551.0 == step
    assert 1 == len(series)
    stamps = series[0].timestamps
    assert len(stamps) <= promql.MAX_POINTS_PER_SERIES
    assert {step} == {round(b - a, 3) for a, b in itertools.pairwise(stamps)}


def test_ranges_fetch_several_metrics_for_the_whole_fleet_in_one_query_each(
    metrics: PrometheusMetrics, fleet_model: FleetModel
) -> None:
    end = datetime.now(UTC) - timedelta(minutes=2)
    result = metrics.ranges(
        [MetricKind.CPU, MetricKind.NETWORK_IN], None, start=end - timedelta(minutes=20), end=end, step_seconds=60
    )

    assert [MetricKind.CPU, MetricKind.NETWORK_IN] == list(result)
    cpu = {s.host.host: s for s in result[MetricKind.CPU] if s.host.host}
    assert 20 == len(cpu)
    db1 = cpu["db-1"]
    assert min(db1.values) > 90
    assert 21 == len(db1.values)


def test_current_at_a_past_time_reads_the_backfilled_history(
    metrics: PrometheusMetrics, fleet_model: FleetModel
) -> None:
    # The middle of one of the model's buckets: the sample Prometheus holds last before it, scraped
    # a little earlier (more so on a loaded machine), still holds that bucket's value.
    twenty_ago = (datetime.now(UTC) - timedelta(minutes=20)).timestamp()
    at = datetime.fromtimestamp(FleetModel.bucket_start(twenty_ago) + BUCKET_SECONDS / 2, UTC)
    sample = metrics.current(MetricKind.LOAD, [resolve_host("api-1", metrics.hosts())], at=at)[0]

    assert at.timestamp() == pytest.approx(sample.timestamp.timestamp(), abs=0.01)
    expected = fleet_model.rates(MetricKind.LOAD, [at.timestamp()])[fleet_model.index_of("api-1"), 0]
    assert expected == pytest.approx(sample.value, abs=0.05)


def test_a_promql_error_carries_prometheus_own_message(metrics: PrometheusMetrics) -> None:
    with pytest.raises(QueryError) as caught:
        metrics.query("rate(up[5m]")

    assert "parse error" in caught.value.message
    assert "rate(up[5m]" == caught.value.query


def test_prometheus_down_is_metrics_unavailable_with_url_and_reason() -> None:
    url = f"http://127.0.0.1:{servers.free_port()}"
    began = time.monotonic()

    with pytest.raises(MetricsUnavailable) as caught:
        PrometheusMetrics(url, timeout_seconds=2).hosts()

    assert url == caught.value.url
    assert "connection refused" == caught.value.reason
    assert f"metrics unavailable (connection refused) at {url}" == str(caught.value)
    assert time.monotonic() - began < 10


def test_a_server_that_is_not_prometheus_is_metrics_unavailable(fleet_simulator: FleetSimulator) -> None:
    url = f"http://127.0.0.1:{fleet_simulator.server_address[1]}/nothing-here"

    with pytest.raises(MetricsUnavailable) as caught:
        PrometheusMetrics(url, timeout_seconds=2).current(MetricKind.CPU)

    assert url == caught.value.url
    assert caught.value.reason.startswith("HTTP ")


def _grid_times(points: int) -> np.ndarray:
    end = (datetime.now(UTC).timestamp() - 120) // 60 * 60
    return end - 60.0 * np.arange(points)[::-1]


@pytest.mark.parametrize("signal", [MetricKind.CPU, MetricKind.DISK, MetricKind.UP])
def test_a_grid_read_holds_what_the_series_read_holds_for_every_host(
    metrics: PrometheusMetrics, signal: MetricKind
) -> None:
    times = _grid_times(20)
    start, end = (datetime.fromtimestamp(float(t), UTC) for t in (times[0], times[-1]))

    block = metrics.signal_grid(signal, times)
    if signal is MetricKind.DISK:
        series = metrics.filesystem_range(None, start=start, end=end, step_seconds=60)
    else:
        series = metrics.range(signal, None, start=start, end=end, step_seconds=60)

    assert isinstance(metrics, GridSource)
    expected = block_of(signal, series, times)
    assert len(expected.hosts) >= 20
    assert sorted(zip(expected.hosts, expected.mounts, strict=True), key=str) == sorted(
        zip(block.hosts, block.mounts, strict=True), key=str
    )
    rows = {(h.instance, m): n for n, (h, m) in enumerate(zip(block.hosts, block.mounts, strict=True))}
    for n, (host, mount) in enumerate(zip(expected.hosts, expected.mounts, strict=True)):
        np.testing.assert_array_equal(expected.values[n], block.values[rows[(host.instance, mount)]])


def test_a_one_time_grid_read_is_the_range_reads_value_at_that_time(metrics: PrometheusMetrics) -> None:
    times = _grid_times(5)

    ranged = metrics.signal_grid(MetricKind.LOAD, times)
    instant = metrics.signal_grid(MetricKind.LOAD, times[-1:])

    by_instance = {h.instance: n for n, h in enumerate(ranged.hosts)}
    assert len(instant.hosts) >= 20
    for n, host in enumerate(instant.hosts):
        assert ranged.values[by_instance[host.instance], -1] == instant.values[n, 0]


@pytest.mark.parametrize("signal", [MetricKind.MEMORY, MetricKind.DISK])
def test_instant_reads_of_a_used_share_equal_the_servers_division_also_when_the_capacity_is_kept(
    metrics: PrometheusMetrics, signal: MetricKind
) -> None:
    times = _grid_times(5)
    ranged = metrics.signal_grid(signal, times)
    # The simulated hosts (the ones with a friendly name): the machine's own node_exporter may be
    # scraped for the first time while the test runs, between the minutes it reads.
    rows = {
        (h.instance, m): n
        for n, (h, m) in enumerate(zip(ranged.hosts, ranged.mounts, strict=True))
        if h.host is not None
    }
    assert len(rows) >= 20

    # The first instant read fetches the capacities; the later ones, within ten minutes, reuse them.
    for column in (-1, -2, -5):
        instant = metrics.signal_grid(signal, times[column:][:1])
        read = [(h.instance, m) for h, m in zip(instant.hosts, instant.mounts, strict=True) if h.host is not None]
        assert sorted(rows) == sorted(read)
        for n, (host, mount) in enumerate(zip(instant.hosts, instant.mounts, strict=True)):
            if host.host is None:
                continue
            expected = ranged.values[rows[(host.instance, mount)], column]
            assert expected == pytest.approx(instant.values[n, 0], rel=1e-12, nan_ok=True), (host, mount, column)


def test_a_grid_read_from_a_server_that_is_not_prometheus_or_is_down_is_metrics_unavailable(
    fleet_simulator: FleetSimulator,
) -> None:
    not_prometheus = f"http://127.0.0.1:{fleet_simulator.server_address[1]}/nothing-here"
    down = f"http://127.0.0.1:{servers.free_port()}"

    for url, reason in ((not_prometheus, "HTTP 5"), (down, "connection refused")):
        with pytest.raises(MetricsUnavailable) as caught:
            PrometheusMetrics(url, timeout_seconds=2).signal_grid(MetricKind.CPU, _grid_times(3))
        assert url == caught.value.url
        assert caught.value.reason.startswith(reason)


class _RecordingProxy(http.server.BaseHTTPRequestHandler):
    """Passes each request on to ``upstream`` (or answers an empty vector) and keeps what it asked."""

    upstream: ClassVar[str | None] = None
    encodings: ClassVar[list[str]] = []
    queries: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        form = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.encodings.append(self.headers.get("Accept-Encoding", ""))
        self.queries.append(urllib.parse.parse_qs(form.decode())["query"][0])
        body = b'{"status":"success","data":{"resultType":"vector","result":[]}}'
        if self.upstream is not None:
            answer = requests.post(
                f"{self.upstream}{self.path}",
                data=form,
                headers={"Content-Type": self.headers.get("Content-Type", "")},
                timeout=30,
            )
            body = answer.content
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def _recording_proxy(upstream: str | None) -> Iterator[str]:
    _RecordingProxy.upstream = upstream
    _RecordingProxy.encodings.clear()
    _RecordingProxy.queries.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingProxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("compress", "asked"), [(False, "identity"), (True, "gzip")])
def test_grid_reads_ask_for_gzip_only_when_compression_is_set(compress: bool, asked: str) -> None:
    with _recording_proxy(None) as url:
        block = PrometheusMetrics(url, timeout_seconds=5, compress=compress).signal_grid(
            MetricKind.LOAD, _grid_times(1)
        )

    assert 0 == len(block.hosts)
    assert [asked] == _RecordingProxy.encodings


def test_instant_reads_ask_by_instance_alone_once_the_hosts_are_known_and_name_them_in_full(
    prometheus: servers.ServerProcess,
) -> None:
    times = _grid_times(3)
    with _recording_proxy(prometheus.url) as url:
        metrics = PrometheusMetrics(url, timeout_seconds=5)
        # Nothing known yet: the instant read by instance alone is read again with every label.
        first = metrics.signal_grid(MetricKind.CPU, times[-1:])
        known = metrics.signal_grid(MetricKind.LOAD, times[-1:])
        ranged = metrics.signal_grid(MetricKind.LOAD, times)

    by = [match.group(1) for query in _RecordingProxy.queries if (match := re.search(r"by \(([^)]*)\)", query))]
    assert ["instance", "instance, host, instance_id", "instance", "instance, host, instance_id"] == by
    assert len(ranged.hosts) >= 20
    assert any(host.host for host in ranged.hosts)
    assert sorted(ranged.hosts, key=str) == sorted(first.hosts, key=str) == sorted(known.hosts, key=str)
