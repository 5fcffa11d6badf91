"""``smartcloudops simulate`` at 1,000 hosts: the scrape's size and speed, and what Prometheus makes of it."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from adapters.prometheus.metrics import PrometheusMetrics
from domain.hosts import resolve_host
from domain.models import MetricKind
from tests import servers
from tests.integration.conftest import wait_for_series

HOSTS = 1000
SERIES_PER_HOST = 19  # 6 CPU modes, 4 network/disk counters, 2 memory, 2x2 filesystem, load, uname, up
SCENARIO = """\
incidents:
  - {kind: cpu_saturation, host: web-1, start: -30m, duration: 2h}
  - {kind: host_down, host: db-2, start: -1m, duration: 2h}
"""


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.ServerProcess]:
    work = tmp_path_factory.mktemp("simulate")
    scenario = work / "scenario.yaml"
    scenario.write_text(SCENARIO)
    port = servers.free_port()
    argv = [sys.executable, "-m", "bot.cli", "simulate", "--hosts", str(HOSTS), "--port", str(port)]
    try:
        server = servers.start_server(
            "simulate",
            [*argv, "--scenario", str(scenario)],
            port=port,
            workdir=work,
            ready=servers.http_ready(f"http://{servers.LOOPBACK}:{port}/metrics"),
            timeout=60,
        )
    except servers.ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


def test_a_scrape_of_1000_hosts_has_every_series_and_is_quick(simulator: servers.ServerProcess) -> None:
    timings = []
    for _ in range(3):
        began = time.perf_counter()
        resp = requests.get(f"{simulator.url}/metrics", timeout=30)
        timings.append(time.perf_counter() - began)
        assert 200 == resp.status_code
    lines = [line for line in resp.text.splitlines() if line and not line.startswith("#")]
    down = [line for line in lines if 'host="db-2"' in line]

    assert (HOSTS - 1) * SERIES_PER_HOST + 1 == len(lines)
    assert [line.split("{")[0] for line in down] == ["up"]
    assert down[0].endswith(" 0.000")
    assert HOSTS == len({re.search(r'instance="([^"]+)"', line)[1] for line in lines})  # type: ignore[index]
    # Generous: a scrape renders in about 0.1 s on this machine; Prometheus' default timeout is 10 s.
    assert min(timings) < 2.0, timings


def test_the_simulator_prints_its_scrape_job(simulator: servers.ServerProcess) -> None:
    text = simulator.log_path.read_text()

    assert f"simulating {HOSTS} hosts (2 incidents)" in text
    assert "honor_labels: true" in text


def test_prometheus_sees_1000_hosts_one_saturated_and_one_down(
    simulator: servers.ServerProcess, tmp_path: Path
) -> None:
    try:
        prometheus = servers.start_prometheus(tmp_path, scrape_targets={"fleet": f"127.0.0.1:{simulator.port}"})
    except servers.ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        wait_for_series(prometheus.url, "up", minimum=HOSTS + 1, timeout=60)
        metrics = PrometheusMetrics(prometheus.url, timeout_seconds=10)

        hosts = metrics.hosts()
        up = {s.host.host: s.value for s in metrics.current(MetricKind.UP)}
        web1 = resolve_host("10.0.1.11", hosts)
        memory = metrics.current(MetricKind.MEMORY)
        selected = PrometheusMetrics(prometheus.url, timeout_seconds=10, node_selector='job="node"').host_states()
    finally:
        prometheus.stop()

    # db-2 was down before Prometheus first scraped it: nothing says it is a node_exporter target
    # unless the node selector does.
    assert HOSTS - 1 == len(hosts)
    assert "db-2" not in {h.host for h in hosts}
    assert "db-2" not in up
    assert [("db-2", None)] == [(s.ref.host, s.last_seen) for s in selected if not s.up]
    assert "web-1" == web1.host
    assert HOSTS - 1 == len(memory)
