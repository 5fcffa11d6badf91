"""Secrets from SSM Parameter Store on moto (server mode): GetParametersByPath, SecureString, decrypted,
read by ``load_settings`` and by ``smartcloudops serve`` as a process."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

import boto3
import pytest
import requests

from bot.cli.commands.config import load_settings
from domain.errors import ConfigError
from tests.fakes.slack_api import FakeSlackApi
from tests.integration.slack_requests import signed_headers, slash_command
from tests.integration.test_slack_serve import start_serve, stop
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


def serve_env(aws_env: str, fake_slack: FakeSlackApi, tmp_path: Path) -> dict[str, str]:
    """``serve`` configured as the Ansible role does it: no secret in the environment, only the SSM path."""
    return {
        "SCO_SECRETS__SSM_PATH": PATH,
        "SCO_AWS__ENDPOINT_URL": aws_env,
        "SCO_SLACK__API_URL": fake_slack.api_url,
        "SCO_HTTP__PORT": str(free_port()),
        "SCO_STATE__DIR": str(tmp_path / "state"),
        "SCO_AUDIT__DIR": str(tmp_path / "logs"),
    }


def test_serve_answers_slack_with_the_token_and_signing_secret_from_ssm(
    aws_env: str, fake_slack: FakeSlackApi, tmp_path: Path
) -> None:
    put(aws_env, "slack_bot_token", "xoxb-serve-from-ssm")
    put(aws_env, "slack_signing_secret", "signing-secret-from-ssm")
    env = serve_env(aws_env, fake_slack, tmp_path)
    proc = start_serve("http", env)
    url = f"http://{LOOPBACK}:{env['SCO_HTTP__PORT']}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"serve --http did not start:\n{stop(proc)}")
                time.sleep(0.2)
        body, headers = slash_command("help")
        forged = requests.post(f"{url}/slack/events", data=body, headers=headers, timeout=10)
        signed = {**headers, **signed_headers(body, secret="signing-secret-from-ssm")}
        genuine = requests.post(f"{url}/slack/events", data=body, headers=signed, timeout=10)
    finally:
        output = stop(proc)

    assert 401 == forged.status_code
    assert 200 == genuine.status_code
    assert {"Bearer xoxb-serve-from-ssm"} == {c.headers["Authorization"] for c in fake_slack.calls}
    assert "secrets_loaded" in output
    assert "xoxb-serve-from-ssm" not in output
    assert "signing-secret-from-ssm" not in output


def test_serve_refuses_to_start_on_a_placeholder_with_one_line(
    aws_env: str, fake_slack: FakeSlackApi, tmp_path: Path
) -> None:
    put(aws_env, "slack_bot_token", "placeholder-set-out-of-band")

    proc = start_serve("http", serve_env(aws_env, fake_slack, tmp_path))
    out, _ = proc.communicate(timeout=60)

    assert 2 == proc.returncode
    assert (
        f"configuration error: SSM parameter {PATH}slack_bot_token still holds Terraform's placeholder; "
        "set the real value\n"
    ) == out.decode()
