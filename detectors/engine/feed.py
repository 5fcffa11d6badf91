"""Feeding the engine from a metrics source: bootstrap from history, then advance minute by minute.

Range queries go through the ``MetricsSource`` port, one batched query per signal for every host
and at most ``MAX_POINTS`` points per series, the series laid out on one time grid (hosts × times);
a source that also implements ``BlockSource.range_blocks`` hands the grid over as arrays.
``LiveFeed`` is what the detection job runs: the first cycle (or the first after a gap longer than
``max_gap``) bootstraps from ``bootstrap_hours`` of history, every later cycle reads only the
minutes since the previous one. ``detect replay`` drives the same feed over a past period.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
import structlog

from detectors.engine.baseline import FloatArray
from detectors.engine.events import IncidentEvent
from detectors.engine.fleet import FleetEngine
from detectors.model.cycle import BlockSource
from domain.models import HostRef, MetricKind
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
MAX_POINTS = 1000


@dataclass(frozen=True)
class Block:
    """One signal for many hosts on one time grid (NaN where a host had no sample)."""

    signal: MetricKind
    hosts: tuple[HostRef, ...]
    times: FloatArray
    values: FloatArray


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def fetch_block(metrics: MetricsSource, signal: MetricKind, start: float, end: float, step: float) -> Block:
    """``signal`` for every host at ``start``, ``start + step``, … ≤ ``end``, in queries of at most ``MAX_POINTS``."""
    times = np.arange(start, end + step / 2, step)
    if isinstance(metrics, BlockSource):
        return _from_blocks(metrics, signal, times, step)
    rows: dict[str, tuple[HostRef, FloatArray]] = {}
    # Series of one query mostly share one timestamps tuple: place each distinct tuple on the grid once.
    placed: dict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]] = {}
    for first in range(0, times.size, MAX_POINTS):
        chunk = times[first : first + MAX_POINTS]
        # A range needs two ends: one timestamp is asked as the step before it up to it.
        low = float(chunk[0]) if chunk.size > 1 else float(chunk[0]) - step
        for series in metrics.range(signal, None, start=_utc(low), end=_utc(float(chunk[-1])), step_seconds=step):
            _, row = rows.setdefault(series.host.instance, (series.host, np.full(times.size, np.nan)))
            where = placed.get(id(series.timestamps))
            if where is None:
                slots = np.rint((np.asarray(series.timestamps, dtype=np.float64) - start) / step).astype(np.int64)
                keep = (slots >= 0) & (slots < times.size)
                where = placed.setdefault(id(series.timestamps), (slots[keep], keep))
            row[where[0]] = np.asarray(series.values, dtype=np.float64)[where[1]]
        placed.clear()
    hosts = tuple(h for h, _ in rows.values())
    values = np.stack([r for _, r in rows.values()]) if rows else np.zeros((0, times.size))
    return Block(signal=signal, hosts=hosts, times=times, values=values)


def _from_blocks(metrics: BlockSource, signal: MetricKind, times: FloatArray, step: float) -> Block:
    """The same grid from a source that hands over arrays (no ``Series`` per host)."""
    start = float(times[0])
    order: dict[str, int] = {}
    hosts: list[HostRef] = []
    parts: list[tuple[npt.NDArray[np.intp], int, FloatArray]] = []
    for first in range(0, times.size, MAX_POINTS):
        chunk = times[first : first + MAX_POINTS]
        low = float(chunk[0]) if chunk.size > 1 else float(chunk[0]) - step
        block = metrics.range_blocks([signal], start=_utc(low), end=_utc(float(chunk[-1])), step_seconds=step)[signal]
        rows = np.empty(len(block.hosts), dtype=np.intp)
        for n, host in enumerate(block.hosts):
            if host.instance not in order:
                order[host.instance] = len(hosts)
                hosts.append(host)
            rows[n] = order[host.instance]
        offset = round((block.start - start) / step)
        parts.append((rows, offset, block.values))
    values = np.full((len(hosts), times.size), np.nan)
    for rows, offset, part in parts:
        lo, hi = max(offset, 0), min(offset + part.shape[1], times.size)
        if hi > lo:
            values[rows, lo:hi] = part[:, lo - offset : hi - offset]
    return Block(signal=signal, hosts=tuple(hosts), times=times, values=values)


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
            engine.bootstrap(signal, block.hosts, block.times, block.values)
        hosts.update(h.instance for h in block.hosts)
        if progress is not None:
            progress(f"bootstrap {signal.value}: {len(block.hosts)} hosts")
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
                events += engine.observe(t, block.signal, block.hosts, block.values[:, j])
    return events


@dataclass
class LiveFeed:
    """The engine kept in memory between detection cycles.

    Args:
        metrics: where samples come from.
        engine: the engine (one state per host × signal).
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
            fresh.carry_over(self.engine.open_incidents(), end)
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
