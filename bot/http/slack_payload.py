"""Checking the shape of a signed Slack request body before Bolt reads it. Pure.

Bolt and the listeners index into the body (``payload["user"]["id"]``, ``actions[0]``); a body of
the wrong shape is refused here, with a reason, so it gets a 400 and never reaches them.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from bot.http.json_depth import MAX_JSON_DEPTH, json_depth_within
from domain.errors import InputError

#: Fields of an interactive payload or event envelope that are objects when present.
_OBJECT_FIELDS = ("user", "team", "channel", "container", "message", "view", "event", "enterprise", "authorizations")


class MalformedSlackRequest(InputError):
    """A signed request whose body is not a Slack request of a shape the bot reads."""


def load_json_object(text: str, *, what: str) -> dict[str, Any]:
    """``text`` parsed as a JSON object of bounded depth.

    Raises:
        MalformedSlackRequest: not JSON, too deep, or not an object.
    """
    if not json_depth_within(text):
        raise MalformedSlackRequest(f"{what} nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise MalformedSlackRequest(f"{what} is not JSON") from exc
    if not isinstance(value, dict):
        raise MalformedSlackRequest(f"{what} is not a JSON object")
    return value


def _check_object(body: dict[str, Any]) -> None:
    for name in _OBJECT_FIELDS:
        if name in body and name != "authorizations" and not isinstance(body[name], dict):
            raise MalformedSlackRequest(f"{name!r} is not an object")
    if "authorizations" in body and not (
        isinstance(body["authorizations"], list) and all(isinstance(a, dict) for a in body["authorizations"])
    ):
        raise MalformedSlackRequest("'authorizations' is not a list of objects")
    if "type" in body and not isinstance(body["type"], str):
        raise MalformedSlackRequest("'type' is not a string")
    if body.get("type") == "block_actions":
        actions = body.get("actions")
        if not (isinstance(actions, list) and actions and all(isinstance(a, dict) for a in actions)):
            raise MalformedSlackRequest("'actions' is not a non-empty list of objects")
        if not all(isinstance(a.get("action_id"), str) for a in actions):
            raise MalformedSlackRequest("an action has no 'action_id'")
        if not isinstance(body.get("user"), dict):
            raise MalformedSlackRequest("'user' is missing")
    event = body.get("event")
    if isinstance(event, dict):
        for name in ("type", "user", "channel", "text", "ts", "thread_ts", "channel_type", "subtype", "bot_id"):
            if name in event and event[name] is not None and not isinstance(event[name], str):
                raise MalformedSlackRequest(f"'event.{name}' is not a string")


def check_slack_body(body: str, content_type: str) -> bool:
    """Refuse a Slack request body Bolt or the listeners could not read.

    Args:
        body: the request body, decoded as UTF-8.
        content_type: its ``Content-Type`` header.

    Returns:
        True for a slash command, False for an interactive payload or an event.

    Raises:
        MalformedSlackRequest: naming what is wrong.
    """
    if content_type.split(";")[0].strip().lower() == "application/json":
        _check_object(load_json_object(body, what="the body"))
        return False
    try:
        form = urllib.parse.parse_qs(body, keep_blank_values=True, strict_parsing=bool(body), max_num_fields=1000)
    except ValueError as exc:
        raise MalformedSlackRequest("the body is not a form") from exc
    if any(len(values) != 1 for values in form.values()):
        raise MalformedSlackRequest("a form field is repeated")
    if "payload" in form:
        _check_object(load_json_object(form["payload"][0], what="'payload'"))
        return False
    if "command" not in form and "ssl_check" not in form:
        raise MalformedSlackRequest("the form is neither a command nor an interactive payload")
    return "command" in form
