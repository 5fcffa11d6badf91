"""How fast the router answers: questions in a warm process vs a cold ``smartcloudops ask`` start.

Starts a fleet simulator and a Prometheus on 127.0.0.1 (Debian's ``prometheus``) unless
``SCO_PROMETHEUS__URL`` points at one, asks a mix of the router's questions, and prints
p50/p95/p99 per question in a warm process beside the median wall time of a cold CLI run.

    .venv/bin/python -m bench.ask_latency [--questions 300] [--cold-runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.config.settings import AuditSettings, PrometheusSettings, Settings
from bot.wiring import build_services
from simulator.fleet import FleetModel
from simulator.server import SimulatorServer

QUESTIONS = (
    "what is the current CPU on web-1?",
    "memory on db-2",
    "which hosts have the highest memory?",
    "is api-3 up?",
    "peak cpu on db-1 in the last 15m",
    "network in on cache-2",
    "load on worker-1",
    "disk on web-4",
    "summarize the last 3 anomalies",
    "cpu across the fleet",
    "how busy is api-2",
    "hottest box?",
)


@contextmanager
def local_prometheus(hosts: int) -> Iterator[str]:
    """A simulator and a Prometheus scraping it; yields Prometheus' URL."""
    from tests import servers

    work = Path(tempfile.mkdtemp(prefix="bench-ask-"))
    sim = SimulatorServer((servers.LOOPBACK, servers.free_port()), FleetModel(hosts))
    threading.Thread(target=sim.serve_forever, daemon=True).start()
    prom = servers.start_prometheus(work, scrape_targets={"fleet": f"{servers.LOOPBACK}:{sim.server_address[1]}"})
    try:
        time.sleep(5)  # a few scrapes, so rate() has samples
        yield prom.url
    finally:
        prom.stop()
        sim.shutdown()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def run(url: str, questions: int, cold_runs: int) -> None:
    """Measure and print."""
    services = build_services(
        Settings(prometheus=PrometheusSettings(url=url), audit=AuditSettings(dir=Path(tempfile.mkdtemp())))
    )
    services.runner.answer(QUESTIONS[0])  # first call warms connection pools, imports and fits the intent model
    warm: list[float] = []
    for n in range(questions):
        start = time.perf_counter()
        services.runner.answer(QUESTIONS[n % len(QUESTIONS)])
        warm.append((time.perf_counter() - start) * 1000)
        if n % 50 == 0:
            sys.stderr.write(f"\rwarm: {n}/{questions}")
    sys.stderr.write("\n")
    cold: list[float] = []
    env = {**os.environ, "SCO_PROMETHEUS__URL": url}
    for n in range(cold_runs):
        start = time.perf_counter()
        subprocess.run(  # noqa: S603 - the project's own CLI
            [sys.executable, "-m", "bot.cli", "ask", QUESTIONS[0]],
            env=env,
            capture_output=True,
            check=True,
            timeout=120,
        )
        cold.append((time.perf_counter() - start) * 1000)
        sys.stderr.write(f"\rcold: {n + 1}/{cold_runs}")
    sys.stderr.write("\n")
    p50 = statistics.median(warm)
    cold_p50 = statistics.median(cold)
    print(f"questions: {questions} warm ({len(QUESTIONS)} kinds), {cold_runs} cold CLI runs")
    print(f"warm process  p50 {p50:7.1f} ms   p95 {percentile(warm, 95):7.1f} ms   p99 {percentile(warm, 99):7.1f} ms")
    print(f"cold CLI      p50 {cold_p50:7.1f} ms")
    print(f"ratio cold/warm p50: {cold_p50 / p50:.1f}x   target warm p50 < 300 ms: {'met' if p50 < 300 else 'NOT met'}")


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=300, help="questions asked in the warm process")
    parser.add_argument("--cold-runs", type=int, default=5, help="cold `smartcloudops ask` runs")
    parser.add_argument("--hosts", type=int, default=20, help="simulated hosts (when starting a local Prometheus)")
    args = parser.parse_args()
    url = os.environ.get("SCO_PROMETHEUS__URL")
    if url:
        run(url, args.questions, args.cold_runs)
        return
    with local_prometheus(args.hosts) as local:
        run(local, args.questions, args.cold_runs)


if __name__ == "__main__":
    main()
