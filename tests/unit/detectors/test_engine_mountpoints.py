"""Disk per filesystem: each mountpoint of a host is its own lane, with its own level and time-to-full."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import numpy as np

from adapters.prometheus.promql import filesystem_query
from detectors.engine.events import EventKind, Incident, IncidentEvent, IncidentKind
from detectors.engine.feed import LiveFeed
from detectors.engine.fleet import FleetEngine
from detectors.incident_records import engine_anomaly
from domain.models import Anomaly, HostRef, MetricKind, Series, Severity

START = 1_800_000_000.0
HOUR = 3600.0
DB = HostRef(instance="db-1:9100", host="db-1")
WEB = HostRef(instance="web-1:9100", host="web-1")
ROWS = (DB, DB, WEB, WEB)
MOUNTS = ("/", "/data", "/", "/data")


def _steady(times: np.ndarray, level: float) -> np.ndarray:
    return level + 0.2 * np.sin(times / 600.0)


def _bootstrapped() -> FleetEngine:
    engine = FleetEngine()
    history = np.arange(START - 24 * HOUR, START, 300.0)
    values = np.stack([_steady(history, level) for level in (40.0, 55.0, 30.0, 20.0)])
    engine.bootstrap(MetricKind.DISK, ROWS, history, values, MOUNTS)
    return engine


def _feed(
    engine: FleetEngine,
    hours: float,
    values_at: Callable[[float], np.ndarray],
    rows: tuple[HostRef, ...] = ROWS,
    mounts: tuple[str, ...] = MOUNTS,
) -> list[IncidentEvent]:
    events: list[IncidentEvent] = []
    for t in np.arange(START, START + hours * HOUR, 60.0):
        events += engine.observe(float(t), MetricKind.DISK, rows, values_at(float(t)), mounts)
    return events


def _data_fills(t: float) -> np.ndarray:
    """db-1's /data climbs 10 points an hour from 55%; everything else is steady."""
    data = 55.0 + 10.0 * (t - START) / HOUR
    return np.array([40.0, min(data, 99.0), 30.0, 20.0]) + 0.2 * np.sin(t / 600.0)


def test_only_the_filling_mountpoint_opens_a_disk_fill_naming_it_with_time_to_full() -> None:
    engine = _bootstrapped()

    events = _feed(engine, 3, _data_fills)

    opened = [e for e in events if e.kind is EventKind.OPENED and e.incident.kind is IncidentKind.DISK_FILL]
    assert [(e.incident.host.name, e.incident.mountpoint) for e in opened] == [("db-1", "/data")]
    summary = opened[0].incident.summary
    assert summary.startswith("disk /data on db-1 ")
    assert ", full in ~" in summary
    assert " UTC" in summary
    assert opened[0].incident.record()["mountpoint"] == "/data"
    assert all(e.incident.mountpoint == "/data" for e in events)


def test_each_mountpoint_keeps_its_own_baseline() -> None:
    engine = _bootstrapped()

    lanes = engine.lanes(MetricKind.DISK, ROWS, MOUNTS)

    assert len(set(lanes.tolist())) == 4
    np.testing.assert_allclose(engine.baselines.centre[lanes], [40.0, 55.0, 30.0, 20.0], atol=0.5)


def test_a_record_of_another_signal_has_no_mountpoint_key() -> None:
    engine = FleetEngine()
    history = np.arange(START - 24 * HOUR, START, 300.0)
    engine.bootstrap(MetricKind.CPU, (WEB,), history, _steady(history, 20.0)[None, :])

    events: list[IncidentEvent] = []
    for t in np.arange(START, START + HOUR, 60.0):
        events += engine.observe(float(t), MetricKind.CPU, (WEB,), np.array([95.0]))

    assert events
    assert "mountpoint" not in events[0].incident.record()


