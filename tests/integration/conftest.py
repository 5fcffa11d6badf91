"""Session fixtures: real servers on 127.0.0.1 (Prometheus, node_exporter, the fleet simulator, Redis, moto)."""

from __future__ import annotations

import itertools
import logging
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis as redis_lib
import requests
import structlog

from bot.cli.main import main
from simulator.exposition import write_openmetrics
from simulator.fleet import FleetModel, Incident, IncidentKind
from tests import servers
from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.slack_api import FakeSlackApi
from tests.fleet_process import FleetSimulator, fleet

pytestmark = pytest.mark.integration


def _started(factory: object, *args: object, **kwargs: object) -> servers.ServerProcess:
    try:
        return factory(*args, **kwargs)  # type: ignore[operator,no-any-return]
    except servers.ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("servers")


@pytest.fixture(scope="session")
def node_exporter(workdir: Path) -> Iterator[servers.ServerProcess]:
    server = _started(servers.start_node_exporter, workdir / "node_exporter")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fleet_start() -> float:
    """When the session's fleet began: counters start here, and db-1's incident too."""
    return time.time() - 3600


@pytest.fixture(scope="session")
def fleet_model(fleet_start: float) -> FleetModel:
    """20 simulated hosts; db-1 has been saturating its CPU for an hour and goes on for a day."""
    return fleet(fleet_start)


