"""Error lines stay one bounded line: values with line breaks are escaped, long values are cut."""

from __future__ import annotations

import pytest

from bot.cli.main import MAX_ERROR_LINE, main, one_line
from bot.config.setting_types import quoted
from domain.errors import ConfigError, InputError


def test_a_line_break_in_a_message_is_escaped() -> None:
    assert "crontab '\\t\\n' is wrong" == one_line("crontab '\t\n' is wrong")


def test_a_huge_message_is_cut_in_its_middle_keeping_both_ends() -> None:
    line = one_line("bad cell " + "x" * 50_000_000 + " at row 3")

    assert len(line) <= MAX_ERROR_LINE
    assert line.startswith("bad cell xxx")
    assert line.endswith("x at row 3")
    assert "characters left out" in line


def test_a_short_message_is_unchanged() -> None:
    assert "rules file r.yaml: rule 2 (web): bad" == one_line("rules file r.yaml: rule 2 (web): bad")


def test_quoted_values_are_escaped_and_bounded() -> None:
    assert "'a\\nb'" == quoted("a\nb")
    long = quoted("y" * 5000)
    assert long.startswith("'yyyy")
    assert long.endswith("…' (5,000 characters)")
    assert len(long) < 120


@pytest.mark.parametrize("variable", ["SCO_SLACK__DIGEST_SCHEDULE", "SCO_SCHEDULER__RETRAIN_SCHEDULE"])
def test_a_crontab_setting_with_a_line_break_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str
) -> None:
    monkeypatch.setenv(variable, "\t\n")

    code = main(["rules", "check", "r.yaml"])

    err = capsys.readouterr().err
    assert 2 == code
    assert 1 == len(err.splitlines()), err
    assert "'\\t\\n' is not a crontab line" in err


@pytest.mark.parametrize("error", [ConfigError, InputError])
def test_every_error_line_from_main_is_one_bounded_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: type[Exception]
) -> None:
    def fail(args: object) -> int:
        raise error("cell 'a\nb" + "z" * 10_000_000 + "' is not a number")

    monkeypatch.setattr("bot.cli.commands.rules.run", fail)

    main(["rules", "check", "r.yaml"])

    err = capsys.readouterr().err
    assert 1 == len(err.splitlines())
    assert len(err) < MAX_ERROR_LINE + 40
    assert "a\\nb" in err
