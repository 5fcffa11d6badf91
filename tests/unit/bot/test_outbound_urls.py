"""SSRF: the bot only calls URLs an operator configured, each checked at start-up; text from users never becomes one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.commands.config import load_settings
from domain.errors import ConfigError
from tests.unit.agent.fleet import make_world


@pytest.mark.parametrize(
    "variable",
    [
        "SCO_PROMETHEUS__URL",
        "SCO_LLM__BASE_URL",
        "SCO_SLACK__API_URL",
        "SCO_AWS__ENDPOINT_URL",
        "SCO_SLACK__GRAFANA_URL",
    ],
)
@pytest.mark.parametrize("value", ["file:///etc/passwd", "gopher://127.0.0.1:6379/_FLUSHALL", "169.254.169.254/latest"])
def test_configured_urls_must_be_http_or_https(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert str(caught.value).startswith(f"{variable}: ")


def test_the_redis_url_must_be_a_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCO_REDIS__URL", "http://169.254.169.254/latest/meta-data/")

    with pytest.raises(ConfigError, match="SCO_REDIS__URL: Value error, must start with redis://"):
        load_settings()


@pytest.mark.parametrize(
    "question",
    [
        "what is the cpu on http://169.254.169.254/latest/meta-data/iam/",
        "show logs from https://evil.example/x?since=10m",
        "status of 127.0.0.1:6379",
    ],
)
def test_urls_in_questions_only_become_validated_tool_arguments(tmp_path: Path, question: str) -> None:
    """Tools take host names, metrics and windows, never a URL; a URL in a question is at most an unknown host."""
    world = make_world(tmp_path)

    answer = world.services.runner.answer(question)

    for call in answer.tool_calls:
        assert all(re.fullmatch(r"[\w.:\- ]*", str(v)) for v in call.args.values()), call
        assert call.name != "request_remediation"
