"""``detect replay`` against a real Prometheus holding a simulated fleet's history with one incident of every kind."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests import servers
from tests.factories import epoch_of, iso_utc

pytestmark = pytest.mark.integration

HOUR = 3600.0
# (injected kind, host, minutes after the replay starts, duration) → (signal, engine kind) expected.
INCIDENTS = (
    (IncidentKind.CPU_SATURATION, "web-1", 30, 2 * HOUR, "cpu", "anomaly"),
    (IncidentKind.MEMORY_LEAK, "api-1", 30, 3 * HOUR, "memory", "memory_leak"),
    (IncidentKind.DISK_FILL, "db-1", 45, 3 * HOUR, "disk", "disk_fill"),
    (IncidentKind.NETWORK_SPIKE, "cache-1", 90, 0.5 * HOUR, "network_in", "anomaly"),
    (IncidentKind.HOST_DOWN, "worker-1", 120, 0.25 * HOUR, "up", "host_down"),
    (IncidentKind.NETWORK_OUT_SPIKE, "web-2", 40, 0.5 * HOUR, "network_out", "anomaly"),
    (IncidentKind.DISK_IO_SPIKE, "db-2", 60, 0.5 * HOUR, "disk_io", "anomaly"),
    (IncidentKind.LOAD_SPIKE, "api-2", 80, 0.5 * HOUR, "load", "anomaly"),
    (IncidentKind.MEMORY_SPIKE, "cache-2", 100, 0.75 * HOUR, "memory", "anomaly"),
    # The same host again, three hours after its first saturation ended.
    (IncidentKind.CPU_SATURATION, "web-1", 330, 0.5 * HOUR, "cpu", "anomaly"),
)
TRENDS = ("memory_leak", "disk_fill")


@pytest.fixture(scope="module")
def period() -> tuple[float, float]:
    end = float(int(time.time() // 3600 * 3600) - 2 * 3600)
    return end - 6.5 * HOUR, end


@pytest.fixture(scope="module")
def fleet(period: tuple[float, float]) -> FleetModel:
    start, _ = period
    return FleetModel(
        10, tuple(Incident(kind, host, start + 60 * minutes, length) for kind, host, minutes, length, _, _ in INCIDENTS)
    )


@pytest.fixture(scope="module")
def replay_prometheus(
    tmp_path_factory: pytest.TempPathFactory, fleet: FleetModel, period: tuple[float, float]
) -> Iterator[servers.ServerProcess]:
    start, end = period
    try:
        server = servers.start_history_prometheus(
            tmp_path_factory.mktemp("replay"), fleet, start=start - 24 * HOUR, end=end, step=60.0
        )
    except servers.ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


# The day of history is read every minute whether a day or the default week is asked for.
@pytest.mark.parametrize("bootstrap_hours", ["24", None])
def test_replay_finds_every_incident_kind_in_time_and_resolves_none_while_abnormal(
    replay_prometheus: servers.ServerProcess,
    period: tuple[float, float],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    bootstrap_hours: str | None,
) -> None:
    start, end = period
    out = tmp_path / "incidents.jsonl"
    monkeypatch.setenv("SCO_PROMETHEUS__URL", replay_prometheus.url)
    if bootstrap_hours is None:
        monkeypatch.delenv("SCO_DETECTION__BOOTSTRAP_HOURS", raising=False)
    else:
        monkeypatch.setenv("SCO_DETECTION__BOOTSTRAP_HOURS", bootstrap_hours)

    code = main(["detect", "replay", "--start", iso_utc(start), "--end", iso_utc(end), "--output", str(out)])

    assert code == 0
    err = capsys.readouterr().err
    assert "100.0% replayed" in err
    assert "every 1 min" in err
    assert "bootstrapped 10 hosts" in err
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records
    keys = {"host", "instance", "signal", "kind", "opened_at", "resolved_at", "severity", "peak", "summary"}
    for record in records:
        assert set(record) == (keys | {"mountpoint"} if record["signal"] == "disk" else keys)
    assert {r["mountpoint"] for r in records if r["signal"] == "disk"} == {"/"}
    for _injected, host, minutes, length, signal, kind in INCIDENTS:
        begins = start + 60 * minutes
        found = [
            r
            for r in records
            if r["host"] == host
            and r["signal"] == signal
            and r["kind"] == kind
            and epoch_of(r["opened_at"]) >= begins - 60
        ]
        assert found, f"no {kind} incident on {host} {signal} from {iso_utc(begins)}"
        first = min(found, key=lambda r: r["opened_at"])
        delay = epoch_of(first["opened_at"]) - begins
        limit = length / 2 if kind in TRENDS else 5 * 60
        assert -60 <= delay <= limit, f"{host} {kind} opened {delay:.0f} s after the incident began"
        if first["resolved_at"] is not None and kind not in TRENDS:
            assert epoch_of(first["resolved_at"]) >= begins + length, f"{host} {kind} resolved while still abnormal"
    # A level that jumps and holds, or a spike, is an anomaly, not a leak or a filling disk.
    trending_hosts = {host for _injected, host, _m, _l, _s, kind in INCIDENTS if kind in TRENDS}
    assert {r["host"] for r in records if r["kind"] in TRENDS} == trending_hosts
    # The host without an incident raised none.
    assert not [r for r in records if r["host"] == "worker-2"]


def test_a_replay_that_starts_during_an_incident_reports_it_from_when_it_began(
    replay_prometheus: servers.ServerProcess,
    period: tuple[float, float],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start, _ = period
    # web-1's first saturation runs from 30 to 150 minutes: the replay starts 100 minutes into it.
    began, ends = start + 30 * 60, start + 150 * 60
    out = tmp_path / "incidents.jsonl"
    monkeypatch.setenv("SCO_PROMETHEUS__URL", replay_prometheus.url)
    monkeypatch.setenv("SCO_DETECTION__BOOTSTRAP_HOURS", "24")

    code = main(
        [
            "detect",
            "replay",
            "--start",
            iso_utc(start + 130 * 60),
            "--end",
            iso_utc(start + 180 * 60),
            "--output",
            str(out),
        ]
    )

    assert code == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    cpu = [r for r in records if r["host"] == "web-1" and r["signal"] == "cpu"]
    assert len(cpu) == 1, cpu
    assert abs(epoch_of(cpu[0]["opened_at"]) - began) <= 5 * 60
    assert cpu[0]["resolved_at"] is not None
    assert epoch_of(cpu[0]["resolved_at"]) >= ends
    assert not [r for r in records if r["host"] == "worker-2"]


def test_serve_starting_after_the_incidents_records_each_kind_with_its_times(
    replay_prometheus: servers.ServerProcess, period: tuple[float, float], tmp_path: Path
) -> None:
    from bot.config.settings import AuditSettings, DetectionSettings, PrometheusSettings, Settings
    from bot.wiring import build_services

    start, end = period
    settings = Settings(
        prometheus=PrometheusSettings(url=replay_prometheus.url),
        detection=DetectionSettings(bootstrap_hours=24, snapshot_path=tmp_path / "none.npz"),
        audit=AuditSettings(dir=tmp_path),
    )
    services = build_services(settings, in_memory=True, load_model=False)
    assert services.detection is not None

    # serve's first cycle, at the end of the history: every incident in it is over but web-1's last.
    report = services.detection.run_once(datetime.fromtimestamp(end, UTC))

    stored = services.anomalies.recent(100)
    for _injected, host, minutes, length, signal, kind in INCIDENTS:
        begins = start + 60 * minutes
        found = [
            a
            for a in stored
            if a.host.name == host
            and a.metric.value == signal
            and a.detector == f"engine:{kind}"
            and a.started_at.timestamp() >= begins - 15 * 60
        ]
        assert found, f"no {kind} incident on {host} {signal} from {iso_utc(begins)}"
        first = min(found, key=lambda a: a.started_at)
        limit = length / 2 if kind in TRENDS else 5 * 60
        assert first.started_at.timestamp() - begins <= limit, f"{host} {kind} opened late: {first.started_at}"
        if first.ended_at is not None and kind not in TRENDS:
            assert first.ended_at.timestamp() >= begins + length, f"{host} {kind} resolved while still abnormal"
    assert not [a for a in stored if a.host.name == "worker-2"]
    assert {a.id for a in report.opened} == {a.id for a in stored}
