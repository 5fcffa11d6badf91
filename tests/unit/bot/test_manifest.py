"""slack/manifest.json asks for exactly the scopes the code uses, and wires the surfaces the app listens on."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.slack.ops_command import OpsKind

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = json.loads((ROOT / "slack" / "manifest.json").read_text())

#: Web API methods the bot may call, with the bot scope each needs.
METHOD_SCOPES = {
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "chat_postEphemeral": "chat:write",
    "files_upload_v2": "files:write",
    "usergroups_users_list": "usergroups:read",
    "conversations_replies": "channels:history",
}
#: Scopes that come from what the app subscribes to rather than from Web API calls.
SUBSCRIPTION_SCOPES = {"commands", "app_mentions:read", "im:history", "channels:history", "groups:history"}


def called_methods() -> set[str]:
    pattern = re.compile(r"\.((?:chat|files|usergroups|users|conversations|reactions|pins)_[A-Za-z0-9_]+)\(")
    return {m for path in (ROOT / "bot").rglob("*.py") for m in pattern.findall(path.read_text())}


def test_every_called_method_has_a_known_scope() -> None:
    assert called_methods() <= set(METHOD_SCOPES)


def test_scopes_are_exactly_what_the_code_uses() -> None:
    used = {METHOD_SCOPES[m] for m in called_methods()} | SUBSCRIPTION_SCOPES

    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(used)


def test_surfaces_point_at_the_events_endpoint() -> None:
    settings = MANIFEST["settings"]

    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == ["/ops"]
    assert sorted(settings["event_subscriptions"]["bot_events"]) == [
        "app_mention",
        "message.channels",
        "message.groups",
        "message.im",
    ]
    assert settings["interactivity"]["is_enabled"] is True
    urls = {
        MANIFEST["features"]["slash_commands"][0]["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert len(urls) == 1
    assert urls.pop().endswith("/slack/events")


def test_the_usage_hint_lists_every_ops_verb() -> None:
    hint = MANIFEST["features"]["slash_commands"][0]["usage_hint"]
    verbs = {kind.value for kind in OpsKind} - {"empty", "ask"}

    assert verbs <= {part.split()[0] for part in hint.split(" | ")}
