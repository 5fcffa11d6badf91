"""Secrets from SSM Parameter Store: which parameters are taken or refused, and who wins over the environment."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from pydantic import SecretStr, ValidationError
from structlog.testing import capture_logs

from adapters.aws.ssm_parameters import StoredParameter
from bot.cli.commands.config import load_settings
from bot.config.secrets import TERRAFORM_PLACEHOLDER, load_secrets, secrets_from_parameters
from bot.config.settings import LLMSettings, SecretsSettings, Settings, SlackSettings
from domain.errors import ConfigError

PATH = "/smartcloudops/prod/"
BOT_TOKEN = "xoxb-from-ssm-0000000000-abcdefghijkl"
SIGNING_SECRET = "ssm-signing-secret-1234567890abcdef"
LLM_KEY = "sk-from-ssm-abcdefghijklmnopqrstuvwxyz"


def secure(name: str, value: str, kind: str = "SecureString") -> StoredParameter:
    return StoredParameter(name=f"{PATH}{name}", type=kind, value=SecretStr(value))


class StaticParameters:
    """A ParameterSource holding fixed parameters; records the paths it was asked for."""

    def __init__(self, parameters: Sequence[StoredParameter]) -> None:
        self.parameters = list(parameters)
        self.paths: list[str] = []

    def read_path(self, path: str) -> Sequence[StoredParameter]:
        self.paths.append(path)
        return self.parameters


def with_path(**sections: object) -> Settings:
    return Settings(secrets=SecretsSettings(ssm_path=PATH), **sections)  # type: ignore[arg-type]


def test_secrets_fill_the_slack_and_llm_settings() -> None:
    source = StaticParameters(
        [
            secure("slack_bot_token", BOT_TOKEN),
            secure("slack_signing_secret", SIGNING_SECRET),
            secure("llm_api_key", LLM_KEY),
        ]
    )

    settings = load_secrets(with_path(), source)

    assert [PATH] == source.paths
    assert settings.slack.bot_token is not None
    assert BOT_TOKEN == settings.slack.bot_token.get_secret_value()
    assert settings.slack.signing_secret is not None
    assert SIGNING_SECRET == settings.slack.signing_secret.get_secret_value()
    assert settings.llm.api_key is not None
    assert LLM_KEY == settings.llm.api_key.get_secret_value()
    assert settings.slack.app_token is None


def test_the_environment_wins_and_the_shadowed_parameter_is_named_in_the_log() -> None:
    source = StaticParameters([secure("slack_bot_token", BOT_TOKEN), secure("llm_api_key", LLM_KEY)])
    settings = with_path(slack=SlackSettings(bot_token=SecretStr("xoxb-from-env")))

    with capture_logs() as logs:
        loaded = load_secrets(settings, source)

    assert loaded.slack.bot_token is not None
    assert "xoxb-from-env" == loaded.slack.bot_token.get_secret_value()
    assert loaded.llm.api_key is not None
    assert LLM_KEY == loaded.llm.api_key.get_secret_value()
    assert [
        {"event": "secret_env_overrides_ssm", "parameter": "slack_bot_token", "log_level": "warning"},
        {"event": "secrets_loaded", "source": "ssm", "parameters": ["llm_api_key"], "log_level": "info"},
    ] == logs


def test_settings_read_from_the_environment_are_left_unchanged() -> None:
    settings = with_path(llm=LLMSettings(model="m"))

    load_secrets(settings, StaticParameters([secure("llm_api_key", LLM_KEY)]))

    assert settings.llm.api_key is None


def test_values_stay_secret_in_reprs_and_logs() -> None:
    source = StaticParameters([secure("slack_bot_token", BOT_TOKEN), secure("llm_api_key", LLM_KEY)])

    with capture_logs() as logs:
        settings = load_secrets(with_path(), source)

    shown = repr(settings) + str(settings) + settings.model_dump_json() + repr(logs)
    assert BOT_TOKEN not in shown
    assert LLM_KEY not in shown
    assert "**********" in shown


def test_without_a_path_nothing_is_read() -> None:
    source = StaticParameters([secure("slack_bot_token", BOT_TOKEN)])
    settings = Settings()

    assert settings is load_secrets(settings, source)
    assert [] == source.paths


def test_other_parameters_under_the_path_are_not_taken() -> None:
    found = secrets_from_parameters(
        PATH,
        [
            secure("grafana_admin_password", "grafana-pass"),
            secure("alertmanager_slack_webhook_url", "https://hooks.slack.com/x"),
            secure("llm_api_key", LLM_KEY),
        ],
    )

    assert ["llm_api_key"] == list(found)


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        (
            secure("slack_bot_token", BOT_TOKEN, kind="String"),
            f"SSM parameter {PATH}slack_bot_token is a String; store secrets as SecureString",
        ),
        (secure("slack_bot_token", "  "), f"SSM parameter {PATH}slack_bot_token is empty"),
        (
            secure("slack_signing_secret", TERRAFORM_PLACEHOLDER),
            f"SSM parameter {PATH}slack_signing_secret still holds Terraform's placeholder; set the real value",
        ),
        (
            secure("grafana_admin_password", "x"),
            f"no secrets under SSM path {PATH} (expected some of slack_bot_token, slack_app_token, "
            "slack_signing_secret, llm_api_key)",
        ),
    ],
)
def test_unusable_parameters_stop_start_up_with_one_line(parameter: StoredParameter, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        secrets_from_parameters(PATH, [parameter])

    assert message == str(caught.value)
    assert BOT_TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("/smartcloudops/prod", "/smartcloudops/prod/"), ("/a/b/", "/a/b/"), ("", None), (None, None)],
)
def test_the_path_gets_a_trailing_slash(given: str | None, expected: str | None) -> None:
    assert expected == SecretsSettings(ssm_path=given).ssm_path


@pytest.mark.parametrize("path", ["smartcloudops/prod", "/", "/a//b", "/a b/", "/a/$(id)/"])
def test_bad_paths_are_refused(path: str) -> None:
    with pytest.raises(ValidationError, match="must be an SSM path"):
        SecretsSettings(ssm_path=path)


def test_an_empty_path_in_the_environment_means_no_ssm(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Ansible role writes ``SCO_SECRETS__SSM_PATH=`` when no path is configured."""
    monkeypatch.setenv("SCO_SECRETS__SSM_PATH", "")

    assert load_settings().secrets.ssm_path is None


def test_a_bad_path_in_the_environment_is_one_configuration_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCO_SECRETS__SSM_PATH", "prod")

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert str(caught.value).startswith("SCO_SECRETS__SSM_PATH: Value error, must be an SSM path")
