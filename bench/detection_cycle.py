"""One detection cycle over a large simulated fleet: vectorised batch scoring vs a per-host loop.

Run: ``uv run python -m bench.detection_cycle [--hosts 1000] [--repeat 9]``

Every path starts from the same window as it arrives from a batched source (one hosts × time
array per metric, ``MetricBlock``) and ends with the hosts that alarm. The batch path scores
the whole fleet with a few array operations (``block_verdicts``); the per-host loop takes each
host's rows from the same arrays and applies the same scoring with numpy, one host at a time
(the straightforward implementation); the plain-Python loop does the same without numpy.
The full cycle (``DetectionService.run_once``: read every metric for every host from the
simulated source, score, write incidents to the in-memory store) is timed over blocks and over
``Series`` objects.
"""

from __future__ import annotations

import argparse
import math
import resource
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from adapters.clock import ManualClock
from adapters.memory.anomalies import InMemoryAnomalyStore
from adapters.prometheus import promql
from adapters.simulated.metrics import SimulatedMetrics
from detectors.model.cycle import MetricBlock, ModelVerdict, block_verdicts
from detectors.model.fleet_model import FEATURES, FleetBaselineModel
from detectors.service import DetectionService
from domain.models import MetricKind
from simulator.exposition import step_times
from simulator.fleet import FleetModel, Incident, IncidentKind

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=30)
STEP = 60.0
KINDS = tuple(MetricKind(f) for f in FEATURES)


class BlockSimulatedMetrics(SimulatedMetrics):
    """The simulated source, also answering range queries as one array per metric (``BlockSource``)."""

    def range_blocks(
        self, metrics: Sequence[MetricKind], *, start: datetime, end: datetime, step_seconds: float
    ) -> Mapping[MetricKind, MetricBlock]:
        """Every up host's values of each metric, hosts × time."""
        step = promql.range_step(start.timestamp(), end.timestamp(), step_seconds)
        times = step_times(start.timestamp(), end.timestamp(), step)
        rows = self._rows(None, t=end.timestamp())
        hosts = tuple(self.model.refs[i] for i in rows)
        return {
            m: MetricBlock(hosts=hosts, start=float(times[0]), step=step, values=self.model.rates(m, times)[rows])
            for m in dict.fromkeys(metrics)
        }


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def per_host_numpy(model: FleetBaselineModel, blocks: Mapping[MetricKind, MetricBlock], start: float) -> list[str]:
    """The same scoring, host by host with numpy: rows, z-scores, top-k mean, smoothing, hysteresis."""
    first = blocks[KINDS[0]]
    columns = [blocks[k].values for k in KINDS]
    width = model.rule.smoothing
    alarming = []
    for h, ref in enumerate(first.hosts):
        base = model.hosts.get(ref.instance, model.fleet)
        rows = np.column_stack([c[h] for c in columns])
        z = np.nan_to_num(np.abs(rows - base.median) / base.scale, nan=0.0, posinf=0.0)
        raw = np.sort(z, axis=1)[:, -model.top_k :].mean(axis=1)
        csum = np.concatenate(([0.0], np.cumsum(raw)))
        idx = np.arange(raw.size)
        lo = np.maximum(0, idx - width + 1)
        smoothed = (csum[idx + 1] - csum[lo]) / (idx + 1 - lo)
        state = False
        for score in smoothed:
            state = bool(score > base.off) if state else bool(score > base.on)
        if state:
            culprit = int(np.argmax(z[-1]))
            ModelVerdict(ref, True, float(smoothed[-1] / base.on), KINDS[culprit], float(rows[-1, culprit]), start, "")
            alarming.append(ref.name)
    return alarming


