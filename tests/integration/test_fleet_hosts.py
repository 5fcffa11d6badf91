"""Which targets are hosts, and down hosts, against a real Prometheus.

A four-host simulated fleet in which cache-1 stops answering a few seconds after the start,
Prometheus scraping itself (a target that is not a host) and a port nothing listens on (a
down target that never exposed node series, so not a host either).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from adapters.clock import SystemClock
from adapters.prometheus.metrics import PrometheusMetrics
from bot.config.settings import AuditSettings, PrometheusSettings, Settings
from bot.wiring import build_services
from domain.models import MetricKind
from simulator.fleet import BUCKET_SECONDS, CPUS_PER_HOST, MEMORY_TOTAL_BYTES, FleetModel, Incident, IncidentKind
from simulator.server import SimulatorServer
from tests import servers
from tests.integration.conftest import wait_for_series

pytestmark = pytest.mark.integration

DOWN_AFTER = 25.0


@pytest.fixture(scope="module")
def down_at() -> float:
    return time.time() + DOWN_AFTER


@pytest.fixture(scope="module")
def small_fleet(down_at: float) -> Iterator[SimulatorServer]:
    model = FleetModel(4, (Incident(IncidentKind.HOST_DOWN, "cache-1", down_at, 86400),))
    server = SimulatorServer((servers.LOOPBACK, servers.free_port()), model)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def fleet_prometheus(tmp_path_factory: pytest.TempPathFactory, small_fleet: SimulatorServer) -> Iterator[str]:
    home = tmp_path_factory.mktemp("fleet-prometheus")
    targets = {
        "fleet": f"{servers.LOOPBACK}:{small_fleet.server_address[1]}",
        "gone": f"{servers.LOOPBACK}:{servers.free_port()}",
    }
    try:
        server = servers.start_prometheus(home, scrape_targets=targets)
    except servers.ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    # Prometheus scrapes itself too: a target that is up and is not a host.
    config = home / "prometheus.yml"
    config.write_text(servers.prometheus_config({**targets, "prometheus": f"{servers.LOOPBACK}:{server.port}"}))
    requests.post(f"{server.url}/-/reload", timeout=10).raise_for_status()
    try:
        wait_for_series(server.url, 'up{job="prometheus"} == 1')
        wait_for_series(server.url, 'up{host="cache-1"} == 0', timeout=DOWN_AFTER + 30)
        yield server.url
    finally:
        server.stop()


def test_prometheus_itself_and_a_dead_target_are_not_hosts(fleet_prometheus: str) -> None:
    metrics = PrometheusMetrics(fleet_prometheus)

    assert ["api-1", "cache-1", "db-1", "web-1"] == [h.name for h in metrics.hosts()]


def test_the_down_host_is_known_with_when_it_was_last_seen(fleet_prometheus: str, down_at: float) -> None:
    states = {s.ref.name: s for s in PrometheusMetrics(fleet_prometheus).host_states()}

    cache = states["cache-1"]
    assert (False, True, True) == (cache.up, states["api-1"].up, states["db-1"].up)
    assert cache.last_seen is not None
    # The simulator's outage starts on its next 15-s bucket; the last-seen query steps by 15 s.
    assert down_at - 16 <= cache.last_seen.timestamp() <= down_at + BUCKET_SECONDS + 1
    assert "10.0.1" in cache.ref.instance


def test_up_covers_hosts_only_and_the_down_host_reads_zero(fleet_prometheus: str) -> None:
    up = {s.host.name: s.value for s in PrometheusMetrics(fleet_prometheus).current(MetricKind.UP)}

    assert {"api-1": 1.0, "cache-1": 0.0, "db-1": 1.0, "web-1": 1.0} == up


def test_a_node_selector_narrows_the_hosts(fleet_prometheus: str) -> None:
    selected = PrometheusMetrics(fleet_prometheus, node_selector='job="node"').host_states()
    none = PrometheusMetrics(fleet_prometheus, node_selector='job="prometheus"').host_states()

    assert (["api-1", "cache-1", "db-1", "web-1"], []) == ([s.ref.name for s in selected], none)
    assert datetime.now(UTC) > next(s for s in selected if not s.up).last_seen  # type: ignore[operator]


def test_the_cpu_of_a_down_host_is_an_answer_not_unknown_host(fleet_prometheus: str, tmp_path: Path) -> None:
    settings = Settings(prometheus=PrometheusSettings(url=fleet_prometheus), audit=AuditSettings(dir=tmp_path))
    services = build_services(settings, clock=SystemClock(), load_model=False)

    answer = services.runner.answer("what is the cpu on cache-1?")
    status = services.runner.answer("is anything down?")

    assert "cache-1 is down since " in answer.answer
    assert "Unknown host" not in answer.answer
    assert "3 of 4 hosts up" in status.answer
    assert "cache-1" in status.answer


def test_capacity_reads_totals_cpus_and_filesystems(fleet_prometheus: str) -> None:
    metrics = PrometheusMetrics(fleet_prometheus)
    web = next(h for h in metrics.hosts() if h.name == "web-1")

    cap = metrics.capacity(web)

    assert (MEMORY_TOTAL_BYTES, CPUS_PER_HOST) == (cap.memory_total_bytes, cap.cpus)
    assert ["/", "/data"] == [f.mountpoint for f in cap.filesystems]
    assert cap.disk_read_mb_s is not None
    assert None is cap.boot_time  # the simulator exposes no node_boot_time_seconds


def test_diagnosis_of_a_host_with_a_short_history_answers(fleet_prometheus: str, tmp_path: Path) -> None:
    settings = Settings(prometheus=PrometheusSettings(url=fleet_prometheus), audit=AuditSettings(dir=tmp_path))
    services = build_services(settings, clock=SystemClock(), load_model=False)

    answer = services.runner.answer("is web-1 healthy?")

    assert ["diagnose_host"] == [c.name for c in answer.tool_calls]
    assert answer.answer.startswith("web-1: ")
