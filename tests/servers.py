"""Start real servers on 127.0.0.1 for integration tests: Prometheus, node_exporter, Redis, moto, VictoriaMetrics.

Each runs as a child process on a free port with its own temporary directory, is waited on
through a readiness check, and is stopped at teardown. A missing binary fails the test
with a message naming the package that provides it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from simulator.exposition import write_openmetrics
from simulator.fleet import FleetModel

LOOPBACK = "127.0.0.1"


class ServerStartError(RuntimeError):
    """A test server could not be started."""


def free_port() -> int:
    """A TCP port that is free on the loopback address right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def find_binary(name: str, package: str) -> str:
    """Absolute path of ``name``, or a clear error naming the Debian package to install."""
    path = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
    if path is None:
        venv_bin = Path(sys.executable).parent / name
        if venv_bin.exists():
            return str(venv_bin)
        raise ServerStartError(f"'{name}' not found: install {package} (`make test` installs it)")
    return path


def http_ready(url: str) -> Callable[[], bool]:
    """A readiness check that passes once ``url`` answers 2xx."""

    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:  # noqa: S310 - loopback URL built by the tests
                return 200 <= int(resp.status) < 300
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    return check


@dataclass
class ServerProcess:
    """A running server."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    workdir: Path
    log_path: Path
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Base HTTP URL."""
        return f"http://{LOOPBACK}:{self.port}"

    def stop(self) -> None:
        """Terminate and wait; kill if it does not stop within 10 s."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 20) -> str:
        """The end of the server's output, for error messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_server(
    name: str,
    argv: Sequence[str],
    *,
    port: int,
    workdir: Path,
    ready: Callable[[], bool],
    timeout: float = 30.0,
    env: dict[str, str] | None = None,
) -> ServerProcess:
    """Start ``argv`` and wait until ``ready()`` passes."""
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"{name}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(  # noqa: S603 - argv built by the tests from known binaries
        list(argv), stdout=log, stderr=subprocess.STDOUT, cwd=workdir, env={**os.environ, **(env or {})}
    )
    server = ServerProcess(name=name, port=port, process=process, workdir=workdir, log_path=log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(f"{name} exited with {process.returncode}:\n{server.log_tail()}")
        if ready():
            return server
        time.sleep(0.1)
    server.stop()
    raise ServerStartError(f"{name} did not become ready within {timeout:.0f}s:\n{server.log_tail()}")


def start_node_exporter(workdir: Path) -> ServerProcess:
    """node_exporter from Debian's prometheus-node-exporter."""
    binary = find_binary("prometheus-node-exporter", "the Debian package prometheus-node-exporter")
    port = free_port()
    return start_server(
        "node_exporter",
        [
            binary,
            f"--web.listen-address={LOOPBACK}:{port}",
            "--collector.disable-defaults",
            "--collector.cpu",
            "--collector.meminfo",
            "--collector.filesystem",
            "--collector.loadavg",
            "--collector.netdev",
            "--collector.diskstats",
            "--collector.uname",
        ],
        port=port,
        workdir=workdir,
        ready=http_ready(f"http://{LOOPBACK}:{port}/metrics"),
    )


def prometheus_config(scrape_targets: dict[str, str], *, interval: str = "1s") -> str:
    """A Prometheus config scraping each job's target (``host:port``); labels in the targets' output are kept."""
    jobs = "\n".join(
        f"  - job_name: {job}\n    honor_labels: true\n    static_configs:\n      - targets: ['{target}']"
        for job, target in scrape_targets.items()
    )
    body = jobs or "  []"
    return f"global:\n  scrape_interval: {interval}\n  evaluation_interval: {interval}\nscrape_configs:\n{body}\n"


def start_prometheus(workdir: Path, *, scrape_targets: dict[str, str], tsdb: Path | None = None) -> ServerProcess:
    """Prometheus from Debian's prometheus package, scraping ``scrape_targets`` every second."""
    binary = find_binary("prometheus", "the Debian package prometheus")
    port = free_port()
    config = workdir / "prometheus.yml"
    workdir.mkdir(parents=True, exist_ok=True)
    config.write_text(prometheus_config(scrape_targets))
    data = tsdb or workdir / "data"
    return start_server(
        "prometheus",
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address={LOOPBACK}:{port}",
            "--storage.tsdb.retention.time=30d",
            "--web.enable-lifecycle",
            "--log.level=warn",
        ],
        port=port,
        workdir=workdir,
        ready=http_ready(f"http://{LOOPBACK}:{port}/-/ready"),
        timeout=60,
    )


def backfill_openmetrics(openmetrics: Path, tsdb: Path, *, timeout: float = 600.0) -> None:
    """Turn an OpenMetrics file into TSDB blocks with promtool (giving up after ``timeout`` seconds)."""
    promtool = find_binary("promtool", "the Debian package prometheus")
    tsdb.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(  # noqa: S603 - fixed binary and paths
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(openmetrics), str(tsdb)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise ServerStartError(f"promtool backfill failed: {result.stderr[-2000:]}")


def start_redis(workdir: Path) -> ServerProcess:
    """redis-server from Debian, without persistence."""
    binary = find_binary("redis-server", "the Debian package redis-server")
    port = free_port()

    def ping() -> bool:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    server = start_server(
        "redis",
        [
            binary,
            "--port",
            str(port),
            "--bind",
            LOOPBACK,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--protected-mode",
            "yes",
        ],
        port=port,
        workdir=workdir,
        ready=ping,
    )
    server.extra["url"] = f"redis://{LOOPBACK}:{port}/0"
    return server


def start_moto(workdir: Path) -> ServerProcess:
    """moto in server mode (the moto_server script of the test environment)."""
    binary = find_binary("moto_server", "moto[server] (uv sync installs it)")
    port = free_port()
    return start_server(
        "moto",
        [binary, "-H", LOOPBACK, "-p", str(port)],
        port=port,
        workdir=workdir,
        ready=http_ready(f"http://{LOOPBACK}:{port}/moto-api/"),
        env={"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"},
    )


def start_victoria_metrics(workdir: Path) -> ServerProcess:
    """VictoriaMetrics single-node from Debian's victoria-metrics package."""
    binary = find_binary("victoria-metrics", "the Debian package victoria-metrics")
    port = free_port()
    return start_server(
        "victoria-metrics",
        [
            binary,
            f"-httpListenAddr={LOOPBACK}:{port}",
            f"-storageDataPath={workdir / 'data'}",
            "-retentionPeriod=100y",
            "-search.disableCache",
            "-loggerLevel=WARN",
        ],
        port=port,
        workdir=workdir,
        ready=http_ready(f"http://{LOOPBACK}:{port}/health"),
    )


def start_history_prometheus(
    workdir: Path, model: FleetModel, *, start: float, end: float, step: float = 60.0
) -> ServerProcess:
    """A Prometheus holding only the simulated fleet's history from ``start`` to ``end`` (no scraping)."""
    return start_backfilled_prometheus(
        workdir, lambda out: write_openmetrics(model, start=start, end=end, step=step, out=out)
    )


def start_backfilled_prometheus(workdir: Path, write: Callable[[TextIO], object]) -> ServerProcess:
    """A Prometheus holding only the history ``write`` puts out as OpenMetrics (no scraping)."""
    workdir.mkdir(parents=True, exist_ok=True)
    history = workdir / "history.om"
    with history.open("w") as out:
        write(out)
    backfill_openmetrics(history, workdir / "data")
    history.unlink()
    return start_prometheus(workdir, scrape_targets={}, tsdb=workdir / "data")
