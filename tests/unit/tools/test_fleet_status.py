"""The fleet and its down hosts, through the registry's tools over a simulated fleet with one host down."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agent.phrasing import phrase
from bot.services import Services
from domain.models import MetricKind, ToolStatus
from tests.unit.tools.conftest import DOWN_SINCE, NOW, db_cpu_incident
from tools.fleet import FleetStatus
from tools.metrics import CurrentMetric, HostStatus, TopHosts


def call(services: Services, name: str, **args: object) -> tuple[ToolStatus, object, str | None]:
    result = services.registry.call(name, args, services.tools)
    return result.status, result.data, result.error


def test_fleet_status_counts_the_down_host_and_says_since_when(services: Services) -> None:
    status, data, _ = call(services, "fleet_status")

    assert ToolStatus.SUCCESS == status
    assert isinstance(data, FleetStatus)
    assert (9, ["cache-1"]) == (len(data.up), [d.ref.name for d in data.down])
    assert DOWN_SINCE == data.down[0].last_seen
    assert "down since 14:40 UTC" in data.down[0].describe_down(NOW)


def test_fleet_averages_say_their_unit_and_basis_and_the_worst_host_comes_first(services: Services) -> None:
    _, data, _ = call(services, "fleet_status")

    assert isinstance(data, FleetStatus)
    cpu = data.metric(MetricKind.CPU)
    assert cpu is not None
    assert 9 == cpu.hosts
    assert "db-1" == cpu.highest[0].host.name
    assert cpu.average == pytest.approx(sum(r.value for r in cpu.readings) / 9)
    assert "% (per host, each host averaged over its cores, 1m average, 9 hosts)" in cpu.average_text


def test_fleet_status_lists_open_incidents(services: Services) -> None:
    db_cpu_incident(services, minutes_ago=9)

    _, data, _ = call(services, "fleet_status")

    assert isinstance(data, FleetStatus)
    assert ["a1"] == [a.id for a in data.open_incidents]


def test_fleet_status_of_a_name_prefix(services: Services) -> None:
    _, data, _ = call(services, "fleet_status", match="web")

    assert isinstance(data, FleetStatus)
    assert ["web-1", "web-2"] == sorted(s.ref.name for s in data.up)


def test_a_prefix_that_matches_nothing_is_an_input_error(services: Services) -> None:
    status, _, error = call(services, "fleet_status", match="nosuch")

    assert (ToolStatus.ERROR, "no host name matches 'nosuch'") == (status, error)


def test_the_current_metric_of_a_down_host_says_it_is_down(services: Services) -> None:
    status, data, _ = call(services, "get_current_metric", metric="cpu", host="cache-1")

    assert ToolStatus.NO_DATA == status
    assert isinstance(data, CurrentMetric)
    assert (["cache-1"], DOWN_SINCE) == ([d.ref.name for d in data.down], data.down[0].last_seen)
    assert data.down[0].describe_down(data.checked_at).startswith("down since 14:40 UTC (last seen")


def test_host_status_of_a_down_host_is_not_unknown(services: Services) -> None:
    status, data, _ = call(services, "host_status", host="cache-1")

    assert ToolStatus.SUCCESS == status
    assert isinstance(data, HostStatus)
    assert (False, []) == (data.host.up, data.readings)


def test_hosts_above_a_threshold(services: Services) -> None:
    _, data, _ = call(services, "get_current_metric", metric="cpu", above=90)

    assert isinstance(data, CurrentMetric)
    assert (["db-1"], True) == ([r.host.name for r in data.readings], data.filtered)
    assert all(r.value > 90 for r in data.readings)


def test_comparing_named_hosts(services: Services) -> None:
    _, data, _ = call(services, "get_current_metric", metric="cpu", hosts=["web-1", "web-2"])

    assert isinstance(data, CurrentMetric)
    assert ["web-1", "web-2"] == [r.host.name for r in data.readings]


def test_a_restart_on_a_down_host_is_refused_for_that_reason(services: Services) -> None:
    ctx = services.tools
    asked = type(ctx)(**{**ctx.__dict__, "remediation_asked": True})

    result = services.registry.call(
        "request_remediation", {"action": "restart_service", "service": "nginx", "host": "cache-1"}, asked
    )

    assert (ToolStatus.ERROR, "ActionNotAllowed") == (result.status, result.error_type)
    assert "cache-1 is down since 14:40 UTC" in (result.error or "")


def test_a_ranking_names_the_down_hosts_it_could_not_rank(services: Services) -> None:
    result = services.registry.call("top_hosts", {"metric": "cpu", "n": 3}, services.tools)

    assert isinstance(result.data, TopHosts)
    assert ["cache-1"] == [h.name for h in result.data.down]
    assert phrase("top_hosts", result).startswith("Highest CPU of 9 hosts (cache-1 down, not ranked):")


def test_fleet_averages_over_a_window_average_each_host_over_it(services: Services) -> None:
    _, now, _ = call(services, "fleet_status", metrics=["memory"])
    _, window, _ = call(services, "fleet_status", metrics=["memory"], since="6h")

    assert isinstance(now, FleetStatus)
    assert isinstance(window, FleetStatus)
    latest, averaged = now.metric(MetricKind.MEMORY), window.metric(MetricKind.MEMORY)
    assert latest is not None
    assert averaged is not None
    assert "average over 09:00–15:00 UTC" in averaged.average_text
    assert averaged.average != pytest.approx(latest.average)
    assert averaged.average == pytest.approx(sum(r.value for r in averaged.readings) / averaged.hosts)


def test_a_fleet_window_still_to_come_is_an_error_in_words(services: Services) -> None:
    status, _, error = call(services, "fleet_status", since="this evening")

    assert ToolStatus.ERROR == status
    assert error is not None
    assert "has not begun yet" in error


def test_when_a_host_was_down_over_a_window(services: Services) -> None:
    down = services.registry.call(
        "get_metric_range", {"metric": "up", "host": "cache-1", "since": "1h"}, services.tools
    )
    up = services.registry.call("get_metric_range", {"metric": "up", "host": "web-1", "since": "1h"}, services.tools)

    assert ToolStatus.SUCCESS == down.status
    text = phrase("get_metric_range", down)
    assert text.startswith(
        "cache-1 was down 1 time over 2026-03-10 14:00 UTC – 2026-03-10 15:00 UTC (last 1h): from 2026-03-10 14:4"
    )
    assert "still down at the end of the window" in text
    assert phrase("get_metric_range", up).startswith("web-1 was up throughout")


def test_the_hosts_that_were_down_over_a_window(services: Services) -> None:
    result = services.registry.call("fleet_downtime", {"since": "1h"}, services.tools)

    assert ToolStatus.SUCCESS == result.status
    text = phrase("fleet_downtime", result)
    assert text.startswith("1 of 10 hosts were down over 2026-03-10 14:00 UTC – 2026-03-10 15:00 UTC (last 1h):")
    assert "• cache-1: from 2026-03-10 14:4" in text
    assert "still down at the end of the window" in text


def test_hosts_that_went_above_a_value_within_a_window_are_read_at_their_peak(services: Services) -> None:
    status, data, _ = call(services, "get_current_metric", metric="cpu", above=90, since="30m")

    assert ToolStatus.SUCCESS == status
    assert isinstance(data, CurrentMetric)
    assert ["db-1"] == [r.host.name for r in data.readings]
    peak = data.readings[0]
    assert peak.value > 90
    assert peak.at is not None
    assert NOW - timedelta(minutes=30) <= peak.at <= NOW
    assert peak.window == "peak over 14:30–15:00 UTC"
    assert [] == data.down


def test_a_window_before_the_saturation_finds_no_host_above_and_says_over_when(services: Services) -> None:
    result = services.registry.call(
        "get_current_metric", {"metric": "cpu", "above": 90, "since": "between 14:00 and 14:45"}, services.tools
    )

    assert ToolStatus.NO_DATA == result.status
    assert "No host had CPU in that range over 14:00–14:45 UTC." == phrase("get_current_metric", result)


def test_below_alone_within_a_window_reads_each_host_at_its_lowest(services: Services) -> None:
    _, peaks, _ = call(services, "get_current_metric", metric="memory", since="1h")
    _, lows, _ = call(services, "get_current_metric", metric="memory", below=101, since="1h")

    assert isinstance(peaks, CurrentMetric)
    assert isinstance(lows, CurrentMetric)
    peak = {r.host.name: r.value for r in peaks.readings}
    low = {r.host.name: r.value for r in lows.readings}
    assert peak.keys() == low.keys()
    assert all(low[h] <= peak[h] for h in peak)
    assert any(low[h] < peak[h] for h in peak)
    assert [r.value for r in lows.readings] == sorted(low.values())
    assert lows.readings[0].window.startswith("lowest over ")


def test_a_time_and_a_window_together_are_an_error_in_words(services: Services) -> None:
    status, _, error = call(services, "get_current_metric", metric="cpu", at="30 minutes ago", since="1h")

    assert (ToolStatus.ERROR, "ask about one time (at) or one window (since), not both") == (status, error)


def test_above_a_value_throughout_a_window_reads_each_host_at_its_lowest(services: Services) -> None:
    _, lately, _ = call(services, "get_current_metric", metric="cpu", above=90, since="5m", throughout=True)
    since_before = services.registry.call(
        "get_current_metric", {"metric": "cpu", "above": 90, "since": "30m", "throughout": True}, services.tools
    )

    assert isinstance(lately, CurrentMetric)
    assert ["db-1"] == [r.host.name for r in lately.readings]
    assert lately.readings[0].value > 90
    assert lately.readings[0].window.startswith("lowest over ")
    # db-1 went above 90% within the last 30 minutes, but was not above it for all of them.
    assert ToolStatus.NO_DATA == since_before.status
    assert phrase("get_current_metric", since_before).startswith("No host had CPU in that range throughout ")


def test_a_band_throughout_a_window_keeps_the_hosts_whose_lowest_and_highest_are_in_it(services: Services) -> None:
    _, band, _ = call(services, "get_current_metric", metric="memory", above=0, below=101, since="1h", throughout=True)
    _, narrow, _ = call(services, "get_current_metric", metric="memory", above=0, since="1h", throughout=True)
    _, peaks, _ = call(services, "get_current_metric", metric="memory", since="1h")

    assert isinstance(band, CurrentMetric)
    assert isinstance(narrow, CurrentMetric)
    assert isinstance(peaks, CurrentMetric)
    top = max(r.value for r in peaks.readings)
    _, capped, _ = call(
        services, "get_current_metric", metric="memory", above=0, below=top, since="1h", throughout=True
    )
    assert isinstance(capped, CurrentMetric)
    assert {r.host.name for r in band.readings} == {r.host.name for r in narrow.readings}
    assert len(capped.readings) == len(band.readings) - 1
