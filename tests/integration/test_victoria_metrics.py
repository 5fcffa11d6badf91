"""The same adapter, unchanged, over Prometheus and VictoriaMetrics holding the same backfilled history.

The history is written once by ``smartcloudops simulate --write-openmetrics`` (50 hosts, every
incident kind), turned into TSDB blocks for Prometheus with promtool, and imported as is into
VictoriaMetrics; every tool query is then asked of both and the answers compared.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import requests

from adapters.prometheus.metrics import PrometheusMetrics
from bot.cli.main import main
from domain.errors import MetricsUnavailable, QueryError
from domain.hosts import resolve_host
from domain.models import MetricKind
from simulator.fleet import FleetModel
from tests import servers
from tests.integration.conftest import wait_for_series
from tools.series_summary import series_stats

HOSTS = 50
SCENARIO = """\
incidents:
  - {kind: cpu_saturation, host: web-1, start: -90m, duration: 3h}
  - {kind: memory_leak, host: api-1, start: -100m, duration: 100m}
  - {kind: disk_fill, host: db-1, start: -100m, duration: 100m}
  - {kind: network_spike, host: cache-1, start: -60m, duration: 3h}
  - {kind: host_down, host: worker-1, start: -20m, duration: 3h}
"""

_SIMULATE = ["simulate", "--hosts", str(HOSTS), "--hours", "2", "--step", "15"]


@dataclass(frozen=True)
class Pair:
    prometheus: PrometheusMetrics
    victoria: PrometheusMetrics
    written_at: float


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    work = tmp_path_factory.mktemp("vm-compare")
    (work / "scenario.yaml").write_text(SCENARIO)
    history = work / "history.om"
    written_at = time.time()
    assert 0 == main([*_SIMULATE, "--scenario", str(work / "scenario.yaml"), "--write-openmetrics", str(history)])
    started: list[servers.ServerProcess] = []
    try:
        servers.backfill_openmetrics(history, work / "prometheus" / "data")
        started.append(
            servers.start_prometheus(work / "prometheus", scrape_targets={}, tsdb=work / "prometheus" / "data")
        )
        started.append(servers.start_victoria_metrics(work / "vm"))
    except servers.ServerStartError as exc:
        for server in started:
            server.stop()
        pytest.fail(str(exc), pytrace=False)
    prometheus, victoria = started
    with history.open("rb") as body:
        resp = requests.post(f"{victoria.url}/api/v1/import/prometheus", data=body, timeout=300)
    assert 204 == resp.status_code, resp.text
    requests.get(f"{victoria.url}/internal/force_flush", timeout=30)
    wait_for_series(victoria.url, "node_uname_info", minimum=HOSTS - 1, timeout=60)
    yield Pair(PrometheusMetrics(prometheus.url), PrometheusMetrics(victoria.url), written_at)
    for server in started:
        server.stop()


def _at(pair: Pair, minutes_ago: float) -> datetime:
    return datetime.fromtimestamp(pair.written_at - minutes_ago * 60, UTC).replace(microsecond=0)


def test_both_list_the_same_hosts(pair: Pair) -> None:
    hosts = pair.prometheus.hosts()
    down = [s.ref.name for s in pair.prometheus.host_states() if not s.up]

    # worker-1 went down inside the history: still a known host, reported down.
    assert (HOSTS, ["worker-1"]) == (len(hosts), down)
    assert hosts == pair.victoria.hosts()
    assert down == [s.ref.name for s in pair.victoria.host_states() if not s.up]


@pytest.mark.parametrize(
    ("metric", "tolerance"),
    [
        (MetricKind.CPU, 2.0),
        (MetricKind.MEMORY, 0.01),
        (MetricKind.DISK, 0.01),
        (MetricKind.DISK_IO, 0.5),
        (MetricKind.NETWORK_IN, 3.0),
        (MetricKind.NETWORK_OUT, 0.5),
        (MetricKind.LOAD, 0.01),
        (MetricKind.UP, 0.0),
    ],
)
def test_current_values_agree(pair: Pair, metric: MetricKind, tolerance: float) -> None:
    at = _at(pair, 10)
    from_prometheus = {s.host: s.value for s in pair.prometheus.current(metric, at=at)}
    from_victoria = {s.host: s.value for s in pair.victoria.current(metric, at=at)}

    assert set(from_prometheus) == set(from_victoria)
    assert len(from_prometheus) >= HOSTS - 1
    worst = max(abs(from_prometheus[h] - from_victoria[h]) for h in from_prometheus)
    assert worst <= tolerance


def test_incidents_show_the_same_in_both(pair: Pair) -> None:
    at = _at(pair, 10)
    for metrics in (pair.prometheus, pair.victoria):
        cpu = {s.host.host: s.value for s in metrics.current(MetricKind.CPU, at=at)}
        memory = {s.host.host: s.value for s in metrics.current(MetricKind.MEMORY, at=at)}
        net = {s.host.host: s.value for s in metrics.current(MetricKind.NETWORK_IN, at=at)}
        up = {s.host.host: s.value for s in metrics.current(MetricKind.UP, at=at)}
        assert max(cpu, key=lambda h: cpu[h]) == "web-1"
        assert memory["api-1"] > 85
        assert max(net, key=lambda h: net[h]) == "cache-1"
        assert 0.0 == up["worker-1"]
        assert "worker-1" not in cpu


def test_batched_ranges_agree_series_by_series(pair: Pair) -> None:
    end = _at(pair, 5)
    start = end - timedelta(minutes=90)
    metrics = [MetricKind.CPU, MetricKind.MEMORY, MetricKind.LOAD]
    results = [m.ranges(metrics, None, start=start, end=end, step_seconds=60) for m in (pair.prometheus, pair.victoria)]

    for metric in metrics:
        by_host = [{s.host: s for s in r[metric]} for r in results]
        assert set(by_host[0]) == set(by_host[1])
        for host, series in by_host[0].items():
            a, b = series_stats(series), series_stats(by_host[1][host])
            assert a is not None
            assert b is not None
            # A series that ends (a host gone down) runs on for Prometheus' 5-minute lookback,
            # for a shorter, sample-interval-based one in VictoriaMetrics.
            assert abs(a.points - b.points) <= 5, host
            assert a.mean == pytest.approx(b.mean, abs=1.0), host
            assert a.maximum == pytest.approx(b.maximum, abs=3.0), host


def test_the_step_is_capped_the_same_way(pair: Pair) -> None:
    end = _at(pair, 5)
    start = end - timedelta(days=7)
    host = [resolve_host("web-2", pair.prometheus.hosts())]
    a = pair.prometheus.range(MetricKind.LOAD, host, start=start, end=end, step_seconds=1)[0]
    b = pair.victoria.range(MetricKind.LOAD, host, start=start, end=end, step_seconds=1)[0]

    assert a.timestamps[1] - a.timestamps[0] == b.timestamps[1] - b.timestamps[0] == 551.0


def test_a_bad_query_is_a_query_error_from_both(pair: Pair) -> None:
    for metrics in (pair.prometheus, pair.victoria):
        with pytest.raises(QueryError) as caught:
            metrics.query("sum(rate(up[5m]")
        assert caught.value.message


def test_victoria_metrics_down_is_metrics_unavailable(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{servers.free_port()}"

    with pytest.raises(MetricsUnavailable) as caught:
        PrometheusMetrics(url, timeout_seconds=2).hosts()

    assert url == caught.value.url


def test_session_victoria_metrics_agrees_with_session_prometheus_on_the_simulators_cpu(
    victoria_metrics: servers.ServerProcess, prometheus: servers.ServerProcess, fleet_model: FleetModel
) -> None:
    """Means over four minutes, so one late scrape on a loaded machine cannot move the comparison."""
    end = datetime.now(UTC) - timedelta(minutes=2)
    web1 = [resolve_host("web-1", PrometheusMetrics(prometheus.url).hosts())]

    def mean_cpu(url: str) -> float:
        [series] = PrometheusMetrics(url).range(
            MetricKind.CPU, web1, start=end - timedelta(minutes=4), end=end, step_seconds=30
        )
        return sum(series.values) / len(series.values)

    stamps = [(end - timedelta(seconds=30 * k)).timestamp() for k in range(9)]
    row = fleet_model.index_of("web-1")
    expected = sum(fleet_model.average(MetricKind.CPU, s, 60.0)[row] for s in stamps) / len(stamps)

    assert mean_cpu(prometheus.url) == pytest.approx(expected, abs=3.0)
    assert mean_cpu(victoria_metrics.url) == pytest.approx(expected, abs=3.0)


@pytest.mark.parametrize("points", [1, 30])
def test_grid_reads_agree_host_by_host(pair: Pair, points: int) -> None:
    end = _at(pair, 5).timestamp() // 60 * 60
    times = end - 60.0 * np.arange(points)[::-1]

    for signal, tolerance in ((MetricKind.MEMORY, 1.0), (MetricKind.DISK, 1.0), (MetricKind.LOAD, 0.5)):
        a, b = (m.signal_grid(signal, times) for m in (pair.prometheus, pair.victoria))
        rows_b = {(h.instance, m): n for n, (h, m) in enumerate(zip(b.hosts, b.mounts, strict=True))}
        assert HOSTS - 1 <= len(a.hosts)
        for n, (host, mount) in enumerate(zip(a.hosts, a.mounts, strict=True)):
            if host.host == "worker-1":  # down: the two servers' look-backs differ
                continue
            theirs = b.values[rows_b[(host.instance, mount)]]
            np.testing.assert_allclose(a.values[n], theirs, atol=tolerance, err_msg=f"{signal} {host.name}")
