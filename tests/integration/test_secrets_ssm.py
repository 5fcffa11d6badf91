"""Secrets from SSM Parameter Store on moto (server mode): GetParametersByPath, SecureString, decrypted."""

from __future__ import annotations

from typing import Literal

import boto3
import pytest

from bot.commands.config import load_settings
from domain.errors import ConfigError
from tests.servers import LOOPBACK, free_port

PATH = "/smartcloudops/test/"


def put(endpoint: str, name: str, value: str, kind: Literal["SecureString", "String"] = "SecureString") -> None:
    ssm = boto3.client("ssm", endpoint_url=endpoint, region_name="us-east-1")
    ssm.put_parameter(Name=f"{PATH}{name}", Value=value, Type=kind, Overwrite=True)


@pytest.fixture
def ssm_env(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SCO_SECRETS__SSM_PATH", PATH)
    monkeypatch.setenv("SCO_AWS__ENDPOINT_URL", aws_env)
    return aws_env


def test_start_up_reads_the_four_secrets_decrypted(ssm_env: str) -> None:
    put(ssm_env, "slack_bot_token", "xoxb-ssm-bot")
    put(ssm_env, "slack_app_token", "xapp-ssm-app")
    put(ssm_env, "slack_signing_secret", "ssm-signing")
    put(ssm_env, "llm_api_key", "sk-ssm-llm")
    put(ssm_env, "grafana_admin_password", "not-for-the-bot")

    settings = load_settings()

    assert settings.slack.bot_token is not None
    assert settings.slack.app_token is not None
    assert settings.slack.signing_secret is not None
    assert settings.llm.api_key is not None
    assert ("xoxb-ssm-bot", "xapp-ssm-app", "ssm-signing", "sk-ssm-llm") == (
        settings.slack.bot_token.get_secret_value(),
        settings.slack.app_token.get_secret_value(),
        settings.slack.signing_secret.get_secret_value(),
        settings.llm.api_key.get_secret_value(),
    )


def test_the_environment_wins_over_ssm(ssm_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    put(ssm_env, "slack_bot_token", "xoxb-ssm-bot")
    put(ssm_env, "slack_signing_secret", "ssm-signing")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-env-bot")

    settings = load_settings()

    assert settings.slack.bot_token is not None
    assert settings.slack.signing_secret is not None
    assert "xoxb-env-bot" == settings.slack.bot_token.get_secret_value()
    assert "ssm-signing" == settings.slack.signing_secret.get_secret_value()


def test_every_page_is_read(ssm_env: str) -> None:
    """GetParametersByPath returns at most 10 per page; the secrets may be on a later one."""
    for n in range(25):
        put(ssm_env, f"aaa_other_{n:02d}", "x")
    put(ssm_env, "slack_signing_secret", "ssm-signing")

    settings = load_settings()

    assert settings.slack.signing_secret is not None
    assert "ssm-signing" == settings.slack.signing_secret.get_secret_value()


def test_a_plain_string_parameter_is_refused(ssm_env: str) -> None:
    put(ssm_env, "slack_bot_token", "xoxb-ssm-bot", kind="String")

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert f"SSM parameter {PATH}slack_bot_token is a String; store secrets as SecureString" == str(caught.value)


def test_the_terraform_placeholder_is_refused(ssm_env: str) -> None:
    put(ssm_env, "llm_api_key", "placeholder-set-out-of-band")

    with pytest.raises(ConfigError, match="still holds Terraform's placeholder"):
        load_settings()


def test_an_empty_path_is_a_clear_error(ssm_env: str) -> None:
    with pytest.raises(ConfigError, match=f"no secrets under SSM path {PATH}"):
        load_settings()


def test_an_unreachable_endpoint_is_a_configuration_error(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCO_SECRETS__SSM_PATH", PATH)
    monkeypatch.setenv("SCO_AWS__ENDPOINT_URL", f"http://{LOOPBACK}:{free_port()}")

    with pytest.raises(ConfigError, match=f"cannot read SSM parameters under {PATH}: Could not connect"):
        load_settings()
