"""Rule windows kept between passes: the same series as a full read, from reads of the new minutes only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from adapters.clock import ManualClock
from adapters.memory.anomalies import InMemoryAnomalyStore
from adapters.simulated.metrics import SimulatedMetrics
from detectors.engine.blocks import Block
from detectors.engine.feed import LiveFeed
from detectors.rules.evaluation import RuleDetector
from detectors.rules.grammar import parse_rule
from detectors.service import DetectionService
from detectors.windows import RollingWindows
from domain.models import HostRef, MetricKind, Series
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests.unit.detectors.recording_metrics import RecordingMetrics

NOW = datetime(2026, 12, 7, 12, 0, 30, tzinfo=UTC)
WINDOW = timedelta(minutes=30)
WEB1 = HostRef(instance="10.0.1.11:9100", host="web-1")
WEB2 = HostRef(instance="10.0.1.12:9100", host="web-2")


@dataclass
class ScriptedMetrics(RecordingMetrics):
    """Answers range reads from ``points``: per instance, timestamp → value (what the server holds now)."""

    points: dict[HostRef, dict[float, float]] = field(default_factory=dict)
    down: bool = False

    def range(self, metric: MetricKind, hosts: Sequence[HostRef] | None, **window: Any) -> list[Series]:
        if self.down:
            raise ConnectionError("prometheus is down")
        start, end, step_seconds = window["start"], window["end"], window["step_seconds"]
        self.record(metric, start, end, step_seconds)
        out = []
        first, last = start.timestamp(), end.timestamp()
        for host, points in self.points.items():
            if hosts is not None and host not in hosts:
                continue
            # Only the samples on the read's own grid, as a range query evaluates.
            times = tuple(t for t in sorted(points) if first <= t <= last and (t - first) % step_seconds == 0)
            if times:
                out.append(Series(host, metric, times, tuple(points[t] for t in times)))
        return out


def _fleet() -> RecordingMetrics:
    return RecordingMetrics(SimulatedMetrics(FleetModel(4), ManualClock(NOW)))


def _pass(windows: RollingWindows, minute: int, span: timedelta = WINDOW) -> list[Series]:
    """The CPU window ``minute`` minutes after ``NOW``."""
    now = NOW + timedelta(minutes=minute)
    return windows.range(MetricKind.CPU, start=now - span, end=now, step_seconds=60)


def _by_host(series: list[Series]) -> dict[str, tuple[tuple[float, ...], tuple[float, ...]]]:
    return {s.host.instance: (s.timestamps, s.values) for s in series}


def test_each_pass_equals_a_full_read_of_its_window() -> None:
    metrics = _fleet()
    windows = RollingWindows(metrics)

    for minute in range(6):
        now = NOW + timedelta(minutes=minute)
        kept = windows.range(MetricKind.CPU, start=now - WINDOW, end=now, step_seconds=60)
        full = metrics.inner.range(MetricKind.CPU, None, start=now - WINDOW, end=now, step_seconds=60)

        assert _by_host(full) == _by_host(kept)
        assert len(kept) == 4


def test_later_passes_read_from_the_last_sample_on() -> None:
    metrics = _fleet()
    windows = RollingWindows(metrics)

    windows.range(MetricKind.CPU, start=NOW - WINDOW, end=NOW, step_seconds=60)
    windows.range(
        MetricKind.CPU, start=NOW - WINDOW + timedelta(minutes=1), end=NOW + timedelta(minutes=1), step_seconds=60
    )

    assert [(NOW - WINDOW, NOW), (NOW, NOW + timedelta(minutes=1))] == metrics.windows


def test_a_gap_longer_than_the_window_reads_the_whole_window_again() -> None:
    metrics = _fleet()
    windows = RollingWindows(metrics)
    later = NOW + WINDOW + timedelta(minutes=2)

    windows.range(MetricKind.CPU, start=NOW - WINDOW, end=NOW, step_seconds=60)
    kept = windows.range(MetricKind.CPU, start=later - WINDOW, end=later, step_seconds=60)

    assert (later - WINDOW, later) == metrics.windows[-1]
    assert _by_host(metrics.inner.range(MetricKind.CPU, None, start=later - WINDOW, end=later, step_seconds=60)) == (
        _by_host(kept)
    )


def test_a_wider_window_or_an_earlier_pass_reads_the_whole_window_again() -> None:
    metrics = _fleet()
    windows = RollingWindows(metrics)

    windows.range(MetricKind.CPU, start=NOW - WINDOW, end=NOW, step_seconds=60)
    windows.range(MetricKind.CPU, start=NOW - 2 * WINDOW, end=NOW, step_seconds=60)
    windows.range(MetricKind.CPU, start=NOW - 3 * WINDOW, end=NOW - timedelta(minutes=10), step_seconds=60)

    assert [(NOW - 2 * WINDOW, NOW), (NOW - 3 * WINDOW, NOW - timedelta(minutes=10))] == metrics.windows[1:]


def test_each_metric_and_step_has_its_own_window() -> None:
    metrics = _fleet()
    windows = RollingWindows(metrics)

    windows.range(MetricKind.CPU, start=NOW - WINDOW, end=NOW, step_seconds=60)
    windows.range(MetricKind.MEMORY, start=NOW - WINDOW, end=NOW, step_seconds=60)
    windows.range(MetricKind.CPU, start=NOW - WINDOW, end=NOW, step_seconds=30)

    assert [(NOW - WINDOW, NOW)] * 3 == metrics.windows


def test_a_host_that_stops_reporting_leaves_once_its_samples_are_out_of_the_window() -> None:
    t0 = NOW.timestamp()
    metrics = ScriptedMetrics(_fleet().inner, points={WEB1: {t0 - 120: 1.0, t0 - 60: 2.0, t0: 3.0}, WEB2: {t0: 9.0}})
    windows = RollingWindows(metrics)
    short = timedelta(minutes=3)
    windows.range(MetricKind.CPU, start=NOW - short, end=NOW, step_seconds=60)
    del metrics.points[WEB2]
    metrics.points[WEB1][t0 + 60] = 4.0

    one = windows.range(
        MetricKind.CPU, start=NOW - short + timedelta(minutes=1), end=NOW + timedelta(minutes=1), step_seconds=60
    )
    four = windows.range(
        MetricKind.CPU, start=NOW + timedelta(minutes=1), end=NOW + timedelta(minutes=4), step_seconds=60
    )

    assert {
        "10.0.1.11:9100": ((t0 - 120, t0 - 60, t0, t0 + 60), (1.0, 2.0, 3.0, 4.0)),
        "10.0.1.12:9100": ((t0,), (9.0,)),
    } == (_by_host(one))
    assert {"10.0.1.11:9100": ((t0 + 60,), (4.0,))} == _by_host(four)


def test_a_new_host_joins_with_the_samples_it_has() -> None:
    t0 = NOW.timestamp()
    metrics = ScriptedMetrics(_fleet().inner, points={WEB1: {t0 - 60: 1.0, t0: 2.0}})
    windows = RollingWindows(metrics)
    windows.range(MetricKind.CPU, start=NOW - WINDOW, end=NOW, step_seconds=60)
    metrics.points[WEB2] = {t0 + 60: 7.0}
    metrics.points[WEB1][t0 + 60] = 3.0

    kept = windows.range(
        MetricKind.CPU, start=NOW - WINDOW + timedelta(minutes=1), end=NOW + timedelta(minutes=1), step_seconds=60
    )

    assert {"10.0.1.11:9100": ((t0 - 60, t0, t0 + 60), (1.0, 2.0, 3.0)), "10.0.1.12:9100": ((t0 + 60,), (7.0,))} == (
        _by_host(kept)
    )


def test_the_last_sample_is_read_again_and_a_late_value_replaces_it() -> None:
    t0 = NOW.timestamp()
    metrics = ScriptedMetrics(_fleet().inner, points={WEB1: {t0 - 60: 1.0, t0: 2.0}})
    windows = RollingWindows(metrics)
    windows.range(MetricKind.CPU, start=NOW - WINDOW, end=NOW, step_seconds=60)
    metrics.points[WEB1].update({t0: 2.5, t0 + 60: 3.0})

    kept = windows.range(
        MetricKind.CPU, start=NOW - WINDOW + timedelta(minutes=1), end=NOW + timedelta(minutes=1), step_seconds=60
    )

    assert {"10.0.1.11:9100": ((t0 - 60, t0, t0 + 60), (1.0, 2.5, 3.0))} == _by_host(kept)


def test_a_failed_read_leaves_the_window_to_the_next_pass() -> None:
    t0 = NOW.timestamp()
    metrics = ScriptedMetrics(_fleet().inner, points={WEB1: {t0: 2.0}})
    windows = RollingWindows(metrics)
    windows.range(MetricKind.CPU, start=NOW - WINDOW, end=NOW, step_seconds=60)
    metrics.down = True
    with pytest.raises(ConnectionError):
        windows.range(MetricKind.CPU, start=NOW - WINDOW, end=NOW + timedelta(minutes=1), step_seconds=60)
    metrics.down = False
    metrics.points[WEB1].update({t0 + 60: 3.0, t0 + 120: 4.0})

    kept = windows.range(MetricKind.CPU, start=NOW - WINDOW, end=NOW + timedelta(minutes=2), step_seconds=60)

    assert (NOW, NOW + timedelta(minutes=2)) == metrics.windows[-1]
    assert {"10.0.1.11:9100": ((t0, t0 + 60, t0 + 120), (2.0, 3.0, 4.0))} == _by_host(kept)


def test_a_detection_pass_with_rules_reads_only_the_minutes_since_the_last_pass() -> None:
    metrics = _fleet()
    store = InMemoryAnomalyStore()
    service = DetectionService(
        metrics=metrics,
        store=store,
        detectors=(RuleDetector("hot", parse_rule("cpu > 90% for 3m")),),
        metric_kinds=(MetricKind.CPU,),
    )

    service.run_once(NOW)
    report = service.run_once(NOW + timedelta(minutes=1))

    assert [(NOW - WINDOW, NOW), (NOW, NOW + timedelta(minutes=1))] == metrics.windows
    assert 4 == report.series_checked


def test_a_pass_that_keeps_no_windows_reads_each_window_whole() -> None:
    metrics = _fleet()
    rule = RuleDetector("hot", parse_rule("cpu > 90% for 3m"))
    service = DetectionService(metrics, InMemoryAnomalyStore(), (rule,), (MetricKind.CPU,), keep_windows=False)

    service.run_once(NOW)
    service.run_once(NOW + timedelta(minutes=1))

    assert [(NOW - WINDOW, NOW), (NOW - WINDOW + timedelta(minutes=1), NOW + timedelta(minutes=1))] == metrics.windows


def _block(
    signal: MetricKind, rows: dict[HostRef, list[float]], times: list[float], mounts: tuple[str, ...] = ()
) -> Block:
    return Block(
        signal=signal,
        hosts=tuple(rows),
        times=np.asarray(times, dtype=np.float64),
        values=np.asarray(list(rows.values()), dtype=np.float64),
        mounts=mounts or ("",) * len(rows),
    )


def test_samples_offered_on_the_window_grid_extend_it_without_a_read() -> None:
    t0 = NOW.timestamp()
    metrics = ScriptedMetrics(_fleet().inner, points={WEB1: {t0 - 60: 1.0, t0: 2.0}, WEB2: {t0: 5.0}})
    windows = RollingWindows(metrics)
    windows.range(MetricKind.CPU, start=NOW - WINDOW, end=NOW, step_seconds=60)

    windows.offer(_block(MetricKind.CPU, {WEB1: [3.0], WEB2: [float("nan")]}, [t0 + 60]))
    kept = windows.range(
        MetricKind.CPU, start=NOW - WINDOW + timedelta(minutes=1), end=NOW + timedelta(minutes=1), step_seconds=60
    )

    assert [(NOW - WINDOW, NOW)] == metrics.windows
    assert {"10.0.1.11:9100": ((t0 - 60, t0, t0 + 60), (1.0, 2.0, 3.0)), "10.0.1.12:9100": ((t0,), (5.0,))} == (
        _by_host(kept)
    )


def test_offered_rows_keep_only_their_finite_samples_and_bring_new_hosts() -> None:
    t0 = NOW.timestamp()
    metrics = ScriptedMetrics(_fleet().inner, points={WEB1: {t0: 2.0}})
    windows = RollingWindows(metrics)
    windows.range(MetricKind.CPU, start=NOW - WINDOW, end=NOW, step_seconds=60)

    windows.offer(_block(MetricKind.CPU, {WEB1: [float("nan"), 4.0], WEB2: [6.0, 7.0]}, [t0 + 60, t0 + 120]))
    kept = windows.range(
        MetricKind.CPU, start=NOW - WINDOW + timedelta(minutes=2), end=NOW + timedelta(minutes=2), step_seconds=60
    )

    assert [(NOW - WINDOW, NOW)] == metrics.windows
    assert {"10.0.1.11:9100": ((t0, t0 + 120), (2.0, 4.0)), "10.0.1.12:9100": ((t0 + 60, t0 + 120), (6.0, 7.0))} == (
        _by_host(kept)
    )


@pytest.mark.parametrize(
    ("signal", "times", "mounts"),
    [
        (MetricKind.MEMORY, [60.0], ()),  # another metric's samples
        (MetricKind.CPU, [90.0], ()),  # off the window's grid
        (MetricKind.CPU, [240.0], ()),  # after a gap: the minutes between were not read
        (MetricKind.CPU, [60.0, 90.0], ()),  # another step
        (MetricKind.CPU, [60.0], ("/data",)),  # rows per filesystem
    ],
)
def test_samples_that_do_not_continue_the_window_are_not_taken(
    signal: MetricKind, times: list[float], mounts: tuple[str, ...]
) -> None:
    t0 = NOW.timestamp()
    metrics = ScriptedMetrics(_fleet().inner, points={WEB1: {t0: 2.0, t0 + 60: 3.0}})
    windows = RollingWindows(metrics)
    windows.range(MetricKind.CPU, start=NOW - WINDOW, end=NOW, step_seconds=60)

    windows.offer(_block(signal, {WEB1: [50.0] * len(times)}, [t0 + t for t in times], mounts))
    kept = windows.range(
        MetricKind.CPU, start=NOW - WINDOW + timedelta(minutes=1), end=NOW + timedelta(minutes=1), step_seconds=60
    )

    assert (NOW, NOW + timedelta(minutes=1)) == metrics.windows[-1]
    assert {"10.0.1.11:9100": ((t0, t0 + 60), (2.0, 3.0))} == _by_host(kept)


def test_with_the_engine_a_rule_pass_reads_nothing_the_engine_has_just_read() -> None:
    began = NOW.timestamp() + 120
    fleet = FleetModel(4, (Incident(IncidentKind.CPU_SATURATION, "web-1", began, 3600),))
    metrics = RecordingMetrics(SimulatedMetrics(fleet, ManualClock(NOW)))
    feed = LiveFeed(metrics, bootstrap_hours=2, signals=(MetricKind.CPU, MetricKind.MEMORY))
    rule = RuleDetector("hot", parse_rule("cpu > 90% for 3m"))
    service = DetectionService(metrics, InMemoryAnomalyStore(), (rule,), (MetricKind.CPU,), feed=feed)
    service.run_once(NOW)
    first = len(metrics.reads)

    opened = []
    for minute in range(1, 9):
        opened += [a for a in service.run_once(NOW + timedelta(minutes=minute)).opened if a.detector == "hot"]

    cpu_reads = [r for r in metrics.reads[first:] if r[0] is MetricKind.CPU]
    assert 8 == len(cpu_reads)  # the engine's, one a minute; none for the rule
    assert ["web-1"] == [a.host.name for a in opened]
    assert opened[0].started_at.timestamp() == pytest.approx(began, abs=60)
