"""Points in time, trends and disk forecasts through the registry's tools over a simulated fleet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.clock import ManualClock
from adapters.simulated.cloud import SimulatedCloudActions
from adapters.simulated.metrics import SimulatedMetrics
from agent.phrasing import phrase
from bot.config.settings import AuditSettings, Settings
from bot.services import Services
from bot.wiring import build_services
from domain.models import ToolStatus
from simulator.fleet import FleetModel, Incident, IncidentKind
from tools.metric_range import MetricRange
from tools.metrics import CurrentMetric

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def services(tmp_path: Path) -> Services:
    clock = ManualClock(NOW)
    t = NOW.timestamp()
    fleet = FleetModel(
        5,
        (
            Incident(IncidentKind.DISK_FILL, "api-1", t - 3 * 3600, 6 * 3600),
            Incident(IncidentKind.CPU_SATURATION, "db-1", t - 600, 3600),
        ),
    )
    return build_services(
        Settings(audit=AuditSettings(dir=tmp_path)),
        clock=clock,
        metrics=SimulatedMetrics(fleet, clock),
        cloud=SimulatedCloudActions({}),
        load_model=False,
    )


def test_a_point_in_time_reads_the_value_then(services: Services) -> None:
    result = services.registry.call(
        "get_current_metric", {"metric": "cpu", "host": "db-1", "at": "30 minutes ago"}, services.tools
    )

    assert ToolStatus.SUCCESS == result.status
    assert isinstance(result.data, CurrentMetric)
    reading = result.data.readings[0]
    assert (datetime(2026, 3, 10, 14, 30, tzinfo=UTC), True) == (reading.at, reading.value < 90)
    assert NOW - timedelta(minutes=30) == result.data.at


def test_a_time_that_is_not_one_is_an_input_error(services: Services) -> None:
    result = services.registry.call("get_current_metric", {"metric": "cpu", "at": "soonish"}, services.tools)

    assert (ToolStatus.ERROR, "InputError") == (result.status, result.error_type)


def test_a_filling_disk_is_rising_with_a_time_to_full(services: Services) -> None:
    result = services.registry.call(
        "get_metric_range", {"metric": "disk", "host": "api-1", "since": "2h"}, services.tools
    )

    assert isinstance(result.data, MetricRange)
    assert result.data.trend is not None
    assert ("rising", True) == (result.data.trend.direction, result.data.trend.change.value > 0)
    assert result.data.full_at is not None
    assert result.data.full_at > NOW
    assert "At this pace the disk is full at 2026-03-1" in phrase("get_metric_range", result)


def test_a_steady_metric_says_so_and_has_no_forecast(services: Services) -> None:
    result = services.registry.call(
        "get_metric_range", {"metric": "disk", "host": "web-1", "since": "2h"}, services.tools
    )

    assert isinstance(result.data, MetricRange)
    assert result.data.trend is not None
    assert ("steady", None) == (result.data.trend.direction, result.data.full_at)


def test_the_router_answers_yesterday_with_yesterday(services: Services) -> None:
    answer = services.runner.answer("cpu on db-1 yesterday")

    assert [{"metric": "cpu", "host": "db-1", "at": "yesterday"}] == [c.args for c in answer.tool_calls]
    assert "2026-03-09 15:00:00 UTC" in answer.answer


def test_a_saturated_cpu_reads_rising_over_the_window(services: Services) -> None:
    answer = services.runner.answer("cpu trend on db-1 over 30m")

    assert "Trend: rising: +" in answer.answer
    assert "(last 30m)" in answer.answer
