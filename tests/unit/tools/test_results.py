"""The shared typed values of tool results and their rendering for the model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.models import Anomaly, AnomalyStatus, HostRef, HostState, MetricKind, Severity
from tools.results import ByteSize, HostReading, Quantity, for_model

AT = datetime(2026, 3, 10, 14, 2, 30, tzinfo=UTC)
DB = HostRef(instance="10.0.0.7:9100", host="db-1")


def test_a_quantity_reads_with_its_unit_window_and_time() -> None:
    cpu = Quantity(metric=MetricKind.CPU, value=97.34, window="1m average", at=AT)

    assert "97.3% (1m average, at 2026-03-10 14:02 UTC)" == for_model(cpu)


def test_a_quantity_without_a_time_still_says_its_window() -> None:
    io = Quantity(metric=MetricKind.DISK_IO, value=12.25, window="24h median")

    assert "12.2 MB/s (24h median)" == for_model(io)


def test_a_change_carries_its_sign() -> None:
    down = Quantity(metric=MetricKind.MEMORY, value=-3.14, window="change")

    assert ("-3.1%", "+3.1%") == (down.signed_text, down.model_copy(update={"value": 3.14}).signed_text)


def test_sizes_are_in_binary_units() -> None:
    assert "8.0 GiB" == for_model(ByteSize(bytes=8 * 1024**3))


def test_a_host_reading_names_the_host_and_its_instance() -> None:
    reading = HostReading(host=DB, metric=MetricKind.LOAD, value=3.5, window="latest", at=AT)

    expected = {
        "host": "db-1 (10.0.0.7:9100)",
        "metric": "load (1m)",
        "value": "3.50 (latest, at 2026-03-10 14:02 UTC)",
    }
    assert expected == for_model(reading)


def test_a_down_host_says_when_it_was_last_seen() -> None:
    state = HostState(ref=HostRef(instance="cache-1:9100"), up=False, last_seen=AT)

    assert {"host": "cache-1:9100", "state": "down", "last_seen": "2026-03-10 14:02 UTC"} == for_model(state)


def test_an_incident_value_carries_its_unit_and_span() -> None:
    incident = Anomaly(
        id="a1", host=DB, metric=MetricKind.CPU, detector="engine", severity=Severity.HIGH, score=9.25,
        value=97.0, started_at=AT, updated_at=AT, ended_at=AT + timedelta(minutes=5), status=AnomalyStatus.RESOLVED,
    )  # fmt: skip

    rendered = for_model(incident)

    assert isinstance(rendered, dict)
    span = "from 2026-03-10 14:02 UTC to 2026-03-10 14:07 UTC"
    assert f"97.0% (observed during the incident, {span})" == rendered["value"]
    assert "score" not in rendered


def test_times_durations_enums_and_counts_are_text_or_integers() -> None:
    assert {"high": 2, "at": "2026-03-10 14:02 UTC", "for": "1h30m", "kind": "cpu"} == for_model(
        {Severity.HIGH: 2, "at": AT, "for": timedelta(minutes=90), "kind": MetricKind.CPU}
    )


def test_a_bare_float_is_left_for_the_checks_to_find() -> None:
    assert [1.5] == for_model([1.5])
