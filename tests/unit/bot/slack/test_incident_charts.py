"""The chart in an incident message's thread: one host's last hour, or a fleet-wide message's hosts on one chart."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.clock import ManualClock
from adapters.simulated.metrics import SimulatedMetrics
from bot.slack.charts import incidents_chart
from domain.models import Anomaly, HostRef
from simulator.fleet import FleetModel
from tests.unit.bot.simulated_services import START
from tests.unit.bot.test_incident_notifier import anomaly

pytest.importorskip("matplotlib")


@pytest.fixture
def metrics() -> SimulatedMetrics:
    return SimulatedMetrics(FleetModel(5), ManualClock(START + timedelta(hours=2)))


def incident(host: HostRef, n: int = 0) -> Anomaly:
    return anomaly(host.name).model_copy(update={"id": f"{host.name}-cpu-{n}", "host": host})


def test_one_incident_gets_its_hosts_last_hour(metrics: SimulatedMetrics) -> None:
    web1 = next(h for h in metrics.hosts() if h.name == "web-1")

    chart = incidents_chart(metrics, [incident(web1)], end=START + timedelta(hours=2))

    assert chart is not None
    assert ("web-1 CPU, last 1h", "web-1-cpu.png") == (chart.title, chart.filename)
    assert chart.png.startswith(b"\x89PNG")


def test_a_groups_hosts_share_one_chart_each_host_once(metrics: SimulatedMetrics) -> None:
    hosts = metrics.hosts()[:3]
    anomalies = [incident(h) for h in hosts] + [incident(hosts[0], 1)]

    chart = incidents_chart(metrics, anomalies, end=START + timedelta(hours=2))

    assert chart is not None
    assert ("3 hosts CPU, last 1h", "3-hosts-cpu.png") == (chart.title, chart.filename)


def test_no_incidents_no_chart(metrics: SimulatedMetrics) -> None:
    assert incidents_chart(metrics, [], end=START) is None