@pytest.fixture(scope="session")
def fleet_simulator(workdir: Path, fleet_model: FleetModel, fleet_start: float) -> Iterator[FleetSimulator]:
    port = servers.free_port()
    argv = [
        sys.executable,
        "-m",
        "tests.fleet_process",
        "--port",
        str(port),
        "--origin",
        str(fleet_start),
        "--incident-start",
        str(fleet_start),
    ]
    process = _started(
        servers.start_server,
        "fleet",
        argv,
        port=port,
        workdir=workdir / "fleet",
        ready=servers.http_ready(f"http://{servers.LOOPBACK}:{port}/metrics"),
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    yield FleetSimulator(model=fleet_model, origin=fleet_start, process=process)
    process.stop()


def wait_for_series(url: str, query: str, *, minimum: int = 1, timeout: float = 30.0) -> list[dict[str, object]]:
    """Wait until an instant query returns at least ``minimum`` series."""
    deadline = time.monotonic() + timeout
    result: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        resp = requests.get(f"{url}/api/v1/query", params={"query": query}, timeout=5)
        result = resp.json()["data"]["result"]
        if len(result) >= minimum:
            return result
        time.sleep(0.5)
    raise AssertionError(f"{query} returned {len(result)} series after {timeout:.0f}s")


#: Seconds of simulator history backfilled before the live scrapes take over.
HISTORY_SECONDS = 1800
#: The history's last seconds are written every second, as Prometheus scrapes: a one-minute
#: ``rate()`` then never starts inside a 5-s step, where Prometheus would extrapolate only part
#: of the way to the window's start and read low.
DENSE_SECONDS = 90
#: The history runs this far past its writing. Prometheus refuses scraped samples older than a
#: backfilled block's end, so its first accepted scrape follows the history without a gap as long
#: as backfilling, starting and its first target discovery (throttled to 5 s) take less than this.
LEAD_SECONDS = 8.0


def write_fleet_history(directory: Path, fleet_simulator: FleetSimulator, *, end: float) -> list[Path]:
    """The simulator's last ``HISTORY_SECONDS`` up to ``end``: every 5 s, then every second for ``DENSE_SECONDS``.

    Two OpenMetrics files (one per step), each continuing the live simulator's counters.
    """
    directory.mkdir(parents=True, exist_ok=True)
    dense_start = end - DENSE_SECONDS
    parts = [
        (directory / "history-5s.om", end - HISTORY_SECONDS, dense_start - 5, 5.0),
        (directory / "history-1s.om", dense_start, end, 1.0),
    ]
    for path, start, stop, step in parts:
        with path.open("w") as out:
            write_openmetrics(
                fleet_simulator.model, start=start, end=stop, step=step, out=out, origin=fleet_simulator.origin
            )
    return [path for path, *_ in parts]


@pytest.fixture(scope="session")
def prometheus(
    workdir: Path, node_exporter: servers.ServerProcess, fleet_simulator: FleetSimulator
) -> Iterator[servers.ServerProcess]:
    """Prometheus scraping node_exporter (job ``node``) and the fleet simulator (job ``fleet``) every second.

    The simulator's last 30 minutes are backfilled first, the last of them at the scrape
    interval, so its series have gap-free history (and ``rate()`` over a minute is exact) from
    the first scrape on.
    """
    home = workdir / "prometheus"
    try:
        for history in write_fleet_history(home, fleet_simulator, end=time.time() + LEAD_SECONDS):
            servers.backfill_openmetrics(history, home / "data")
    except servers.ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    targets = {
        "node": f"{servers.LOOPBACK}:{node_exporter.port}",
        "fleet": f"{servers.LOOPBACK}:{fleet_simulator.server_address[1]}",
    }
    server = _started(servers.start_prometheus, home, scrape_targets=targets, tsdb=home / "data")
    _wait_for_fleet_samples(server)
    yield server
    server.stop()


def _wait_for_fleet_samples(server: servers.ServerProcess) -> None:
    """Wait until every host has a few recent samples (rate() over [1m] needs two); stop and fail otherwise."""
    try:
        wait_for_series(
            server.url, "count by (instance) (count_over_time(node_cpu_seconds_total[10s]) >= 3)", minimum=21
        )
    except AssertionError as exc:
        server.stop()
        pytest.fail(f"{exc}\n{server.log_tail()}", pytrace=False)


@pytest.fixture(scope="session")
def victoria_metrics(
    workdir: Path,
    prometheus: servers.ServerProcess,
    node_exporter: servers.ServerProcess,
    fleet_simulator: FleetSimulator,
) -> Iterator[servers.ServerProcess]:
    """VictoriaMetrics fed like ``prometheus``: the same history up to its start, and scraping the same targets.

    The history is imported through ``/api/v1/import/prometheus`` (which takes OpenMetrics'
    timestamps in seconds), and VictoriaMetrics scrapes node_exporter and the simulator itself.
    It keeps every sample it is given, so the history ends before its first scrape.
    """
    home = workdir / "victoria-metrics"
    histories = write_fleet_history(home / "history", fleet_simulator, end=time.time() - 1)
    config = home / "scrape.yml"
    config.write_text(
        servers.prometheus_config(
            {
                "node": f"{servers.LOOPBACK}:{node_exporter.port}",
                "fleet": f"{servers.LOOPBACK}:{fleet_simulator.server_address[1]}",
            }
        )
    )
    port = servers.free_port()
    try:
        server = servers.start_server(
            "victoria-metrics",
            [
                servers.find_binary("victoria-metrics", "the Debian package victoria-metrics"),
                f"-httpListenAddr={servers.LOOPBACK}:{port}",
                f"-storageDataPath={home / 'data'}",
                "-retentionPeriod=100y",
                "-search.disableCache",
                "-loggerLevel=WARN",
                f"-promscrape.config={config}",
                "-promscrape.config.strictParse=false",
                # Show scrapes as soon as Prometheus does (the default hides the last 30 s).
                "-search.latencyOffset=1s",
            ],
            port=port,
            workdir=home,
            ready=servers.http_ready(f"http://{servers.LOOPBACK}:{port}/health"),
        )
    except servers.ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    for history in histories:
        with history.open("rb") as body:
            resp = requests.post(f"{server.url}/api/v1/import/prometheus", data=body, timeout=120)
        if resp.status_code != 204:
            server.stop()
            pytest.fail(f"VictoriaMetrics refused the history: {resp.status_code} {resp.text[:500]}", pytrace=False)
    requests.get(f"{server.url}/internal/force_flush", timeout=30)
    _wait_for_fleet_samples(server)
    yield server
    server.stop()


#: How long before the history's end web-1's CPU began to saturate.
INCIDENT_MINUTES_AGO = 8


@pytest.fixture(scope="session")
def history() -> tuple[FleetModel, float]:
    """5 hosts, and the end of their history: two minutes before the last whole minute.

    web-1's CPU saturates from ``INCIDENT_MINUTES_AGO`` minutes before the end on.
    """
    end = float(int(time.time() // 60 * 60) - 120)
    incident = Incident(IncidentKind.CPU_SATURATION, "web-1", end - INCIDENT_MINUTES_AGO * 60, 3600)
    return FleetModel(5, (incident,)), end


@pytest.fixture(scope="session")
def history_prometheus(workdir: Path, history: tuple[FleetModel, float]) -> Iterator[servers.ServerProcess]:
    """A Prometheus holding only ``history``'s last 26 hours, a sample a minute (no scraping)."""
    model, end = history
    server = _started(servers.start_history_prometheus, workdir / "history", model, start=end - 26 * 3600, end=end)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(workdir: Path) -> Iterator[servers.ServerProcess]:
    server = _started(servers.start_redis, workdir / "redis")
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: servers.ServerProcess) -> Iterator[str]:
    """A clean database for each test."""
    url = redis_server.extra["url"]
    client = redis_lib.Redis.from_url(url)
    client.flushdb()
    yield url
    client.close()


@pytest.fixture(scope="session")
def moto_server(workdir: Path) -> Iterator[servers.ServerProcess]:
    server = _started(servers.start_moto, workdir / "moto")
    yield server
    server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, moto_server: servers.ServerProcess) -> str:
    """Fake credentials for moto, and the endpoint URL; each test gets a fresh moto state."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    requests.post(f"{moto_server.url}/moto-api/reset", timeout=5)
    return moto_server.url


@pytest.fixture(scope="session")
def slack_api() -> Iterator[FakeSlackApi]:
    server = FakeSlackApi().start()
    yield server
    server.stop()


@pytest.fixture
def fake_slack(slack_api: FakeSlackApi) -> FakeSlackApi:
    slack_api.reset()
    slack_api.responses.clear()
    return slack_api


@pytest.fixture(scope="session")
def openai_api() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


def wait_for_steady_scrapes(url: str, *, timeout: float = 180.0) -> None:
    """Wait until the last minute of the simulator's series was scraped without a gap.

    Tests that compare ``rate()`` over a minute with the simulator's model need it: on a loaded
    2-core machine Prometheus can miss several scrapes in a row (its timeout is the 1 s
    interval), and when the window then starts inside such a gap, Prometheus extrapolates only
    part of the way to the window's start and the rate reads low until the gap has left. The
    backfilled history is complete, so this returns at once unless such a gap happened.
    """
    query = 'node_cpu_seconds_total{host="db-1",mode="idle",cpu="0"}[70s]'
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = requests.get(f"{url}/api/v1/query", params={"query": query}, timeout=5).json()["data"]["result"]
        stamps = [float(t) for t, _ in result[0]["values"]] if result else []
        now = time.time()
        recent = [t for t in stamps if t >= now - 62]
        if (
            len(recent) >= 2
            and recent[0] <= now - 58.5
            and now - recent[-1] <= 2.0
            and max(b - a for a, b in itertools.pairwise(recent)) <= 3.0
        ):
            return
        time.sleep(0.5)
    raise AssertionError(f"Prometheus has not scraped the simulator steadily for {timeout:.0f}s")


@pytest.fixture
def steady_prometheus(prometheus: servers.ServerProcess) -> servers.ServerProcess:
    """The session's Prometheus, once the last minute of simulator samples is complete."""
    wait_for_steady_scrapes(prometheus.url)
    return prometheus


@dataclass(frozen=True)
class CliResult:
    """What one ``smartcloudops`` invocation returned and wrote."""

    returncode: int
    stdout: str
    stderr: str


CliRunner = Callable[..., CliResult]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[CliRunner]:
    """Run ``smartcloudops`` in this process: ``cli("ask", "--json", "...", env={"SCO_...": ...})``.

    The same ``main`` as the console script, without a second interpreter's imports; the
    logging a command configures is undone afterwards.
    """
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, structlog.get_config())

    def run(*argv: str, env: dict[str, str] | None = None) -> CliResult:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return CliResult(returncode=code, stdout=out, stderr=err)

    yield run
    root.handlers[:], root.level = saved[0], saved[1]
    structlog.configure(**saved[2])
