"""Rules files that used to crash or pass silently: deep nesting (RecursionError), empty files
("0 rule(s) OK"), unknown top-level keys, an empty export group and an empty SCO_REMEDIATION__RULES_FILE."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.prometheus.rule_export import alerting_rules
from bot.cli.main import main
from detectors.rules.file import load_rules_file, parse_rules_yaml
from domain.errors import ConfigError

GOOD = "rules:\n  - name: web-cpu\n    rule: cpu > 90% for 3m on web-*\n"
DEEP = "rules: " + "[" * 500 + "]" * 500


def test_a_deeply_nested_file_is_one_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(DEEP)

    with pytest.raises(ConfigError, match=rf"^rules file {path}: nested too deeply"):
        load_rules_file(path)


@pytest.mark.usefixtures("logging_restored")
@pytest.mark.parametrize("command", [["rules", "check"], ["ask", "cpu on web-1?"]])
def test_a_deeply_nested_rules_setting_is_one_line_for_every_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(DEEP)
    monkeypatch.setenv("SCO_REMEDIATION__RULES_FILE", str(path))

    code = main(command)

    out = capsys.readouterr()
    assert 2 == code
    assert [f"configuration error: rules file {path}: nested too deeply to be a rules file"] == out.err.splitlines()
    assert "Traceback" not in out.out + out.err


@pytest.mark.parametrize("body", ["", "# only a comment\n", "null\n", "rules: []\n"])
@pytest.mark.parametrize("action", ["check", "export"])
def test_a_file_without_rules_is_refused_by_check_and_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, body: str, action: str
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(body)

    code = main(["rules", action, str(path)])

    out = capsys.readouterr()
    assert 2 == code
    assert [
        f"configuration error: rules file {path}: holds no rules (it is empty or only comments, or 'rules:' is empty)"
    ] == (out.err.splitlines())
    assert "OK" not in out.out


def test_an_empty_file_still_parses_to_no_rules_for_serve() -> None:
    """``serve`` and ``ask`` run without rules when the file is empty: only the CLI check refuses it."""
    assert [] == parse_rules_yaml("# nothing yet\n")


def test_an_unknown_top_level_key_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"unknown top-level key\(s\) rule \(allowed: rules\)"):
        parse_rules_yaml(GOOD + "rule: cpu > 1% for 1m\n", source="rules file r.yaml")


@pytest.mark.parametrize("group", ["", "   ", "a\nb"])
def test_an_empty_or_multiline_export_group_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, group: str
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD)

    with pytest.raises(SystemExit) as exited:
        main(["rules", "export", str(path), "--group", group])

    out = capsys.readouterr()
    assert 2 == exited.value.code
    assert "argument --group: the rule group name must" in out.err
    assert "" == out.out


def test_the_export_refuses_a_nameless_group() -> None:
    with pytest.raises(ValueError, match="a rule group needs a name"):
        alerting_rules([], group=" ")


def test_an_empty_rules_file_setting_is_unset_not_the_current_directory(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCO_REMEDIATION__RULES_FILE", "")

    code = main(["rules", "check"])

    assert 2 == code
    assert ["configuration error: no rules file given: pass one, or set SCO_REMEDIATION__RULES_FILE"] == (
        capsys.readouterr().err.splitlines()
    )
