"""Capacity and diagnosis through the registry's tools over a simulated fleet (db-1 saturating, cache-1 down)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest

from adapters.clock import ManualClock
from adapters.simulated.metrics import SimulatedMetrics
from agent.phrasing import phrase
from bot.config.settings import AuditSettings, Settings
from bot.services import Services
from bot.wiring import build_services
from domain.models import HostRef, MetricKind, Series, ToolStatus
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests.unit.tools.conftest import DOWN_SINCE, NOW, db_cpu_incident
from tools.around import AroundTime
from tools.capacity import CapacityReport
from tools.diagnosis import Diagnosis, is_abnormal
from tools.metric_range import MetricRange


def call(services: Services, name: str, **args: object) -> tuple[ToolStatus, object, str | None]:
    result = services.registry.call(name, args, services.tools)
    return result.status, result.data, result.error


def test_capacity_gives_totals_not_percentages(services: Services) -> None:
    status, data, _ = call(services, "host_capacity", host="web-1")

    assert ToolStatus.SUCCESS == status
    assert isinstance(data, CapacityReport)
    assert data.memory_total is not None
    assert (8 * 1024**3, "8.0 GiB", 2) == (data.memory_total.bytes, data.memory_total.text, data.cpus)
    assert ["/", "/data"] == [f.mountpoint for f in data.filesystems]
    assert data.disk_read is not None
    assert (MetricKind.DISK_IO, "1m average") == (data.disk_read.metric, data.disk_read.window)


def test_one_named_mountpoint(services: Services) -> None:
    _, data, _ = call(services, "host_capacity", host="web-1", mountpoint="/data")

    assert isinstance(data, CapacityReport)
    assert [("/data", "500.0 GiB")] == [(f.mountpoint, f.size.text) for f in data.filesystems]


def test_capacity_of_a_down_host_is_no_data_and_says_so(services: Services) -> None:
    result = services.registry.call("host_capacity", {"host": "cache-1"}, services.tools)

    assert ToolStatus.NO_DATA == result.status
    assert phrase("host_capacity", result).startswith("cache-1 is down since 14:40 UTC")


def test_a_mountpoint_the_host_lacks_names_the_ones_it_has(services: Services) -> None:
    status, _, error = call(services, "host_capacity", host="web-1", mountpoint="/srv")

    assert ToolStatus.ERROR == status
    assert "no filesystem mounted at /srv (mounted: /, /data)" in (error or "")


def test_the_saturated_host_is_diagnosed_with_its_abnormal_cpu(services: Services) -> None:
    _, data, _ = call(services, "diagnose_host", host="db-1")

    assert isinstance(data, Diagnosis)
    cpu = next(c for c in data.abnormal if c.value.metric is MetricKind.CPU)
    assert cpu.usual is not None
    assert (True, "24h median") == (cpu.value.value > 90 > cpu.usual.value, cpu.usual.window)


def test_a_quiet_host_has_nothing_abnormal(services: Services) -> None:
    answer = services.runner.answer("is web-2 healthy?")

    assert "web-2: nothing abnormal at " in answer.answer
    assert ["diagnose_host"] == [c.name for c in answer.tool_calls]


def test_a_down_host_is_diagnosed_as_down(services: Services) -> None:
    answer = services.runner.answer("what's wrong with cache-1?")

    assert answer.answer.startswith("cache-1 is down since 14:40 UTC")


@pytest.mark.parametrize(
    ("metric", "value", "median", "mad", "expected"),
    [
        (MetricKind.CPU, 95.0, 30.0, 5.0, True),
        (MetricKind.CPU, 45.0, 30.0, 2.0, True),
        (MetricKind.CPU, 35.0, 30.0, 0.5, False),  # far in deviations, but a 5-point move does not matter
        (MetricKind.CPU, 50.0, 30.0, 10.0, False),
        (MetricKind.LOAD, 4.0, 1.0, 0.2, True),
        (MetricKind.NETWORK_IN, 1.2, 1.0, 0.0, False),
        (MetricKind.DISK, 91.0, 91.0, 0.1, True),
    ],
)
def test_what_counts_as_abnormal(metric: MetricKind, value: float, median: float, mad: float, expected: bool) -> None:
    assert expected == is_abnormal(metric, value, median, mad)


def test_capacity_of_a_path(services: Services) -> None:
    answer = services.runner.answer("/data on web-1")

    assert "/data: 500.0 GiB, " in answer.answer


def test_what_happened_around_a_time_compares_with_the_hour_before(services: Services) -> None:
    db_cpu_incident(services)

    answer = services.runner.answer("what happened on db-1 5 minutes ago")

    assert [("what_happened", {"host": "db-1", "at": "5m ago"})] == [(c.name, c.args) for c in answer.tool_calls]
    cpu = next(line for line in answer.answer.splitlines() if line.startswith("• CPU"))
    assert " on the hour before (" in cpu
    assert ", +" in cpu
    assert "Incidents then: [critical] CPU 97.0%, open, from 2026-03-10 14:50 UTC" in answer.answer


def test_what_happened_compares_typed_averages(services: Services) -> None:
    result = services.registry.call("what_happened", {"host": "db-1", "at": "5 minutes ago"}, services.tools)

    assert isinstance(result.data, AroundTime)
    cpu = next(c for c in result.data.signals if c.around.metric is MetricKind.CPU)
    assert cpu.before is not None
    assert cpu.change is not None
    assert cpu.change.value == cpu.around.value - cpu.before.value > 0


def test_what_happened_needs_a_time(services: Services) -> None:
    result = services.registry.call("what_happened", {"host": "web-1", "at": "not a time"}, services.tools)

    assert (ToolStatus.ERROR, "InputError") == (result.status, result.error_type)


class LookBackMetrics(SimulatedMetrics):
    """The simulated fleet; a down host's range repeats a value up to now, as Prometheus' look-back does."""

    def range(
        self,
        metric: MetricKind,
        hosts: Sequence[HostRef] | None,
        *,
        start: datetime,
        end: datetime,
        step_seconds: float,
    ) -> list[Series]:
        found = super().range(metric, hosts, start=start, end=end, step_seconds=step_seconds)
        down = [h for h in (hosts or []) if h.name == "cache-1"]
        times = tuple(float(t) for t in range(int(start.timestamp()), int(end.timestamp()) + 1, int(step_seconds)))
        return found + [Series(h, metric, times, tuple(50.0 for _ in times)) for h in down]


def test_a_down_hosts_range_ends_at_its_last_sample(tmp_path: Path) -> None:
    clock = ManualClock(NOW)
    fleet = FleetModel(10, (Incident(IncidentKind.HOST_DOWN, "cache-1", DOWN_SINCE.timestamp(), 3600),))
    settings = Settings(audit=AuditSettings(dir=tmp_path))
    services = build_services(settings, clock=clock, metrics=LookBackMetrics(fleet, clock), load_model=False)

    result = services.registry.call("get_metric_range", {"metric": "memory", "host": "cache-1"}, services.tools)

    assert isinstance(result.data, MetricRange)
    assert result.data.stats is not None
    assert result.data.stats.last.at is not None
    assert result.data.stats.last.at <= DOWN_SINCE
    assert "cache-1 is down since 14:40 UTC" in phrase("get_metric_range", result)


def test_no_log_lines_says_what_was_read_and_for_what(services: Services) -> None:
    args = {"since": "1h", "host": "web-1", "contains": "error"}
    result = services.registry.call("get_logs", args, services.tools)

    assert ToolStatus.NO_DATA == result.status
    assert "No log lines about web-1 containing 'error' 14:00–15:00 UTC in the events and audit logs." == phrase(
        "get_logs", result
    )


def test_no_log_lines_at_a_level_says_which_levels_were_read(services: Services) -> None:
    result = services.registry.call("get_logs", {"since": "1h", "level": "warning", "source": "audit"}, services.tools)

    assert ToolStatus.NO_DATA == result.status
    assert "No log lines (warning, error or critical) 14:00–15:00 UTC in the audit log." == phrase("get_logs", result)
