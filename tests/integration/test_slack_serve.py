"""``smartcloudops serve --http`` and ``--socket`` as real processes, configured only by the environment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.socket_mode import FakeSocketMode
from tests.integration.slack_requests import SIGNING_SECRET, slash_command
from tests.servers import LOOPBACK, ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[2]


def start_serve(mode: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SCO_", "SLACK_"))}
    return subprocess.Popen(  # noqa: S603 - the program and its arguments are fixed here
        [sys.executable, "-c", f"import sys; from bot.cli import main; sys.exit(main(['serve', '--{mode}']))"],
        cwd=ROOT,
        env={**base, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop(proc: subprocess.Popen[bytes]) -> str:
    proc.terminate()
    out, _ = proc.communicate(timeout=10)
    return out.decode(errors="replace")


@pytest.fixture
def common_env(fake_slack: FakeSlackApi, prometheus: ServerProcess, tmp_path: Path) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-serve-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SCO_SLACK__API_URL": fake_slack.api_url,
        "SCO_PROMETHEUS__URL": prometheus.url,
        "SCO_STATE__DIR": str(tmp_path / "state"),
        "SCO_AUDIT__DIR": str(tmp_path / "logs"),
    }


@pytest.fixture
def http_server(common_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    proc = start_serve("http", {**common_env, "SCO_HTTP__PORT": str(port), "SCO_HTTP__API_TOKEN": "t0ken"})
    url = f"http://{LOOPBACK}:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/healthz", timeout=1)
            break
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve --http did not start:\n{stop(proc)}")
            time.sleep(0.2)
    yield url
    stop(proc)


def test_serve_http_answers_slack_and_the_api_on_one_port(http_server: str, fake_slack: FakeSlackApi) -> None:
    body, headers = slash_command("what is the current CPU on web-1?")

    ack = requests.post(f"{http_server}/slack/events", data=body, headers=headers, timeout=10)
    query = requests.post(
        f"{http_server}/query", json={"question": "cpu on db-1"}, headers={"Authorization": "Bearer t0ken"}, timeout=10
    )
    health = requests.get(f"{http_server}/healthz", timeout=10)

    assert ack.status_code == 200
    assert fake_slack.wait_for("chat.update")[0].body["text"].startswith("web-1 CPU: ")
    assert query.json()["answer"].startswith("db-1 CPU: ")
    assert health.json() == {"status": "ok", "checks": {"redis": "not configured", "prometheus": "ok"}}


def test_serve_socket_connects_with_the_app_token_and_answers(
    common_env: dict[str, str], fake_slack: FakeSlackApi
) -> None:
    socket_server = FakeSocketMode().start()
    fake_slack.socket_mode_url = socket_server.url
    proc = start_serve("socket", {**common_env, "SLACK_APP_TOKEN": "xapp-serve-test"})
    try:
        socket_server.wait_connected(timeout=30)
        payload = {
            "team_id": "T000",
            "api_app_id": "A000",
            "type": "event_callback",
            "event_id": "Ev_SERVE_SOCKET",
            "event": {
                "type": "app_mention",
                "user": "U_ONCALL",
                "text": "<@U_BOT> memory on web-3",
                "ts": "1700000900.000100",
                "channel": "C_OPS",
            },
            "authorizations": [{"team_id": "T000", "user_id": "U_BOT", "is_bot": True}],
        }

        envelope_id = socket_server.push("events_api", payload)

        assert socket_server.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}
        assert fake_slack.wait_for("chat.update")[0].body["text"].startswith("web-3 memory used: ")
        opened = fake_slack.received("apps.connections.open")
        assert opened[0].headers["Authorization"] == "Bearer xapp-serve-test"
    finally:
        stop(proc)
        fake_slack.socket_mode_url = None
        socket_server.stop()


def test_serve_socket_without_an_app_token_says_what_is_missing(common_env: dict[str, str]) -> None:
    proc = start_serve("socket", common_env)

    out, _ = proc.communicate(timeout=30)

    assert proc.returncode != 0
    assert "SLACK_APP_TOKEN is not set" in out.decode()
    assert "Traceback" not in out.decode()


def test_serve_with_a_refused_token_says_so(common_env: dict[str, str], fake_slack: FakeSlackApi) -> None:
    fake_slack.responses["auth.test"] = {"ok": False, "error": "invalid_auth"}

    proc = start_serve("http", {**common_env, "SCO_HTTP__PORT": str(free_port())})
    out, _ = proc.communicate(timeout=30)

    assert proc.returncode == 2
    assert "configuration error: Slack refused SLACK_BOT_TOKEN" in out.decode()
    assert "Traceback" not in out.decode()


def test_serve_with_slack_unreachable_says_so(common_env: dict[str, str]) -> None:
    unreachable = f"http://{LOOPBACK}:{free_port()}/api/"

    proc = start_serve("http", {**common_env, "SCO_SLACK__API_URL": unreachable, "SCO_HTTP__PORT": str(free_port())})
    out, _ = proc.communicate(timeout=60)

    assert proc.returncode == 3
    assert f"error: the Slack Web API at {unreachable} is unreachable" in out.decode()
    assert "Traceback" not in out.decode()
