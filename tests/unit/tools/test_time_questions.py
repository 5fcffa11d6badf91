"""Points in time, trends and disk forecasts through the registry's tools over a simulated fleet."""

from __future__ import annotations

import re
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
from tests.unit.tools.conftest import db_cpu_incident
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
            Incident(IncidentKind.MEMORY_LEAK, "worker-1", t - 4 * 3600, 12 * 3600),
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
    text = phrase("get_metric_range", result)
    forecast = r"At this pace \(\+\d+\.\d%/h\) the disk is full at 2026-03-1\d \d\d:\d\d UTC, in \d+h\d+m\."
    assert re.search(forecast, text)


def test_a_fill_that_began_inside_a_long_window_is_forecast_at_its_own_pace(services: Services) -> None:
    def full_at(since: str) -> datetime:
        args = {"metric": "disk", "host": "api-1", "since": since}
        result = services.registry.call("get_metric_range", args, services.tools)
        assert isinstance(result.data, MetricRange)
        assert result.data.full_at is not None
        return result.data.full_at

    # api-1 has been filling for 3 hours: 9 hours of window are two thirds flat.
    assert abs(full_at("9h") - full_at("2h")) < timedelta(minutes=10)


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


def test_a_window_named_by_its_times_reads_that_window(services: Services) -> None:
    result = services.registry.call(
        "get_metric_range", {"metric": "cpu", "host": "db-1", "since": "between 13:00 and 14:00"}, services.tools
    )

    assert ToolStatus.SUCCESS == result.status
    assert isinstance(result.data, MetricRange)
    data = result.data
    assert (NOW.replace(hour=13), NOW.replace(hour=14), False) == (data.start, data.end, data.until_now)
    assert data.stats is not None
    assert "last in 13:00–14:00 UTC" == data.stats.last.window
    text = phrase("get_metric_range", result)
    assert "(1h):" in text
    assert ", last " in text
    assert "latest" not in text


def test_a_past_window_of_a_filling_disk_has_no_forecast(services: Services) -> None:
    since = {"metric": "disk", "host": "api-1", "since": "from 12:30 to 14:00"}
    past = services.registry.call("get_metric_range", since, services.tools)
    now = services.registry.call("get_metric_range", {**since, "since": "since 12:30"}, services.tools)

    assert isinstance(past.data, MetricRange)
    assert isinstance(now.data, MetricRange)
    assert (None, True) == (past.data.full_at, now.data.full_at is not None)


def test_anomalies_summarised_over_a_window_and_for_one_host(services: Services) -> None:
    db_cpu_incident(services, minutes_ago=10)

    since_two = services.registry.call("summarize_anomalies", {"since": "since 14:00"}, services.tools)
    yesterday = services.registry.call("summarize_anomalies", {"since": "yesterday"}, services.tools)
    other_host = services.registry.call("summarize_anomalies", {"since": "1h", "host": "web-1"}, services.tools)
    same_host = services.registry.call("summarize_anomalies", {"since": "1h", "host": "db-1"}, services.tools)

    assert (ToolStatus.SUCCESS, ToolStatus.NO_DATA) == (since_two.status, yesterday.status)
    assert (ToolStatus.NO_DATA, ToolStatus.SUCCESS) == (other_host.status, same_host.status)
    assert "No anomalies in 2026-03-09 00:00 UTC – 2026-03-10 00:00 UTC (1d)." == phrase(
        "summarize_anomalies", yesterday
    )


def test_a_window_that_is_no_time_is_refused_in_words(services: Services) -> None:
    result = services.registry.call(
        "get_metric_range", {"metric": "cpu", "host": "db-1", "since": "soon"}, services.tools
    )

    assert ToolStatus.ERROR == result.status
    assert "is not a time like '1h', '10 minutes ago' or 'since 09:00'" in (result.error or "")


def test_leaking_memory_is_forecast_like_a_filling_disk(services: Services) -> None:
    args = {"metric": "memory", "host": "worker-1", "since": "6h"}
    result = services.registry.call("get_metric_range", args, services.tools)

    assert isinstance(result.data, MetricRange)
    assert result.data.full_at is not None
    assert "memory is full at 2026-03-1" in phrase("get_metric_range", result)


def test_a_list_of_anomalies_says_when_more_are_recorded(services: Services) -> None:
    for minutes in (5, 10, 15):
        db_cpu_incident(services, minutes_ago=minutes, anomaly_id=f"a{minutes}")

    two = services.registry.call("list_recent_anomalies", {"limit": 2}, services.tools)
    three = services.registry.call("list_recent_anomalies", {"limit": 3}, services.tools)

    assert "(More are recorded: ask for the last 4.)" in phrase("list_recent_anomalies", two)
    assert "More are recorded" not in phrase("list_recent_anomalies", three)