def per_host_python(model: FleetBaselineModel, blocks: Mapping[MetricKind, MetricBlock]) -> list[str]:
    """The same scoring in plain Python, host by host, row by row, metric by metric."""
    first = blocks[KINDS[0]]
    columns = [blocks[k].values.tolist() for k in KINDS]
    width = model.rule.smoothing
    alarming = []
    for h, ref in enumerate(first.hosts):
        base = model.hosts.get(ref.instance, model.fleet)
        median, scale = base.median.tolist(), base.scale.tolist()
        raw = []
        for t in range(len(columns[0][h])):
            z = []
            for c, column in enumerate(columns):
                v = column[h][t]
                z.append(abs(v - median[c]) / scale[c] if math.isfinite(v) else 0.0)
            z.sort(reverse=True)
            raw.append(sum(z[: model.top_k]) / model.top_k)
        state = False
        for n in range(len(raw)):
            window = raw[max(0, n - width + 1) : n + 1]
            score = sum(window) / len(window)
            state = score > base.off if state else score > base.on
        if state:
            alarming.append(ref.name)
    return alarming


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=9, help="paired timing rounds (default 9)")
    parser.add_argument("--train-hours", type=float, default=24.0)
    args = parser.parse_args()

    incidents = tuple(
        Incident(IncidentKind.CPU_SATURATION, f"web-{n}", NOW.timestamp() - 600, 3600) for n in range(1, 6)
    )
    fleet = FleetModel(args.hosts, incidents)
    metrics = BlockSimulatedMetrics(fleet, ManualClock(NOW))
    train_end = NOW - timedelta(hours=1)
    train_start = train_end - timedelta(hours=args.train_hours)
    t0 = time.perf_counter()
    train_times = np.arange(train_start.timestamp(), train_end.timestamp() + 1, STEP)
    columns = np.stack([fleet.rates(k, train_times) for k in KINDS], axis=-1)
    model = FleetBaselineModel.fit(
        {ref.instance: columns[h] for h, ref in enumerate(fleet.refs)},
        trained_from=train_start.timestamp(),
        trained_to=train_end.timestamp(),
    )
    del columns
    fit_seconds = time.perf_counter() - t0

    start = NOW - WINDOW
    blocks = metrics.range_blocks(KINDS, start=start, end=NOW, step_seconds=STEP)
    none: frozenset[str] = frozenset()

    def batch() -> list[ModelVerdict]:
        return block_verdicts(model, blocks, open_instances=none, start=start.timestamp(), step=STEP)

    batch_alarms = sorted(v.host.name for v in batch() if v.alarm)
    loop_alarms = sorted(per_host_numpy(model, blocks, start.timestamp()))
    python_alarms = sorted(per_host_python(model, blocks))
    if not batch_alarms == loop_alarms == python_alarms:
        raise SystemExit(f"paths disagree: batch {batch_alarms}, per-host {loop_alarms}, python {python_alarms}")

    # paired rounds: the machine is shared, so each round times the three paths back to back and
    # the speed-ups are the medians of the per-round ratios
    rounds = [
        (
            _best(batch, 5),
            _best(lambda: per_host_numpy(model, blocks, start.timestamp()), 1),
            _best(lambda: per_host_python(model, blocks), 1),
        )
        for _ in range(args.repeat)
    ]
    batch_s, loop_s, python_s = (float(np.median([r[i] for r in rounds])) for i in range(3))
    loop_ratios = sorted(r[1] / r[0] for r in rounds)
    python_ratios = sorted(r[2] / r[0] for r in rounds)

    def cycle(source: SimulatedMetrics) -> Callable[[], object]:
        def run() -> object:
            service = DetectionService(
                metrics=source, store=InMemoryAnomalyStore(), detectors=(), metric_kinds=(), model=model, window=WINDOW
            )
            return service.run_once(NOW)

        return run

    cycle_blocks_s = _best(cycle(metrics), args.repeat)
    cycle_series_s = _best(cycle(SimulatedMetrics(fleet, ManualClock(NOW))), max(1, args.repeat - 2))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    n_series = sum(len(b.hosts) for b in blocks.values())
    print(f"hosts: {args.hosts}, metrics: {len(FEATURES)}, window: {WINDOW}, step: {STEP:.0f}s, series: {n_series}")
    print(f"model fit on {args.train_hours:g} h of history: {fit_seconds:.2f} s ({len(model.hosts)} host baselines)")
    print(f"paired rounds: {len(rounds)} (medians below)")
    print(f"scoring, batch (vectorised):     {batch_s * 1000:8.2f} ms")
    print(f"scoring, per-host numpy loop:    {loop_s * 1000:8.2f} ms")
    print(f"scoring, per-host plain Python:  {python_s * 1000:8.2f} ms")
    print(
        f"speed-up batch vs per-host numpy loop:   {float(np.median(loop_ratios)):6.1f}x"
        f"  (rounds {loop_ratios[0]:.1f}x to {loop_ratios[-1]:.1f}x)"
    )
    print(
        f"speed-up batch vs plain-Python loop:     {float(np.median(python_ratios)):6.1f}x"
        f"  (rounds {python_ratios[0]:.1f}x to {python_ratios[-1]:.1f}x)"
    )
    print(f"full cycle, blocks (read+score+store):   {cycle_blocks_s * 1000:8.1f} ms")
    print(f"full cycle, Series (read+score+store):   {cycle_series_s * 1000:8.1f} ms")
    shown = ", ".join(batch_alarms[:10]) + (" …" if len(batch_alarms) > 10 else "")
    print(f"alarming hosts ({len(batch_alarms)}, same on every path; 5 have an injected incident): {shown or 'none'}")
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
