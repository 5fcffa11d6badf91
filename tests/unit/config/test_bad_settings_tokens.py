"""Tokens and secrets with a space or line break are refused at start-up (a newline in
``SLACK_BOT_TOKEN`` was ``ValueError: Invalid header value`` inside slack_sdk), without showing them."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.cli.commands.config import settings_from_environment
from bot.config.secrets import secrets_from_parameters
from domain.errors import ConfigError


@pytest.mark.parametrize(
    ("variable", "setting"),
    [
        ("SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"),
        ("SLACK_APP_TOKEN", "SLACK_APP_TOKEN"),
        ("SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET"),
        ("SCO_SLACK__BOT_TOKEN", "SCO_SLACK__BOT_TOKEN"),
        ("SCO_LLM__API_KEY", "SCO_LLM__API_KEY"),
        ("SCO_HTTP__API_TOKEN", "SCO_HTTP__API_TOKEN"),
    ],
)
@pytest.mark.parametrize("secret", ["xoxb-1\n2", "xoxb-1 2", "xoxb-1\t2", "xoxb-1\x7f2"])
def test_a_token_with_a_space_or_line_break_is_refused_unshown(
    monkeypatch: pytest.MonkeyPatch, variable: str, setting: str, secret: str
) -> None:
    monkeypatch.setenv(variable, secret)

    with pytest.raises(ConfigError, match=rf"^{setting}: .*line break") as caught:
        settings_from_environment()

    assert "xoxb-1" not in str(caught.value)


def test_good_tokens_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-123-456-abcDEF")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A0-123-abc")

    settings = settings_from_environment()

    assert settings.slack.bot_token is not None
    assert "xoxb-123-456-abcDEF" == settings.slack.bot_token.get_secret_value()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "SCO_HTTP__API_TOKEN: .*is empty; unset it"),
    ],
)
def test_an_empty_api_token_is_refused(monkeypatch: pytest.MonkeyPatch, value: str, message: str) -> None:
    monkeypatch.setenv("SCO_HTTP__API_TOKEN", value)

    with pytest.raises(ConfigError, match=message):
        settings_from_environment()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"": "abc"}', "needs a name"),
        ('{"ci": ""}', "the token named 'ci' is empty"),
        ('{"ci": "a\\nb"}', "line break"),
    ],
)
def test_named_api_tokens_need_a_name_and_a_token(monkeypatch: pytest.MonkeyPatch, value: str, message: str) -> None:
    monkeypatch.setenv("SCO_HTTP__API_TOKENS", value)

    with pytest.raises(ConfigError, match=rf"^SCO_HTTP__API_TOKENS.*{message}"):
        settings_from_environment()


def test_a_secret_from_ssm_with_a_line_break_inside_is_refused() -> None:
    class Parameter:
        name = "/sco/slack_bot_token"
        type = "SecureString"
        value = SecretStr("xoxb-1\n2")

    with pytest.raises(ConfigError, match=r"SSM parameter /sco/slack_bot_token .*line break") as caught:
        secrets_from_parameters("/sco/", [Parameter()])  # type: ignore[list-item]

    assert "xoxb-1" not in str(caught.value)
