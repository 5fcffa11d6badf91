"""Build correctly signed Slack HTTP requests, as Slack sends them."""

from __future__ import annotations

import itertools
import json
import time
import urllib.parse
from typing import Any

from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
_TRIGGERS = itertools.count(1)


def signed_headers(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack adds to a request with ``body``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def slash_command(
    text: str,
    *,
    user: str = "U_ONCALL",
    channel: str = "C_OPS",
    response_url: str = "https://hooks.slack.invalid/commands/1",
) -> tuple[str, dict[str, str]]:
    """Body and headers of a ``/ops`` slash command."""
    body = urllib.parse.urlencode(
        {
            "token": "legacy",
            "team_id": "T000",
            "team_domain": "example",
            "channel_id": channel,
            "channel_name": "ops",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/ops",
            "text": text,
            "api_app_id": "A000",
            "response_url": response_url,
            # Slack gives every invocation its own trigger id, so two alike commands differ.
            "trigger_id": f"{next(_TRIGGERS)}.2.3",
        }
    )
    return body, {**signed_headers(body), "Content-Type": "application/x-www-form-urlencoded"}


def block_action(
    action_id: str,
    value: str,
    *,
    user: str,
    channel: str = "C_OPS",
    message_ts: str = "1.000001",
    response_url: str = "https://hooks.slack.invalid/actions/1",
    team: str = "T000",
    app: str = "A000",
    message_blocks: list[dict[str, Any]] | None = None,
    thread_ts: str | None = None,
) -> tuple[str, dict[str, str]]:
    """Body and headers of a button click (block_actions payload).

    ``message_blocks``: the clicked message's; ``thread_ts``: the thread the clicked message is a reply in.
    """
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": team, "domain": "example"},
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "api_app_id": app,
        "token": "legacy",
        "trigger_id": "1.2.3",
        "channel": {"id": channel, "name": "ops"},
        "message": {"ts": message_ts, "type": "message", "text": "approval", "blocks": message_blocks or []},
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": f"approval:{value}",
                "value": value,
                "type": "button",
                "action_ts": str(time.time()),
            }
        ],
    }
    if thread_ts is not None:
        payload["message"]["thread_ts"] = payload["container"]["thread_ts"] = thread_ts
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    return body, {**signed_headers(body), "Content-Type": "application/x-www-form-urlencoded"}


def event_callback(
    event: dict[str, Any], *, event_id: str, retry_num: int | None = None, timestamp: int | None = None
) -> tuple[str, dict[str, str]]:
    """Body and headers of an Events API delivery (``retry_num`` adds Slack's retry headers)."""
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": "T000",
            "api_app_id": "A000",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": "T000", "user_id": "U_BOT", "is_bot": True}],
        }
    )
    headers = {**signed_headers(body, timestamp=timestamp), "Content-Type": "application/json"}
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return body, headers
