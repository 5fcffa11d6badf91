"""Incremental engine cycle vs the full-window cycle, side by side in one run, over a large simulated fleet.

Run: ``uv run python -m bench.engine_cycle [--hosts 10000] [--cycles 5]``

Both paths read from the same in-process simulated source (``BlockSimulatedMetrics``: one
batched range query per signal for every host, answered as ``Series`` for the full-window path,
as the Prometheus adapter answers, and as hosts × time arrays through ``range_blocks`` for the
engine), so the figures are the product's side of a cycle (read, score, write incidents), not
Prometheus'. The full-window path is the former default: every cycle re-reads the last 30
minutes of every signal and scores each series with ``RobustZScoreDetector``. The incremental
path is ``LiveFeed``: bootstrapped once from 24 h of history, then each cycle reads the one
minute since the previous cycle and feeds the engine. Cycles alternate between the two paths;
the medians and their ratio are printed, with the bootstrap time and peak RSS (after the
bootstrap, before the full-window path has run, and for the whole run).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from adapters.clock import ManualClock
from adapters.memory.anomalies import InMemoryAnomalyStore
from bench.detection_cycle import BlockSimulatedMetrics
from detectors.engine.feed import LiveFeed
from detectors.engine.history import SIGNALS
from detectors.model.zscore import RobustZScoreDetector
from detectors.service import DetectionReport, DetectionService
from domain.models import MetricKind
from domain.ports import MetricsSource
from simulator.fleet import FleetModel, Incident, IncidentKind

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def full_window_service(metrics: MetricsSource, signals: Sequence[MetricKind]) -> DetectionService:
    """The former default cycle: re-read the last 30 minutes of every signal but ``up`` and z-score each series."""
    return DetectionService(
        metrics=metrics,
        store=InMemoryAnomalyStore(),
        detectors=(RobustZScoreDetector(),),
        metric_kinds=tuple(s for s in signals if s is not MetricKind.UP),
        window=timedelta(minutes=30),
        keep_windows=False,
    )


def opened_by_signal(report: DetectionReport) -> str:
    """How many incidents a cycle opened, by signal ("3 (cpu 2, load 1)")."""
    kinds = Counter(a.metric.value for a in report.opened)
    return f"{len(report.opened)} ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})" if kinds else "0"


def main() -> int:
    """Run the comparison and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--bootstrap-hours", type=float, default=24.0)
    args = parser.parse_args()
    start = NOW.timestamp() - 20 * 60
    model = FleetModel(
        args.hosts, tuple(Incident(IncidentKind.CPU_SATURATION, f"web-{n}", start, 3600) for n in range(1, 6))
    )
    clock = ManualClock(NOW)
    metrics = BlockSimulatedMetrics(model, clock)
    signals = tuple(SIGNALS)
    full = full_window_service(metrics, signals)
    feed = LiveFeed(metrics, bootstrap_hours=args.bootstrap_hours, signals=signals)
    incremental = DetectionService(metrics=metrics, store=InMemoryAnomalyStore(), detectors=(), feed=feed)
    began = time.perf_counter()
    first = incremental.run_once(NOW)
    boot = time.perf_counter() - began
    boot_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    full_times, incremental_times = [], []
    opened = 0
    for n in range(1, args.cycles + 1):
        tick = NOW + timedelta(minutes=n)
        clock.advance(timedelta(minutes=1))
        began = time.perf_counter()
        full.run_once(tick)
        full_times.append(time.perf_counter() - began)
        began = time.perf_counter()
        report = incremental.run_once(tick)
        incremental_times.append(time.perf_counter() - began)
        opened += len(report.opened)
    f, i = statistics.median(full_times), statistics.median(incremental_times)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"hosts: {args.hosts}, signals: {len(signals)} ({', '.join(s.value for s in signals)}), cycles: {args.cycles}"
    )
    print(f"bootstrap from {args.bootstrap_hours:g} h of history (first cycle): {boot:8.2f} s")
    print(f"full-window cycle (30 min re-read, median):  {f:8.3f} s")
    print(f"incremental engine cycle (median):           {i:8.3f} s")
    print(f"ratio full / incremental:                    {f / i:8.1f}x")
    print(f"engine lanes: {len(feed.engine.keys)}, incidents opened by the first cycle: {opened_by_signal(first)}")
    print(f"incidents opened by the later cycles: {opened}")
    print(f"peak RSS after the bootstrap, before any full-window cycle: {boot_rss_mb:.0f} MB")
    print(f"peak RSS of the whole run: {rss_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
