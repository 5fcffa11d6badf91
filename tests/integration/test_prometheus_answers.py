"""A metrics server that says nothing, a name that does not resolve, and answers of the wrong shape.

Each is ``MetricsUnavailable`` with the real reason, quickly, and an answer in words, never a traceback.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from adapters.clock import SystemClock
from adapters.prometheus.metrics import PrometheusMetrics
from bot.config.settings import AuditSettings, PrometheusSettings, Settings
from bot.wiring import build_services
from domain.errors import MetricsUnavailable
from domain.models import HostRef, MetricKind
from tests import servers

WEB1 = HostRef(instance="10.0.1.11:9100", host="web-1")


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind((servers.LOOPBACK, 0))
    listener.listen(16)
    yield f"http://{servers.LOOPBACK}:{listener.getsockname()[1]}"
    listener.close()


class _Shaped(http.server.BaseHTTPRequestHandler):
    """Answers every query with ``status: success`` and the ``result`` set on the class."""

    result: ClassVar[Any] = None

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps({"status": "success", "data": {"resultType": "vector", "result": self.result}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer  # noqa: N815

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def shaped_server() -> Iterator[tuple[str, type[_Shaped]]]:
    handler = type("Handler", (_Shaped,), {})
    server = http.server.ThreadingHTTPServer((servers.LOOPBACK, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{servers.LOOPBACK}:{server.server_address[1]}", handler
    server.shutdown()


def test_a_server_that_never_answers_is_a_timeout_said_once(silent_server: str) -> None:
    began = time.monotonic()

    with pytest.raises(MetricsUnavailable) as caught:
        PrometheusMetrics(silent_server, timeout_seconds=1).hosts()

    assert "timed out after 1s" == caught.value.reason
    assert time.monotonic() - began < 2.5


def test_a_name_that_does_not_resolve_is_said_so() -> None:
    with pytest.raises(MetricsUnavailable) as caught:
        PrometheusMetrics("http://no-such-host.invalid:9090", timeout_seconds=2).hosts()

    assert "the host name does not resolve" == caught.value.reason


def test_the_question_about_a_silent_server_is_answered_with_the_timeout(silent_server: str, tmp_path: Path) -> None:
    settings = Settings(
        prometheus=PrometheusSettings(url=silent_server, timeout_seconds=1), audit=AuditSettings(dir=tmp_path)
    )
    services = build_services(settings, clock=SystemClock(), load_model=False)
    began = time.monotonic()

    answer = services.runner.answer("what's the cpu on web-1?")

    assert "timed out after 1s" in answer.answer
    assert time.monotonic() - began < 5


@pytest.mark.parametrize(
    "result",
    [[1, 2], [{"metric": 3, "value": [1, "2"]}], [{"metric": {"instance": "a"}, "value": "x"}], {"a": 1}],
    ids=["numbers", "metric-not-labels", "value-not-pair", "object"],
)
def test_an_answer_of_the_wrong_shape_is_metrics_unavailable(
    shaped_server: tuple[str, type[_Shaped]], result: Any
) -> None:
    url, handler = shaped_server
    handler.result = result
    metrics = PrometheusMetrics(url, timeout_seconds=5)
    now = datetime.now(UTC)

    for read in (
        metrics.host_states,
        lambda: metrics.current(MetricKind.CPU, [WEB1]),
        lambda: metrics.range(MetricKind.CPU, [WEB1], start=now - timedelta(hours=1), end=now, step_seconds=60),
    ):
        with pytest.raises(MetricsUnavailable, match="response is not a Prometheus API answer"):
            read()


def test_values_that_are_not_numbers_are_metrics_unavailable(shaped_server: tuple[str, type[_Shaped]]) -> None:
    url, handler = shaped_server
    handler.result = [{"metric": {"instance": "10.0.1.11:9100"}, "values": [[1, "many"]]}]
    now = datetime.now(UTC)

    with pytest.raises(MetricsUnavailable, match="response is not a Prometheus API answer"):
        PrometheusMetrics(url).range(MetricKind.CPU, [WEB1], start=now - timedelta(hours=1), end=now, step_seconds=60)
