"""The bootstrap reads the history there is, as finely as its budget allows, and fits it on the live clock."""

from __future__ import annotations

import threading

import numpy as np

from adapters.clock import ManualClock
from adapters.simulated.metrics import SimulatedMetrics
from detectors.engine.config import EngineConfig
from detectors.engine.fleet import FleetEngine
from detectors.engine.history import bootstrap, history_step
from detectors.engine.peaks import PeakLevels
from domain.models import MetricKind
from simulator.fleet import FleetModel
from tests.unit.detectors.recording_metrics import RecordingMetrics
from tests.unit.detectors.test_live_feed import NOW

HOUR = 3600.0
DAY = 24 * HOUR


def _fleet(hosts: int, age: float) -> RecordingMetrics:
    """A simulated fleet that began reporting ``age`` seconds before now."""
    return RecordingMetrics(SimulatedMetrics(FleetModel(hosts), ManualClock(NOW)), born=NOW.timestamp() - age)


def _first_reads(fleet: RecordingMetrics) -> dict[MetricKind, tuple[float, float]]:
    first: dict[MetricKind, tuple[float, float]] = {}
    for metric, start, step in fleet.reads:
        first.setdefault(metric, (start, step))
    return first


def test_a_day_of_history_is_read_every_minute_even_when_a_week_was_asked() -> None:
    fleet = _fleet(5, age=DAY)
    engine = FleetEngine()
    end = NOW.timestamp()
    lines: list[str] = []

    fitted = bootstrap(
        engine, fleet, start=end - 7 * DAY, end=end, signals=(MetricKind.CPU, MetricKind.UP), progress=lines.append
    )

    reads = _first_reads(fleet)
    assert MetricKind.UP == fleet.reads[0][0]  # reachability first: the hosts and where history begins
    assert reads[MetricKind.UP][1] >= 20 * 60
    cpu_start, cpu_step = reads[MetricKind.CPU]
    assert 60.0 == cpu_step
    assert end - DAY - reads[MetricKind.UP][1] <= cpu_start <= end - DAY + 60
    assert 5 == fitted
    assert any("every 1 min" in line for line in lines)
    # A day of history counts as a day: the lanes are not young.
    cpu = np.asarray([i for i, key in enumerate(engine.keys) if key.signal is MetricKind.CPU])
    assert 5 == cpu.size
    assert np.all(engine.peaks.seen[cpu] * 60.0 >= DAY - 30 * 60)


def test_a_larger_fleet_is_read_more_coarsely_within_the_budget() -> None:
    end = NOW.timestamp()

    assert 60.0 == history_step(end - DAY, end, hosts=1_000)
    assert 8 * 60.0 == history_step(end - DAY, end, hosts=10_000)
    assert 60.0 == history_step(end - 7 * DAY, end, hosts=10)

    fleet = _fleet(5, age=DAY)
    bootstrap(FleetEngine(), fleet, start=end - DAY, end=end, signals=(MetricKind.CPU, MetricKind.UP), budget=5 * 240)
    assert 6 * 60.0 == _first_reads(fleet)[MetricKind.CPU][1]


def test_without_reachability_the_whole_span_is_read_at_its_default_step() -> None:
    fleet = _fleet(3, age=DAY)
    end = NOW.timestamp()

    bootstrap(FleetEngine(), fleet, start=end - 7 * DAY, end=end, signals=(MetricKind.CPU,))

    assert [(MetricKind.CPU, end - 7 * DAY, 7 * 60.0)] == fleet.reads[:1]


