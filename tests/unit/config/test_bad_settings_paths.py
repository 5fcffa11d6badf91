"""Path settings: blank, overlong or control-character paths, and a directory where a file belongs,
are one configuration line (they were an OSError traceback in every command, a directory named
``'   '``, or an IsADirectoryError in ``serve``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.commands.config import settings_from_environment
from domain.errors import ConfigError

DIRECTORIES = ["SCO_STATE__DIR", "SCO_AUDIT__DIR"]


@pytest.mark.parametrize("variable", DIRECTORIES)
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("x" * 5000, "is longer than 4096 bytes"),
        ("state/" + "x" * 300, "has a name longer than 255 bytes"),
        ("   ", "only blank characters"),
        ("\t\n", "only blank characters"),
        ("", "is empty"),
        ("logs\nmore", "contains a control character"),
    ],
)
def test_a_directory_that_cannot_be_one_is_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, reason: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError, match=reason) as caught:
        settings_from_environment()

    message = str(caught.value)
    assert message.startswith(f"{variable}: ")
    assert "\n" not in message
    assert len(message) < 300


def test_an_overlong_state_directory_no_longer_breaks_every_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.main import main

    monkeypatch.setenv("SCO_STATE__DIR", "x" * 5000)

    code = main(["ask", "hi"])

    err = capsys.readouterr().err
    assert 2 == code
    assert 1 == len(err.splitlines())
    assert err.startswith("configuration error: SCO_STATE__DIR: ")


@pytest.mark.parametrize(
    "variable", ["SCO_DETECTION__SPOOL_PATH", "SCO_DETECTION__MODEL_PATH", "SCO_DETECTION__SNAPSHOT_PATH"]
)
def test_a_directory_where_a_file_belongs_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str
) -> None:
    monkeypatch.setenv(variable, str(tmp_path))

    with pytest.raises(ConfigError, match=rf"^{variable}: .*is a directory; give the path of a file"):
        settings_from_environment()


@pytest.mark.parametrize("variable", ["SCO_DETECTION__MODEL_PATH", "SCO_DETECTION__SNAPSHOT_PATH"])
def test_an_empty_file_setting_is_refused_not_taken_as_the_current_directory(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "")

    with pytest.raises(ConfigError, match=rf"^{variable}: .*is empty"):
        settings_from_environment()


@pytest.mark.parametrize("variable", ["SCO_REMEDIATION__RULES_FILE", "SCO_DETECTION__SPOOL_PATH"])
def test_an_empty_optional_file_is_unset(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, "")

    settings = settings_from_environment()

    section, name = variable.removeprefix("SCO_").lower().split("__")
    assert getattr(getattr(settings, section), name) is None


def test_a_blank_rules_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCO_REMEDIATION__RULES_FILE", "   ")

    with pytest.raises(ConfigError, match=r"^SCO_REMEDIATION__RULES_FILE: .*only blank characters"):
        settings_from_environment()


def test_good_paths_are_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SCO_AUDIT__DIR", str(tmp_path / "audit"))
    monkeypatch.setenv("SCO_DETECTION__SPOOL_PATH", str(tmp_path / "spool.jsonl"))
    monkeypatch.setenv("SCO_REMEDIATION__RULES_FILE", str(tmp_path / "rules.yaml"))

    settings = settings_from_environment()

    assert tmp_path / "audit" == settings.audit.dir
    assert tmp_path / "spool.jsonl" == settings.detection.spool_path
    assert tmp_path / "rules.yaml" == settings.remediation.rules_file
