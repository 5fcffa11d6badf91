"""Socket Mode: the real SocketModeHandler connects to a local WebSocket server, acks envelopes, answers."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.config.settings import PrometheusSettings, Settings, SlackSettings
from bot.slack.app import build_app
from bot.wiring import build_services
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.socket_mode import FakeSocketMode
from tests.servers import ServerProcess


@pytest.fixture
def socket_server(fake_slack: FakeSlackApi) -> Iterator[FakeSocketMode]:
    server = FakeSocketMode().start()
    fake_slack.socket_mode_url = server.url
    yield server
    fake_slack.socket_mode_url = None
    server.stop()


@pytest.fixture
def connected(fake_slack: FakeSlackApi, socket_server: FakeSocketMode, prometheus: ServerProcess) -> Iterator[None]:
    settings = Settings(
        prometheus=PrometheusSettings(url=prometheus.url),
        slack=SlackSettings(
            api_url=fake_slack.api_url,
            bot_token=SecretStr("xoxb-test-token"),
            app_token=SecretStr("xapp-test-token"),
            signing_secret=SecretStr("unused-in-socket-mode"),
        ),
    )
    app = build_app(settings, build_services(settings))
    handler = SocketModeHandler(app, "xapp-test-token", web_client=app.client)
    handler.connect()  # type: ignore[no-untyped-call]
    socket_server.wait_connected()
    yield
    handler.close()  # type: ignore[no-untyped-call]


@pytest.mark.usefixtures("connected")
def test_connection_is_opened_with_the_app_token(fake_slack: FakeSlackApi) -> None:
    opened = fake_slack.received("apps.connections.open")

    assert [c.headers["Authorization"] for c in opened] == ["Bearer xapp-test-token"]


@pytest.mark.usefixtures("connected")
def test_event_envelope_is_acked_and_the_mention_answered(
    fake_slack: FakeSlackApi, socket_server: FakeSocketMode
) -> None:
    event = {
        "type": "app_mention",
        "user": "U_ONCALL",
        "text": "<@U_BOT> what is the CPU on web-2?",
        "ts": "1700000600.000700",
        "channel": "C_OPS",
    }
    payload = {
        "team_id": "T000",
        "api_app_id": "A000",
        "type": "event_callback",
        "event_id": "Ev_SOCKET",
        "event_time": 1700000600,
        "event": event,
        "authorizations": [{"team_id": "T000", "user_id": "U_BOT", "is_bot": True}],
    }

    envelope_id = socket_server.push("events_api", payload)

    assert socket_server.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}
    assert fake_slack.wait_for("chat.postMessage")[0].body["thread_ts"] == "1700000600.000700"
    assert fake_slack.wait_for("chat.update")[0].body["text"].startswith("web-2 CPU: ")


@pytest.mark.usefixtures("connected")
def test_slash_command_envelope_ack_carries_the_help(socket_server: FakeSocketMode) -> None:
    payload = dict(
        urllib.parse.parse_qsl(
            "command=%2Fops&text=help&user_id=U_ONCALL&channel_id=C_OPS&team_id=T000&api_app_id=A000&trigger_id=1.2"
        )
    )

    envelope_id = socket_server.push("slash_commands", payload)

    ack = socket_server.wait_for_ack(envelope_id)
    assert ack["envelope_id"] == envelope_id
    assert "/ops status [host]" in ack["payload"]["text"]