def test_a_coarse_history_fills_the_recent_raise_with_its_last_day_only() -> None:
    # A week of scores every 7 minutes, high three days ago and quiet since: the raise covers the last day.
    stride, per_day = 7, 24 * 60 // 7
    scores = np.full((1, 7 * per_day), 0.5)
    scores[0, 4 * per_day : 4 * per_day + per_day // 2] = 40.0
    coarse = PeakLevels(EngineConfig(min_level=0.0), step_seconds=60.0)
    coarse.reserve(1)
    lane = np.zeros(1, dtype=np.intp)

    coarse.fit(lane, scores, stride=stride)

    assert float(coarse.recent.raised[0]) < 1.0
    assert float(coarse.seen[0]) == 7 * per_day * stride
    # Read as if it were a minute apart, the same rows would reach back a week and raise the level.
    naive = PeakLevels(EngineConfig(min_level=0.0), step_seconds=60.0)
    naive.reserve(1)
    naive.fit(lane, scores)
    assert float(naive.recent.raised[0]) > 10.0


def test_an_engine_fitted_on_history_every_few_minutes_counts_its_samples_on_the_live_clock() -> None:
    model = FleetModel(3)
    end = NOW.timestamp()
    times = np.arange(end - DAY, end + 1, 300.0)
    engine = FleetEngine(step_seconds=60.0)

    engine.bootstrap(MetricKind.CPU, model.refs, times, model.rates(MetricKind.CPU, times))

    lanes = np.arange(3)
    assert np.all(engine.peaks.seen[lanes] == times.size * 5)


def test_history_for_a_slower_feed_is_read_on_that_feed_s_grid() -> None:
    end = NOW.timestamp()
    fleet = _fleet(3, age=DAY)

    bootstrap(FleetEngine(step_seconds=300.0), fleet, start=end - DAY, end=end, signals=(MetricKind.CPU, MetricKind.UP))

    assert 300.0 == _first_reads(fleet)[MetricKind.CPU][1]
    assert 90.0 == history_step(end - DAY, end, hosts=10, live_step=45.0)


def test_the_live_feed_reads_within_the_budget_its_settings_give() -> None:
    from bot.config.settings import DetectionSettings
    from bot.jobs.detection_engine import build_live_feed

    fleet = _fleet(5, age=7 * DAY)
    feed = build_live_feed(DetectionSettings(bootstrap_points=10_000), fleet)
    feed.signals = (MetricKind.CPU, MetricKind.UP)

    feed.advance_to(NOW)

    # 10,000 points for 5 hosts: 2,000 each, so the week but its last 6 hours (fed, not fitted) is read
    # every 5 minutes (every minute by default).
    assert 10_000 == feed.bootstrap_budget
    assert 5 * 60.0 == _first_reads(fleet)[MetricKind.CPU][1]
    default = _fleet(5, age=7 * DAY)
    feed = build_live_feed(DetectionSettings(), default)
    feed.signals = (MetricKind.CPU, MetricKind.UP)
    feed.advance_to(NOW)
    assert 60.0 == _first_reads(default)[MetricKind.CPU][1]


def test_the_setting_s_default_is_the_engine_s_budget() -> None:
    from bot.config.settings import DetectionSettings
    from detectors.engine.history import BOOTSTRAP_BUDGET

    assert BOOTSTRAP_BUDGET == DetectionSettings().bootstrap_points


class _ReadLog(list[tuple[MetricKind, float, float]]):
    """The fleet's record of reads, which signals when memory is first asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.memory = threading.Event()

    def append(self, read: tuple[MetricKind, float, float]) -> None:
        super().append(read)
        if read[0] is MetricKind.MEMORY:
            self.memory.set()


def test_the_next_signal_is_read_while_the_one_before_is_fitted() -> None:
    reads = _ReadLog()
    fleet = RecordingMetrics(SimulatedMetrics(FleetModel(3), ManualClock(NOW)), reads=reads)
    end = NOW.timestamp()
    overlapped: list[bool] = []

    def progress(line: str) -> None:
        # The CPU fit is over only once this returns: memory must already be on its way.
        if line.startswith("bootstrap cpu"):
            overlapped.append(reads.memory.wait(timeout=5.0))

    fitted = bootstrap(
        engine := FleetEngine(),
        fleet,
        start=end - 2 * HOUR,
        end=end,
        signals=(MetricKind.CPU, MetricKind.MEMORY),
        step=60.0,
        progress=progress,
    )

    assert [True] == overlapped
    assert 3 == fitted
    assert {MetricKind.CPU, MetricKind.MEMORY} == {key.signal for key in engine.keys}
