"""Fetch 6 h at 60 s of 5 metrics for 1,000 simulated hosts: one PromQL per metric vs one per host.

Both ways go through ``PrometheusMetrics`` (queries, HTTP, JSON, ``Series``), against the same
server in the same run, for Prometheus and for VictoriaMetrics holding the same history:

1. ``smartcloudops simulate``'s history writer produces the fleet's last ``--hours`` (plus a few
   minutes for ``rate()``) as OpenMetrics, one sample every ``--scrape-interval`` seconds;
2. promtool turns it into TSDB blocks for Prometheus, and VictoriaMetrics imports the same file;
3. each backend answers the batched fetch (5 range queries over every host, timed one after
   another and concurrently as ``ranges()`` sends them) and the per-host fetch (5 queries per
   host, one after another). The per-host fetch runs on ``--sample-hosts`` hosts spread over
   the fleet and is extrapolated to the whole fleet (said so in the output).

Run: ``uv run python -m bench.metrics_fetch`` (about 8 minutes on 2 shared cores, most of it
generating and loading the 13.7 M samples).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from adapters.prometheus.metrics import PrometheusMetrics
from domain.models import HostRef, MetricKind
from simulator.exposition import write_history
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests import servers

METRICS = (MetricKind.CPU, MetricKind.MEMORY, MetricKind.DISK, MetricKind.NETWORK_IN, MetricKind.LOAD)
TARGET_SECONDS = 5.0


def _say(text: str) -> None:
    print(text, flush=True)


def _load(args: argparse.Namespace, work: Path) -> tuple[FleetModel, float, list[servers.ServerProcess]]:
    end = float(int(time.time()) // 60 * 60 - 60)
    model = FleetModel(
        args.hosts,
        (
            Incident(IncidentKind.CPU_SATURATION, "web-1", end - 3600, 7200),
            Incident(IncidentKind.MEMORY_LEAK, "api-1", end - 4 * 3600, 4 * 3600),
        ),
    )
    history = work / "history.om"
    began = time.perf_counter()
    with history.open("w", encoding="utf-8", buffering=1 << 20) as out:
        samples = write_history(
            model,
            start=end - args.hours * 3600 - 300,
            end=end,
            step=args.scrape_interval,
            out=out,
            progress=lambda done, total: print(f"\r  writing history: {done}/{total} families", end="", flush=True),
        )
    _say(
        f"\nhistory: {samples:,} samples, {history.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - began:.0f} s"
    )

    began = time.perf_counter()
    servers.backfill_openmetrics(history, work / "prometheus" / "data")
    _say(f"promtool backfill: {time.perf_counter() - began:.0f} s")
    prometheus = servers.start_prometheus(work / "prometheus", scrape_targets={}, tsdb=work / "prometheus" / "data")
    victoria = servers.start_victoria_metrics(work / "vm")
    began = time.perf_counter()
    with history.open("rb") as body:
        resp = requests.post(f"{victoria.url}/api/v1/import/prometheus", data=body, timeout=3600)
    resp.raise_for_status()
    requests.get(f"{victoria.url}/internal/force_flush", timeout=60).raise_for_status()
    _say(f"VictoriaMetrics import: {time.perf_counter() - began:.0f} s")
    history.unlink()
    return model, end, [prometheus, victoria]


def _batched(metrics: PrometheusMetrics, *, start: datetime, end: datetime, concurrent: bool) -> tuple[float, int, int]:
    began = time.perf_counter()
    if concurrent:
        result = metrics.ranges(METRICS, None, start=start, end=end, step_seconds=60)
    else:
        result = {m: metrics.range(m, None, start=start, end=end, step_seconds=60) for m in METRICS}
    elapsed = time.perf_counter() - began
    series = sum(len(v) for v in result.values())
    points = sum(len(s.values) for v in result.values() for s in v)
    return elapsed, series, points


def _per_host(metrics: PrometheusMetrics, hosts: list[HostRef], *, start: datetime, end: datetime) -> float:
    began = time.perf_counter()
    for host in hosts:
        for metric in METRICS:
            metrics.range(metric, [host], start=start, end=end, step_seconds=60)
    return time.perf_counter() - began


def _run_backend(name: str, url: str, args: argparse.Namespace, end_ts: float) -> tuple[float, float, float]:
    metrics = PrometheusMetrics(url, timeout_seconds=120)
    end = datetime.fromtimestamp(end_ts, UTC)
    start = end - timedelta(hours=args.hours)
    # Loading takes minutes, so "now" may be past the history's end: list the hosts as of its end.
    hosts = sorted({s.host for s in metrics.current(MetricKind.UP, at=end)}, key=lambda h: h.name)
    if not hosts:
        raise SystemExit(f"{name} has no hosts at {end:%Y-%m-%d %H:%M:%S} UTC: the history did not load")
    sample = hosts[:: max(1, len(hosts) // args.sample_hosts)][: args.sample_hosts]
    _batched(metrics, start=start, end=end, concurrent=False)  # warm the server and the connection pool
    sequential_runs, concurrent_runs = [], []
    for _ in range(args.repeat):
        elapsed, series, points = _batched(metrics, start=start, end=end, concurrent=False)
        sequential_runs.append(elapsed)
        elapsed, series, points = _batched(metrics, start=start, end=end, concurrent=True)
        concurrent_runs.append(elapsed)
    cycle_start = end - timedelta(minutes=args.cycle_minutes)
    cycle = min(_batched(metrics, start=cycle_start, end=end, concurrent=True)[0] for _ in range(args.repeat))
    per_host_sample = min(_per_host(metrics, sample, start=start, end=end) for _ in range(args.repeat))
    per_host = per_host_sample * len(hosts) / len(sample)
    sequential, batched = min(sequential_runs), min(concurrent_runs)
    queries = len(METRICS)
    _say(f"\n{name} ({url})")
    _say(f"  hosts: {len(hosts)}; fetched {series} series, {points:,} points per batched run")
    _say(f"  batched, {queries} queries one after another: {sequential:7.2f} s (best of {args.repeat})")
    _say(f"  batched, {queries} queries concurrently (ranges()): {batched:7.2f} s (best of {args.repeat})")
    _say(f"  per host, {queries * len(sample)} queries on {len(sample)} hosts: {per_host_sample:7.2f} s")
    _say(f"  per host, extrapolated to {len(hosts)} hosts ({queries * len(hosts)} queries): {per_host:7.2f} s")
    _say(f"  ratio per-host / batched one after another: {per_host / sequential:.1f}x")
    _say(f"  ratio per-host / batched concurrently:      {per_host / batched:.1f}x")
    _say(f"  detection cycle's fetch ({args.cycle_minutes:g} min window, all hosts, batched): {cycle:7.2f} s")
    for what, seconds in ((f"{args.hours:g} h batched", batched), ("detection cycle", cycle)):
        verdict = "met" if seconds < TARGET_SECONDS else "NOT met"
        _say(f"  target {what} < {TARGET_SECONDS:g} s: {verdict}")
    return batched, per_host, cycle


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.metrics_fetch", description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=1000, help="simulated hosts (default 1000)")
    parser.add_argument("--hours", type=float, default=6.0, help="hours fetched (default 6)")
    parser.add_argument(
        "--scrape-interval", type=float, default=30.0, help="seconds between stored samples (default 30)"
    )
    parser.add_argument("--sample-hosts", type=int, default=100, help="hosts the per-host fetch runs on (default 100)")
    parser.add_argument(
        "--cycle-minutes",
        type=float,
        default=30.0,
        help="window a detection cycle reads (default 30, as DetectionService)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fetch; the best counts (default 3)")
    args = parser.parse_args(argv)
    _say(
        f"metrics fetch: {args.hosts} hosts, {len(METRICS)} metrics ({', '.join(m.value for m in METRICS)}), "
        f"last {args.hours:g} h at 60 s steps"
    )
    with tempfile.TemporaryDirectory(prefix="metrics-fetch-") as tmp:
        model, end, started = _load(args, Path(tmp))
        try:
            results = {
                name: _run_backend(name, server.url, args, end)
                for name, server in zip(("Prometheus", "VictoriaMetrics"), started, strict=True)
            }
        finally:
            for server in started:
                server.stop()
    _say("\nsummary (seconds)      batched   per-host   ratio   detection-cycle fetch")
    for name, (batched, per_host, cycle) in results.items():
        _say(f"  {name:<18} {batched:9.2f} {per_host:10.2f} {per_host / batched:7.1f}x {cycle:9.2f}")
    return 0 if all(c < TARGET_SECONDS for _, _, c in results.values()) and model.size == args.hosts else 1


if __name__ == "__main__":
    sys.exit(main())
