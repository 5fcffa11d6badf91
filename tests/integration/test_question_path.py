"""Question → tool → Prometheus → answer, against a real Prometheus scraping node_exporter and the simulator."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import requests

from bot.config.settings import PrometheusSettings, Settings
from bot.wiring import build_services
from domain.models import MetricKind
from simulator.fleet import FleetModel
from tests.integration.conftest import CliRunner
from tests.servers import ServerProcess


@pytest.fixture(autouse=True)
def _complete_last_minute(steady_prometheus: ServerProcess) -> None:
    """These tests compare one-minute rates with the simulator's model: wait out missed scrapes first."""


_ANSWER = re.compile(r"^(?P<host>\S+) CPU: (?P<value>[\d.]+)% \(1m average, (?P<at>[\d\- :]+) UTC\)$", re.M)


def _services(prometheus: ServerProcess):  # type: ignore[no-untyped-def]
    return build_services(Settings(prometheus=PrometheusSettings(url=prometheus.url)))


def test_cpu_of_a_simulated_host_matches_the_simulators_known_series(
    prometheus: ServerProcess, fleet_model: FleetModel
) -> None:
    answer = _services(prometheus).runner.answer("what is the current CPU on web-1?")

    match = _ANSWER.search(answer.answer)
    assert match is not None, answer.answer
    assert match["host"] == "web-1"
    at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    expected = fleet_model.average(MetricKind.CPU, at.timestamp(), 60.0)[fleet_model.index_of("web-1")]
    # rate() extrapolates from scrape times that jitter on a loaded machine: a few points of slack.
    assert abs(float(match["value"]) - expected) < 5.0
    assert [(c.name, c.status) for c in answer.tool_calls] == [("get_current_metric", "success")]


def test_cpu_of_the_real_node_exporter_equals_what_promql_gives(
    prometheus: ServerProcess, node_exporter: ServerProcess
) -> None:
    instance = f"127.0.0.1:{node_exporter.port}"
    answer = _services(prometheus).runner.answer(f"what's the cpu on {instance}")

    match = _ANSWER.search(answer.answer)
    assert match is not None, answer.answer
    at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    query = f'100 * (1 - avg(rate(node_cpu_seconds_total{{mode="idle",instance="{instance}"}}[1m])))'
    resp = requests.get(f"{prometheus.url}/api/v1/query", params={"query": query, "time": at.timestamp()}, timeout=5)
    direct = float(resp.json()["data"]["result"][0]["value"][1])
    assert abs(float(match["value"]) - direct) < 2.0


def test_ask_json_cli_answers_from_prometheus(prometheus: ServerProcess, cli: CliRunner) -> None:
    result = cli("ask", "--json", "what is the current CPU on web-1?", env={"SCO_PROMETHEUS__URL": prometheus.url})

    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["mode"] == "router"
    assert payload["approval_id"] is None
    assert payload["tool_calls"] == [
        {"name": "get_current_metric", "args": {"metric": "cpu", "host": "web-1"}, "status": "success"}
    ]
    assert _ANSWER.search(payload["answer"]) is not None


def test_ask_exits_non_zero_with_one_line_when_prometheus_is_down(cli: CliRunner) -> None:
    result = cli("ask", "what is the current CPU on web-1?", env={"SCO_PROMETHEUS__URL": "http://127.0.0.1:9"})

    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        "error: metrics unavailable (connection refused) at http://127.0.0.1:9"
    ]
    assert "metrics unavailable (connection refused)" in result.stdout


def test_ask_json_still_prints_the_answer_when_prometheus_is_down(cli: CliRunner) -> None:
    result = cli(
        "ask", "--json", "what is the current CPU on web-1?", env={"SCO_PROMETHEUS__URL": "http://127.0.0.1:9"}
    )

    assert 3 == result.returncode
    payload = json.loads(result.stdout)
    assert ("router", "error") == (payload["mode"], payload["tool_calls"][0]["status"])
    assert "metrics unavailable" in payload["answer"]
