"""Without AWS (or any optional integration) a question is still answered, saying what cannot run and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main


@pytest.fixture(autouse=True)
def _bare_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SCO_AWS__ENABLED", "SCO_AWS__ENDPOINT_URL", "SCO_PROMETHEUS__URL", "SCO_LLM__BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SCO_STATE__DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SCO_AUDIT__DIR", str(tmp_path / "audit"))
    monkeypatch.chdir(tmp_path)


def test_a_remediation_question_without_aws_explains_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", "--json", "scale web-asg to 3"])

    body = json.loads(capsys.readouterr().out)
    assert 0 == code
    assert body["answer"].startswith("I can't request that: remediation is not configured here")
    assert "SCO_AWS__ENABLED" in body["answer"]
    assert [("request_remediation", "error")] == [(c["name"], c["status"]) for c in body["tool_calls"]]


def test_pending_approvals_are_listable_without_aws(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", "what is waiting for approval?"])

    assert (0, "Nothing is waiting for approval.\n") == (code, capsys.readouterr().out)
