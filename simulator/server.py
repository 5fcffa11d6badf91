"""The fleet simulator's HTTP server: ``GET /metrics`` in the Prometheus text format."""

from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from domain.errors import InputError
from simulator.exposition import CounterIntegrator, render_exposition
from simulator.fleet import FleetModel
from simulator.scenario import load_scenario


class SimulatorServer(ThreadingHTTPServer):
    """Serves a fleet's metrics at the wall-clock time of each scrape."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], model: FleetModel, *, origin: float | None = None) -> None:
        super().__init__(address, _Handler)
        self.model = model
        self.origin = time.time() - 3600 if origin is None else origin
        self.integrator = CounterIntegrator(model, self.origin)
        self.lock = threading.Lock()

    def exposition(self) -> bytes:
        """The current scrape body."""
        with self.lock:
            return render_exposition(self.model, self.integrator, time.time()).encode()


class _Handler(BaseHTTPRequestHandler):
    server: SimulatorServer

    def do_GET(self) -> None:
        if self.path.split("?")[0] not in ("/metrics", "/"):
            self.send_error(404)
            return
        body = self.server.exposition()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002, ARG002 - signature fixed by http.server
        return


def scrape_config(address: str, *, job: str = "fleet") -> str:
    """The Prometheus scrape job for a simulator at ``address`` (``host:port``).

    ``honor_labels`` keeps each simulated host's own ``instance``, ``job`` and ``up`` series.
    """
    return (
        f"  - job_name: {job}\n    honor_labels: true\n    scrape_interval: 15s\n"
        f"    static_configs:\n      - targets: ['{address}']\n"
    )


#: The largest simulated fleet: each host gets its own address in 10.0.0.0/16.
MAX_HOSTS = 50_000


def build_model(*, hosts: int, scenario: Path | None, now: float, seed: int = 7) -> FleetModel:
    """A fleet of ``hosts`` hosts with the scenario file's incidents (starts relative to ``now``).

    Raises:
        InputError: the scenario cannot be read or names a host the fleet does not have.
    """
    if not 1 <= hosts <= MAX_HOSTS:
        raise InputError(f"--hosts must be between 1 and {MAX_HOSTS:,} (got {hosts})")
    incidents = load_scenario(scenario, now=now) if scenario else ()
    try:
        return FleetModel(hosts, incidents, seed=seed)
    except ValueError as exc:
        raise InputError(f"{scenario}: {exc} (the fleet has {hosts} hosts)") from exc


def run_simulator(*, hosts: int, host: str, port: int, scenario: Path | None, seed: int = 7) -> int:
    """Serve until interrupted."""
    model = build_model(hosts=hosts, scenario=scenario, now=time.time(), seed=seed)
    server = SimulatorServer((host, port), model)
    address = f"{host}:{server.server_address[1]}"
    sys.stderr.write(
        f"simulating {hosts} hosts ({len(model.incidents)} incidents) on http://{address}/metrics\n"
        f"Prometheus scrape job:\n{scrape_config(address)}"
    )
    sys.stderr.flush()
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
