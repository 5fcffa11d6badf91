"""Clicks are scoped to the bot's workspace and app: others never reach a listener, and the clicker is told."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from bot.slack import messages
from bot.slack.middleware import scope_to_workspace
from tests.unit.bot.slack.fakes import FakeSlackClient


class RecordingWebClient(WebClient):
    """A WebClient whose ephemeral posts are recorded, never sent."""

    def __init__(self) -> None:
        super().__init__(token="xoxb-test")
        self.fake = FakeSlackClient()

    def chat_postEphemeral(self, **kwargs: Any) -> Any:  # type: ignore[override]  # noqa: N802 - the WebClient's name
        return self.fake.chat_postEphemeral(**kwargs)


def click(team: str, app: str = "A000") -> dict[str, Any]:
    return {
        "type": "block_actions",
        "api_app_id": app,
        "team": {"id": team},
        "user": {"id": "U_X", "team_id": team},
        "channel": {"id": "C_OPS"},
        "actions": [{"action_id": "approval_approve", "value": "r1"}],
    }


def run(body: dict[str, Any], *, app_id: str | None = None) -> tuple[bool, BoltResponse | None, RecordingWebClient]:
    client = RecordingWebClient()
    context: dict[str, Any] = {
        "authorize_result": AuthorizeResult(enterprise_id=None, team_id="T000", bot_user_id="U_BOT"),
        "client": client,
    }
    passed = []
    resp = scope_to_workspace(app_id=app_id)(body, context, lambda: passed.append(True))
    return bool(passed), resp, client


def test_a_click_from_the_bots_workspace_goes_on() -> None:
    passed, resp, client = run(click("T000"), app_id="A000")

    assert passed
    assert resp is None
    assert [] == client.fake.calls


@pytest.mark.parametrize(("body", "who"), [(click("T_OTHER"), "T_OTHER"), (click("T000", app="A_EVIL"), "T000")])
def test_a_click_from_another_workspace_or_app_is_refused_and_the_clicker_told(body: dict[str, Any], who: str) -> None:
    passed, resp, client = run(body, app_id="A000")

    assert not passed
    assert resp is not None
    assert 200 == resp.status
    [note] = client.fake.received("chat.postEphemeral")
    assert ("C_OPS", "U_X", messages.foreign_click(who)) == (note["channel"], note["user"], note["text"])


def test_without_an_app_id_only_the_workspace_is_checked() -> None:
    passed, _resp, _client = run(click("T000", app="A_ANY"))

    assert passed


def test_events_are_not_clicks() -> None:
    passed, _resp, _client = run({"type": "event_callback", "team_id": "T_OTHER"})

    assert passed
