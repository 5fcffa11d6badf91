"""Feeding the engine from a metrics source: bootstrap from history, then advance minute by minute.

Reads go through ``blocks.fetch_block``: one batched query per signal for every host (disk: one
row per host × mountpoint), laid out on one time grid. ``LiveFeed`` is what the detection job
runs: the first cycle (or the first after a gap longer than ``max_gap``) bootstraps from
``bootstrap_hours`` of history, every later cycle reads only the minutes since the previous one.
``detect replay`` drives the same feed over a past period.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import structlog

from detectors.engine.blocks import fetch_block
from detectors.engine.events import IncidentEvent
from detectors.engine.fleet import FleetEngine
from detectors.engine.handover import carry_over
from domain.models import MetricKind
from domain.ports import MetricsSource

log = structlog.get_logger(__name__)

SIGNALS = (
    MetricKind.CPU,
    MetricKind.MEMORY,
    MetricKind.DISK,
    MetricKind.DISK_IO,
    MetricKind.NETWORK_IN,
    MetricKind.NETWORK_OUT,
    MetricKind.LOAD,
    MetricKind.UP,
)


def bootstrap(
    engine: FleetEngine,
    metrics: MetricsSource,
    *,
    start: float,
    end: float,
    signals: Sequence[MetricKind] = SIGNALS,
    points: int = 1440,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Fit the engine on history between ``start`` and ``end`` (about ``points`` per series); hosts fitted."""
    step = max(60.0, math.ceil((end - start) / max(points, 2) / 60.0) * 60.0)
    hosts: set[str] = set()
    for signal in signals:
        block = fetch_block(metrics, signal, start, end, step)
        if block.hosts:
            engine.bootstrap(signal, block.hosts, block.times, block.values, block.mounts)
        hosts.update(h.instance for h in block.hosts)
        if progress is not None:
            progress(f"bootstrap {signal.value}: {len(block.hosts)} rows")
    return len(hosts)


def advance(
    engine: FleetEngine,
    metrics: MetricsSource,
    *,
    start: float,
    end: float,
    step: float,
    signals: Sequence[MetricKind] = SIGNALS,
) -> list[IncidentEvent]:
    """Feed every timestamp from ``start`` to ``end`` (inclusive) in time order; the events, oldest first."""
    blocks = [fetch_block(metrics, signal, start, end, step) for signal in signals]
    events: list[IncidentEvent] = []
    times = blocks[0].times if blocks else np.zeros(0)
    for j, t in enumerate(times.tolist()):
        for block in blocks:
            if block.hosts:
                events += engine.observe(t, block.signal, block.hosts, block.values[:, j], block.mounts)
    return events


@dataclass
class LiveFeed:
    """The engine kept in memory between detection cycles.

    Args:
        metrics: where samples come from.
        engine: the engine (one state per host × signal, and per filesystem for disk).
        step_seconds: the sampling interval fed to the engine.
        bootstrap_hours: history read to fit the baselines at start-up and after a gap.
        max_gap: a pause longer than this between cycles is followed by a fresh bootstrap.
        signals: the signals watched.
    """

    metrics: MetricsSource
    engine: FleetEngine = field(default_factory=FleetEngine)
    step_seconds: float = 60.0
    bootstrap_hours: float = 168.0
    max_gap: timedelta = timedelta(minutes=30)
    signals: Sequence[MetricKind] = SIGNALS
    last: float | None = None

    def advance_to(self, now: datetime) -> list[IncidentEvent]:
        """Read what is new since the last cycle (bootstrapping first when needed) and feed it."""
        end = math.floor(now.timestamp() / self.step_seconds) * self.step_seconds
        if self.last is not None and end <= self.last:
            return []
        if self.last is None or end - self.last > self.max_gap.total_seconds():
            started = time.perf_counter()
            fresh = FleetEngine(self.engine.config, self.engine.trend_config, step_seconds=self.step_seconds)
            hosts = bootstrap(
                fresh,
                self.metrics,
                start=end - self.bootstrap_hours * 3600,
                end=end - self.step_seconds,
                signals=self.signals,
                progress=lambda line: log.info("detection_bootstrap_progress", step=line),
            )
            carry_over(fresh, self.engine.open_incidents(), end)
            self.engine = fresh
            log.info(
                "detection_bootstrapped",
                hosts=hosts,
                hours=self.bootstrap_hours,
                seconds=round(time.perf_counter() - started, 1),
            )
            self.last = end - self.step_seconds
        start = self.last + self.step_seconds
        events = advance(self.engine, self.metrics, start=start, end=end, step=self.step_seconds, signals=self.signals)
        self.last = end
        return events
