"""How one anomaly reads in lists: severity, kind of incident, host, metric and filesystem, value, state, forecast."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.incident_phrasing import anomaly_text, incident_head
from domain.models import Anomaly, HostRef, MetricKind, Severity

AT = datetime(2026, 3, 10, 14, 10, tzinfo=UTC)
WORKER = HostRef(instance="10.0.2.1:9100", host="worker-1")


def _anomaly(detector: str, metric: MetricKind, summary: str, mountpoint: str | None = None) -> Anomaly:
    return Anomaly(
        id="a1", host=WORKER, metric=metric, detector=detector, severity=Severity.HIGH, score=3.0, value=55.2,
        started_at=AT, updated_at=AT, summary=summary, mountpoint=mountpoint,
    )  # fmt: skip


def test_a_disk_fill_names_its_kind_filesystem_and_forecast() -> None:
    fill = _anomaly(
        "engine:disk_fill", MetricKind.DISK, "disk /data on worker-1 55.2%, full in ~6 h at 20:16 UTC", "/data"
    )

    assert anomaly_text(fill) == (
        "[high] disk fill: worker-1 disk used (/data) 55.2%, open since 2026-03-10 14:10 UTC, "
        "projected full at 20:16 UTC"
    )


def test_a_plain_anomaly_reads_as_before() -> None:
    spike = _anomaly("engine:anomaly", MetricKind.CPU, "worker-1 CPU at 55.2%, usually 12.0% (3.1× its alarm level)")

    assert "[high] worker-1 CPU 55.2%, open since 2026-03-10 14:10 UTC" == anomaly_text(spike)


def test_a_rule_incident_has_no_engine_kind() -> None:
    rule = _anomaly("web-cpu-hot", MetricKind.CPU, "rule 'web-cpu-hot' has held for 5m")

    assert anomaly_text(rule).startswith("[high] worker-1 CPU 55.2%")


def test_a_host_down_reads_as_not_reachable_not_as_up_down() -> None:
    down = _anomaly("engine:host_down", MetricKind.UP, "worker-1 is down (node target not reachable)")

    assert "[high] host down: worker-1 not reachable, open since 2026-03-10 14:10 UTC" == anomaly_text(down)
    assert "[high] host down: host not reachable" == incident_head(down, host=False)


def test_the_kind_shows_where_a_host_is_already_named() -> None:
    fill = _anomaly("engine:disk_fill", MetricKind.DISK, "disk / on worker-1 55.2%", "/")

    assert "[high] disk fill: disk used (/) 55.2%" == incident_head(fill, host=False)