def test_an_unmounted_filesystem_closes_nothing_at_once_and_is_dropped_once_stale() -> None:
    engine = _bootstrapped()
    full = _feed(engine, 2, _data_fills)
    assert [e for e in full if e.kind is EventKind.OPENED]
    later = START + 2 * HOUR

    # /data of db-1 is gone from the answers; its host keeps reporting /.
    events: list[IncidentEvent] = []
    rows, mounts = (DB, WEB, WEB), ("/", "/", "/data")
    for t in np.arange(later, later + 2 * HOUR, 60.0):
        events += engine.observe(float(t), MetricKind.DISK, rows, np.array([40.0, 30.0, 20.0]), mounts)

    before_stale = [e for e in events if e.at < later - 60 + engine.stale_seconds]
    gone = [e for e in events if e.kind is EventKind.GONE]
    assert before_stale == []
    assert {(e.incident.mountpoint, e.incident.host.name) for e in gone} == {("/data", "db-1")}
    assert IncidentKind.DISK_FILL in {e.incident.kind for e in gone}
    assert all("/data on db-1 no longer reported for 1.0 h" in e.incident.summary for e in gone)
    assert [e for e in events if e.kind is EventKind.RESOLVED] == []
    assert engine.open_incidents() == []
    assert engine.lanes(MetricKind.DISK, (DB,), ("/data",))[0] >= len(ROWS)


def test_a_host_that_reports_no_filesystem_keeps_its_lanes() -> None:
    engine = _bootstrapped()

    _feed(engine, 3, lambda _t: np.array([np.nan, np.nan, 30.0, 20.0]))

    assert engine.index.stale_mounts(engine.stale_seconds).size == 0


def test_a_new_mountpoint_starts_from_the_fleet_prior_and_stays_quiet_while_warming_up() -> None:
    engine = _bootstrapped()
    rows, mounts = (*ROWS, DB), (*MOUNTS, "/backup")

    events = _feed(engine, 0.25, lambda _t: np.array([40.0, 55.0, 30.0, 20.0, 48.0]), rows, mounts)

    lane = int(engine.lanes(MetricKind.DISK, (DB,), ("/backup",))[0])
    assert events == []
    assert engine.keys[lane].mountpoint == "/backup"
    assert np.isfinite(engine.baselines.centre[lane])


def test_the_filesystem_query_is_one_query_per_mountpoint_without_pseudo_filesystems() -> None:
    query = filesystem_query()

    assert "mountpoint)" in query
    assert 'fstype!~"tmpfs' in query
    assert "/boot/efi" in query
    assert 'mountpoint="/"' not in query


@dataclass
class FilesystemFake:
    """A metrics source with two filesystems on db-1, counting the queries it answers."""

    calls: list[str] = field(default_factory=list)

    def hosts(self) -> list[HostRef]:
        return [DB]

    def range(self, metric: MetricKind, _hosts: Sequence[HostRef] | None, **_: object) -> list[Series]:
        self.calls.append(metric.value)
        return []

    def filesystem_range(
        self, _hosts: Sequence[HostRef] | None, *, start: datetime, end: datetime, step_seconds: float
    ) -> list[Series]:
        self.calls.append("filesystems")
        times = tuple(np.arange(start.timestamp(), end.timestamp() + 1, step_seconds).tolist())
        return [
            Series(DB, MetricKind.DISK, times, tuple(level for _ in times), labels={"mountpoint": mount})
            for mount, level in (("/", 40.0), ("/data", 60.0))
        ]


def test_the_live_feed_reads_every_filesystem_in_one_query_per_cycle() -> None:
    source = FilesystemFake()
    feed = LiveFeed(source, bootstrap_hours=24, signals=(MetricKind.DISK,))  # type: ignore[arg-type]
    now = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
    feed.advance_to(now)
    source.calls.clear()

    feed.advance_to(now + timedelta(minutes=1))

    assert source.calls == ["filesystems"]
    assert sorted(k.mountpoint for k in feed.engine.keys) == ["/", "/data"]


def test_each_filesystem_has_its_own_anomaly_id_and_the_root_keeps_the_one_it_had() -> None:
    opened = Incident(DB, MetricKind.DISK, IncidentKind.DISK_FILL, START, Severity.HIGH, 90.0, 90.0, 2.0, "disk")
    at = datetime.fromtimestamp(START, UTC)

    def stored(mount: str | None) -> Anomaly:
        return engine_anomaly(IncidentEvent(EventKind.OPENED, replace(opened, mountpoint=mount), START), at)

    root, data, unnamed = stored("/"), stored("/data"), stored(None)
    assert root.id == unnamed.id != data.id
    assert "/data" == data.mountpoint
