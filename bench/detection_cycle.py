"""One detection cycle over a large simulated fleet: vectorised batch scoring vs a per-host loop.

Run: ``uv run python -m bench.detection_cycle [--hosts 1000] [--repeat 3]``

Both paths score the same series with the same trained model; the per-host loop calls the
scorer once per host (the naive way), the batch path once for the whole fleet. The full cycle
(``DetectionService.run_once``: reading the window for every host and metric from the simulated
metrics source, scoring, and writing incidents to the in-memory store) is timed as well.
"""

from __future__ import annotations

import argparse
import math
import resource
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np

from adapters.clock import ManualClock
from adapters.memory import InMemoryAnomalyStore
from adapters.simulated_metrics import SimulatedMetrics
from detectors.fleet_model import FEATURES, FleetBaselineModel
from detectors.model_cycle import model_verdicts
from detectors.service import DetectionService
from domain.models import MetricKind, Series
from simulator.fleet import FleetModel, Incident, IncidentKind

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=30)
STEP = 60.0


def _read(metrics: SimulatedMetrics, start: datetime, end: datetime) -> list[Series]:
    return [s for f in FEATURES for s in metrics.range(MetricKind(f), None, start=start, end=end, step_seconds=STEP)]


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--train-hours", type=float, default=24.0)
    args = parser.parse_args()

    incidents = tuple(
        Incident(IncidentKind.CPU_SATURATION, f"web-{n}", NOW.timestamp() - 600, 3600) for n in range(1, 6)
    )
    fleet = FleetModel(args.hosts, incidents)
    clock = ManualClock(NOW)
    metrics = SimulatedMetrics(fleet, clock)
    train_end = NOW - timedelta(hours=1)
    train_start = train_end - timedelta(hours=args.train_hours)
    t0 = time.perf_counter()
    train_times = np.arange(train_start.timestamp(), train_end.timestamp() + 1, STEP)
    columns = np.stack([fleet.rates(MetricKind(f), train_times) for f in FEATURES], axis=-1)
    model = FleetBaselineModel.fit(
        {ref.instance: columns[h] for h, ref in enumerate(fleet.refs)},
        trained_from=train_start.timestamp(),
        trained_to=train_end.timestamp(),
    )
    del columns
    fit_seconds = time.perf_counter() - t0

    start = NOW - WINDOW
    series = _read(metrics, start, NOW)
    by_host: dict[str, list[Series]] = defaultdict(list)
    for s in series:
        by_host[s.host.instance].append(s)
    none: frozenset[str] = frozenset()

    def batch() -> object:
        return model_verdicts(model, series, open_instances=none, start=start.timestamp(), step=STEP)

    def per_host() -> object:
        return [
            model_verdicts(model, host_series, open_instances=none, start=start.timestamp(), step=STEP)
            for host_series in by_host.values()
        ]

    verdicts = model_verdicts(model, series, open_instances=none, start=start.timestamp(), step=STEP)
    batch_alarms = sorted(v.host.name for v in verdicts if v.alarm)

    def scalar_loop() -> object:
        """Per host, per row, per metric, in plain Python: the straightforward implementation."""
        out = []
        for instance, host_series in by_host.items():
            base = model.hosts.get(instance, model.fleet)
            rows: dict[float, list[float]] = defaultdict(lambda: [math.nan] * len(FEATURES))
            for s in host_series:
                col = FEATURES.index(s.metric.value)
                for t, v in zip(s.timestamps, s.values, strict=True):
                    rows[t][col] = v
            raw = []
            for t in sorted(rows):
                z = sorted(
                    (abs(v - base.median[c]) / base.scale[c] if v == v else 0.0 for c, v in enumerate(rows[t])),
                    reverse=True,
                )
                raw.append(sum(z[: model.top_k]) / model.top_k)
            state = False
            for n in range(len(raw)):
                window = raw[max(0, n - model.rule.smoothing + 1) : n + 1]
                score = sum(window) / len(window)
                state = score > base.off if state else score > base.on
            out.append((instance, state))
        return out

    batch_s = _best(batch, args.repeat)
    loop_s = _best(per_host, max(1, args.repeat - 2))
    scalar_s = _best(scalar_loop, 1)

    def cycle() -> object:
        service = DetectionService(
            metrics=metrics, store=InMemoryAnomalyStore(), detectors=(), metric_kinds=(), model=model, window=WINDOW
        )
        return service.run_once(NOW)

    cycle_s = _best(cycle, args.repeat)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"hosts: {args.hosts}, metrics: {len(FEATURES)}, window: {WINDOW}, step: {STEP:.0f}s, series: {len(series)}")
    print(f"model fit on {args.train_hours:g} h of history: {fit_seconds:.2f} s ({len(model.hosts)} host baselines)")
    print(f"scoring, batch (vectorised):   {batch_s * 1000:8.1f} ms")
    print(f"scoring, per-host loop:        {loop_s * 1000:8.1f} ms")
    print(f"scoring, plain-Python loop:    {scalar_s * 1000:8.1f} ms")
    print(f"speed-up batch vs per-host numpy loop:   {loop_s / batch_s:6.1f}x")
    print(f"speed-up batch vs plain-Python loop:     {scalar_s / batch_s:6.1f}x")
    print(f"full cycle (read+score+store): {cycle_s:8.2f} s")
    shown = ", ".join(batch_alarms[:10]) + (" …" if len(batch_alarms) > 10 else "")
    print(f"alarming hosts ({len(batch_alarms)}; 5 have an injected incident): {shown or 'none'}")
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
