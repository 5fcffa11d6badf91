"""The fleet simulator's HTTP server: ``GET /metrics`` in the Prometheus text format."""

from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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


def run_simulator(*, hosts: int, host: str, port: int, scenario: Path | None) -> int:
    """Serve until interrupted."""
    incidents = load_scenario(scenario, now=time.time()) if scenario else ()
    server = SimulatorServer((host, port), FleetModel(hosts, incidents))
    sys.stderr.write(f"simulating {hosts} hosts on http://{host}:{server.server_address[1]}/metrics\n")
    sys.stderr.flush()
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
