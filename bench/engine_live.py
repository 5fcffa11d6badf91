"""The live detection cycle against a real Prometheus or VictoriaMetrics holding a large fleet's history.

Run: ``uv run python -m bench.engine_live --source prometheus|victoriametrics [--hosts N] [--hours H] [--rule RULE]``

1. ``smartcloudops simulate``'s history writer produces node_exporter's series for ``--hosts``
   hosts (2 CPUs × idle/user/system, ``/`` and ``/data``, one disk, one NIC, memory, load,
   ``node_uname_info``, ``up``) every 60 s, for ``--hours`` of history plus the ``--cycles``
   minutes the cycles read, in a child process (its memory is not the product's);
2. promtool backfills it into Prometheus' TSDB, one 2-hour block at a time (the history is written
   in those pieces: promtool holds what it backfills in memory), or VictoriaMetrics imports it whole;
3. the detection job runs as ``serve`` wires it: ``PrometheusMetrics`` built from the Prometheus
   settings, ``build_live_feed`` from the detection settings (bootstrapping from ``--hours``
   instead of the default 168 h the stored history does not reach), ``DetectionService`` with
   that feed (an in-memory anomaly store). Its first cycle is the bootstrap. Every later cycle
   moves "now" one minute forward over the stored minutes, so it reads one new minute as a live
   cycle does (the server answers the same queries; its ingestion is not part of the figures).
   After each incremental cycle the full-window cycle (the former default: 30 minutes of every
   signal re-read and z-scored, ``bench.engine_cycle.full_window_service``) runs at the same
   "now" through the same adapter.
   With ``--rule 'cpu > 90% for 3m'`` the cycle judges that duration rule too, over windows kept
   between cycles as ``serve`` does with a rules file, and the rule's pass reading its whole
   window every cycle (as before the windows were kept) is timed beside it.

Each cycle is timed, with the CPU seconds this process used (getrusage) and the server used
(utime + stime in /proc/<pid>/stat); the share of 2 cores is for one cycle per minute.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import requests

from adapters.memory.anomalies import InMemoryAnomalyStore
from adapters.prometheus.metrics import PrometheusMetrics
from bench.engine_cycle import full_window_service, opened_by_signal
from bot.config.settings import DetectionSettings, PrometheusSettings
from bot.jobs.detection_engine import build_live_feed
from detectors.rules.evaluation import RuleDetector, window_for
from detectors.rules.grammar import RuleSyntaxError, parse_rule
from detectors.service import DetectionReport, DetectionService
from simulator.exposition import HistoryFormat, write_history
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests import servers

STEP = 60.0
CORES = 2
CYCLE_TARGET_SECONDS = 2.0
CPU_TARGET_PERCENT = 10.0
MEMORY_TARGET_MB = 1024.0
RATIO_TARGET = 20.0
BOOTSTRAP_TARGET_SECONDS = 120.0
# promtool cuts TSDB blocks at multiples of 2 h since the epoch.
_BLOCK_SECONDS = 7200.0


@dataclass(frozen=True)
class Cost:
    """What one cycle took: wall seconds, and CPU seconds of this process and of the server."""

    wall: float
    product_cpu: float
    server_cpu: float

    @property
    def cpu(self) -> float:
        """CPU seconds of product and server together."""
        return self.product_cpu + self.server_cpu


def proc_cpu_seconds(stat: str, ticks_per_second: float) -> float:
    """User plus system CPU seconds in the text of ``/proc/<pid>/stat``.

    The command name (field 2, in parentheses) may hold spaces, so fields are counted after its
    closing parenthesis: utime and stime are fields 14 and 15 of the line.
    """
    fields = stat[stat.rindex(")") + 1 :].split()
    return (int(fields[11]) + int(fields[12])) / ticks_per_second


def proc_peak_rss_mb(status: str) -> float:
    """The peak resident set (``VmHWM``) in the text of ``/proc/<pid>/status``, in MB."""
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise ValueError("no VmHWM line in the process status")


def share_of_cores(cpu_seconds: float, *, every_seconds: float = STEP, cores: int = CORES) -> float:
    """Percent of ``cores`` that ``cpu_seconds`` of work every ``every_seconds`` keeps busy."""
    return 100.0 * cpu_seconds / (every_seconds * cores)


def _say(text: str) -> None:
    print(text, flush=True)


def _load_average() -> str:
    return ", ".join(f"{v:.1f}" for v in os.getloadavg())


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _own_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _server_cpu(pid: int) -> float:
    return proc_cpu_seconds(Path(f"/proc/{pid}/stat").read_text(), os.sysconf("SC_CLK_TCK"))


def _measure(run: Callable[[], DetectionReport], pid: int) -> tuple[DetectionReport, Cost]:
    wall, own, server = time.perf_counter(), _own_cpu(), _server_cpu(pid)
    report = run()
    return report, Cost(time.perf_counter() - wall, _own_cpu() - own, _server_cpu(pid) - server)


def fleet(hosts: int, *, incidents_from: float) -> FleetModel:
    """The simulated fleet: CPU saturations on web-1 … web-5 (those there are) start at ``incidents_from``."""
    webs = min(5, (hosts + 4) // 5)  # every fifth host is a web host
    return FleetModel(
        hosts,
        tuple(Incident(IncidentKind.CPU_SATURATION, f"web-{n}", incidents_from, 3600) for n in range(1, webs + 1)),
    )


def _write(
    hosts: int, first_cycle: float, start: float, end: float, path: Path, fmt: HistoryFormat, origin: float
) -> None:
    """Write the history file from ``start`` to ``end``, counters counted from ``origin`` (run in a child process)."""
    began = time.perf_counter()
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        samples = write_history(
            fleet(hosts, incidents_from=first_cycle + STEP),
            start=start,
            end=end,
            step=STEP,
            out=out,
            origin=origin,
            fmt=fmt,
            progress=lambda done, total: print(f"\r  writing history: {done}/{total} families", end="", flush=True),
        )
    _say(f"\nhistory: {samples:,} samples, {path.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - began:.0f} s")


def _write_in_child(*args: object) -> None:
    child = multiprocessing.get_context("fork").Process(target=_write, args=args)
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"writing the history failed (exit code {child.exitcode})")


def _load(source: str, args: argparse.Namespace, work: Path, first_cycle: float, end: float) -> servers.ServerProcess:
    """Write the history and start ``source`` holding it."""
    history = work / "history.txt"
    start = first_cycle - args.hours * 3600 - 5 * STEP  # rate() needs the minute before the first point
    if source == "prometheus":
        # promtool holds what it backfills in memory (a day of 10,000 hosts in one file outgrew 22 GB),
        # so the history is written and backfilled in pieces of one TSDB block (2 h, aligned as promtool aligns).
        began, piece = time.perf_counter(), start
        while piece <= end:
            last = min(end, (math.floor(piece / _BLOCK_SECONDS) + 1) * _BLOCK_SECONDS - STEP)
            _write_in_child(args.hosts, first_cycle, piece, last, history, "openmetrics", start)
            servers.backfill_openmetrics(history, work / "prometheus" / "data")
            history.unlink()
            piece = last + STEP
        _say(f"history written and backfilled by promtool in {time.perf_counter() - began:.0f} s")
        return servers.start_prometheus(work / "prometheus", scrape_targets={}, tsdb=work / "prometheus" / "data")
    _write_in_child(args.hosts, first_cycle, start, end, history, "prometheus", start)
    began = time.perf_counter()
    server = servers.start_victoria_metrics(work / "vm")
    with history.open("rb") as body:
        requests.post(f"{server.url}/api/v1/import/prometheus", data=body, timeout=3600).raise_for_status()
    requests.get(f"{server.url}/internal/force_flush", timeout=60).raise_for_status()
    _say(f"VictoriaMetrics import: {time.perf_counter() - began:.0f} s")
    history.unlink()
    return server


def _median(costs: list[Cost]) -> Cost:
    return Cost(
        wall=statistics.median(c.wall for c in costs),
        product_cpu=statistics.median(c.product_cpu for c in costs),
        server_cpu=statistics.median(c.server_cpu for c in costs),
    )


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _cycles(args: argparse.Namespace, server: servers.ServerProcess, first_cycle: float) -> bool:
    """Bootstrap, then the incremental and full-window cycles side by side; print the figures."""
    pid = server.process.pid
    metrics = PrometheusMetrics(
        server.url, timeout_seconds=PrometheusSettings(url=server.url, timeout_seconds=args.timeout).timeout_seconds
    )
    at = datetime.fromtimestamp(first_cycle, UTC)
    stored = metrics.query("count(node_uname_info)", at=at)
    hosts = int(float(stored[0]["value"][1])) if stored else 0
    if hosts != args.hosts:
        raise SystemExit(
            f"the server holds {hosts} hosts at {at:%H:%M} UTC, not {args.hosts}: the history did not load"
        )
    feed = replace(build_live_feed(DetectionSettings(), metrics), bootstrap_hours=args.hours)
    rules = [parse_rule(args.rule)] if args.rule else []
    detectors = tuple(RuleDetector("bench-rule", r) for r in rules)
    kinds = tuple(r.metric for r in rules)
    rule_window = window_for(rules, at_least=timedelta(minutes=DetectionSettings().window_minutes))
    store = InMemoryAnomalyStore()
    live = DetectionService(metrics, store, detectors, metric_kinds=kinds, window=rule_window, feed=feed)
    full = full_window_service(metrics, feed.signals)
    # The rule's pass as it was before its windows were kept: the whole window read every cycle.
    whole = DetectionService(metrics, InMemoryAnomalyStore(), detectors, kinds, rule_window, keep_windows=False)
    load_before = _load_average()
    idle_before = _server_cpu(pid)
    time.sleep(10)
    idle = (_server_cpu(pid) - idle_before) * STEP / 10
    _, boot = _measure(partial(live.run_once, at), pid)
    boot_peak = _own_peak_mb()
    lanes = len(feed.engine.keys)
    incremental: list[Cost] = []
    window: list[Cost] = []
    rule_whole: list[Cost] = []
    reports: list[DetectionReport] = []
    for n in range(1, args.cycles + 1):
        now = datetime.fromtimestamp(first_cycle + n * STEP, UTC)
        report, cost = _measure(partial(live.run_once, now), pid)
        reports.append(report)
        incremental.append(cost)
        window.append(_measure(partial(full.run_once, now), pid)[1])
        rule_text = ""
        if rules:
            rule_whole.append(_measure(partial(whole.run_once, now), pid)[1])
            rule_text = f", the rule's whole window {rule_whole[-1].wall:6.2f} s"
        _say(
            f"  cycle {n}: incremental {incremental[-1].wall:6.2f} s, full window {window[-1].wall:6.2f} s"
            f"{rule_text}, opened {opened_by_signal(reports[-1])}"
        )
    opened = sum(len(r.opened) for r in reports)
    inc, win = _median(incremental), _median(window)
    peak = _own_peak_mb()
    server_peak = proc_peak_rss_mb(Path(f"/proc/{pid}/status").read_text())
    ratio = win.wall / inc.wall
    _say(f"\n{args.source} ({server.url}): {hosts} hosts, {len(feed.signals)} signals, {args.cycles} cycles")
    _say(f"server CPU while idle before the cycles: {idle:.2f} s per minute")
    _say(f"load average (1, 5, 15 min): {load_before} before the bootstrap, {_load_average()} after the cycles")
    _say(
        f"bootstrap from {args.hours:g} h of history (first cycle): {boot.wall:8.2f} s "
        f"(CPU: product {boot.product_cpu:.1f} s, server {boot.server_cpu:.1f} s); engine lanes: {lanes}"
    )
    for name, cost in (("incremental engine cycle", inc), ("full-window cycle (30 min)", win)):
        _say(
            f"{name + ' (median):':<37} {cost.wall:8.3f} s; CPU per cycle: product {cost.product_cpu:.3f} s, "
            f"server {cost.server_cpu:.3f} s = {share_of_cores(cost.cpu):.1f}% of {CORES} cores at one per minute"
        )
    _say(f"ratio full-window / incremental:      {ratio:8.1f}x")
    if rules:
        rule_cost = _median(rule_whole)
        _say(
            f"with the rule '{args.rule}' (window {rule_window}): its pass reading the whole window "
            f"{rule_cost.wall:.3f} s (median; CPU product {rule_cost.product_cpu:.3f} s, server "
            f"{rule_cost.server_cpu:.3f} s), included in the incremental cycle above with its window kept"
        )
    _say(f"incidents opened by the incremental cycles: {opened}")
    _say(f"peak RSS: product {boot_peak:.0f} MB after the bootstrap, {peak:.0f} MB in all; server {server_peak:.0f} MB")
    checks = (
        (f"{hosts} hosts × all signals ≤ {CYCLE_TARGET_SECONDS:g} s per cycle", f"{inc.wall:.2f} s",
         inc.wall <= CYCLE_TARGET_SECONDS),
        (f"< {CPU_TARGET_PERCENT:g}% of {CORES} cores, product and server", f"{share_of_cores(inc.cpu):.1f}%",
         share_of_cores(inc.cpu) < CPU_TARGET_PERCENT),
        ("product memory < 1 GB", f"{peak:.0f} MB", peak < MEMORY_TARGET_MB),
        (f"≥ {RATIO_TARGET:g}× the full-window cycle", f"{ratio:.1f}×", ratio >= RATIO_TARGET),
        (f"bootstrap < {BOOTSTRAP_TARGET_SECONDS:g} s ({args.hours:g} h of history)", f"{boot.wall:.0f} s",
         boot.wall < BOOTSTRAP_TARGET_SECONDS),
    )  # fmt: skip
    for target, figure, ok in checks:
        _say(f"  target {target}: {figure}, {_verdict(ok)}")
    return all(ok for _, _, ok in checks)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark against one server and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.engine_live", description=__doc__.split("\n")[0])
    parser.add_argument("--source", choices=("prometheus", "victoriametrics"), default="prometheus")
    parser.add_argument("--hosts", type=int, default=10_000, help="simulated hosts (default 10000)")
    parser.add_argument(
        "--hours",
        type=float,
        default=24.0,
        help="hours of history to bootstrap from (default 24; 10,000 hosts × 24 h is 275 M samples, use 2 on 2 cores)",
    )
    parser.add_argument("--cycles", type=int, default=5, help="incremental and full-window cycles (default 5)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per metrics request (default 60)")
    parser.add_argument(
        "--rule",
        default=None,
        help="a duration rule the cycle judges too, e.g. 'cpu > 90%% for 3m' (default: none, as without a rules file)",
    )
    args = parser.parse_args(argv)
    if args.rule:
        try:
            parse_rule(args.rule)
        except RuleSyntaxError as exc:
            parser.error(f"--rule: {exc}")
    if args.hours < 1 or args.cycles < 1 or args.hosts < 1:
        parser.error("--hours must be at least 1 (the full window is 30 minutes), --cycles and --hosts at least 1")
    _say(f"live detection cycle: {args.source}, {args.hosts} hosts, {args.hours:g} h of history at {STEP:g} s")
    # The last stored minute is in the past, so every query is answered from stored samples.
    end = float(int(time.time()) // 60 * 60 - 60)
    first_cycle = end - args.cycles * STEP
    with tempfile.TemporaryDirectory(prefix="engine-live-") as tmp:
        server = _load(args.source, args, Path(tmp), first_cycle, end)
        try:
            met = _cycles(args, server, first_cycle)
        finally:
            server.stop()
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
