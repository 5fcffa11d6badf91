"""A misspelt action name or a former setting name: what start-up makes of it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.cli.commands.config import load_settings
from bot.cli.main import main
from domain.errors import ConfigError
from remediation.actions import ActionName


def refusal(monkeypatch: pytest.MonkeyPatch, variable: str, value: object) -> str:
    monkeypatch.setenv(variable, json.dumps(value))
    with pytest.raises(ConfigError) as caught:
        load_settings()
    return str(caught.value)


def test_a_misspelt_quorum_key_names_the_setting_and_the_action(monkeypatch: pytest.MonkeyPatch) -> None:
    message = refusal(monkeypatch, "SCO_REMEDIATION__QUORUM", {"scale_up": 2, "scale_tp": 3})

    assert message.startswith("SCO_REMEDIATION__QUORUM: ")
    assert "unknown action scale_tp; use restart_service, scale_up, scale_to" in message


def test_a_misspelt_approvers_key_names_the_setting_and_the_action(monkeypatch: pytest.MonkeyPatch) -> None:
    message = refusal(monkeypatch, "SCO_REMEDIATION__APPROVERS", {"restart": ["U0LEAD"], "*": ["U0SRE"]})

    assert message.startswith("SCO_REMEDIATION__APPROVERS: ")
    assert "unknown action restart; use *, restart_service, scale_up, scale_to" in message


def test_only_low_risk_actions_can_be_automatic(monkeypatch: pytest.MonkeyPatch) -> None:
    message = refusal(monkeypatch, "SCO_AUTO_REMEDIATION__LOW_RISK_ACTIONS", ["scale_up", "scale_to"])

    assert message.startswith("SCO_AUTO_REMEDIATION__LOW_RISK_ACTIONS: ")
    assert "not automatic: scale_to; use restart_service, scale_up" in message


@pytest.mark.usefixtures("logging_restored")
def test_the_cli_reports_a_misspelt_key_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCO_REMEDIATION__QUORUM", json.dumps({"scale_tp": 2}))

    code = main(["ask", "cpu on web-1?"])

    err = capsys.readouterr().err
    assert 2 == code
    assert [err.strip()] == err.strip().splitlines()
    assert err.startswith("configuration error: SCO_REMEDIATION__QUORUM: ")


def test_action_keys_are_action_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCO_REMEDIATION__QUORUM", json.dumps({"scale_to": 3}))
    monkeypatch.setenv("SCO_REMEDIATION__APPROVERS", json.dumps({"scale_up": ["U0LEAD"], "*": ["S0SRE"]}))
    monkeypatch.setenv("SCO_AUTO_REMEDIATION__LOW_RISK_ACTIONS", json.dumps(["restart_service"]))

    settings = load_settings()

    assert {ActionName.SCALE_TO: 3} == settings.remediation.quorum
    assert [ActionName.SCALE_UP, "*"] == list(settings.remediation.approvers)
    assert ActionName.SCALE_UP is next(iter(settings.remediation.approvers))
    assert [ActionName.RESTART_SERVICE] == settings.auto_remediation.low_risk_actions


@pytest.mark.parametrize(
    ("value", "ids"),
    [({"*": "U0LEAD"}, ["U0LEAD"]), ({"*": "U0LEAD, S0SRE"}, ["U0LEAD", "S0SRE"]), ({"*": ["U0LEAD"]}, ["U0LEAD"])],
)
def test_approvers_may_be_written_as_one_string_of_ids(
    monkeypatch: pytest.MonkeyPatch, value: dict[str, object], ids: list[str]
) -> None:
    monkeypatch.setenv("SCO_REMEDIATION__APPROVERS", json.dumps(value))

    assert {"*": ids} == load_settings().remediation.approvers


def test_approver_ids_in_a_string_are_checked_like_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    message = refusal(monkeypatch, "SCO_REMEDIATION__APPROVERS", {"*": "U0LEAD, bob"})

    assert message.startswith("SCO_REMEDIATION__APPROVERS: ")
    assert "bob not Slack user" in message


def test_former_names_of_merged_settings_are_still_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCO_SCHEDULER__DETECTION_SECONDS", "5")
    monkeypatch.setenv("SCO_SCHEDULER__DIGEST_SCHEDULE", "0 8 * * *")

    settings = load_settings()

    assert (5, "0 8 * * *") == (settings.detection.interval_seconds, settings.slack.digest_schedule)


def test_the_current_name_wins_over_the_former_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCO_SCHEDULER__DETECTION_SECONDS", "5")
    monkeypatch.setenv("SCO_DETECTION__INTERVAL_SECONDS", "30")

    assert timedelta(seconds=30) == timedelta(seconds=load_settings().detection.interval_seconds)


def test_a_bad_value_under_a_former_name_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCO_SCHEDULER__DIGEST_SCHEDULE", "9am")

    with pytest.raises(ConfigError, match="crontab"):
        load_settings()
