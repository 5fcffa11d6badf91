"""Seconds settings of the scheduled jobs are finite and at most a day: ``inf`` or a 20-digit number
passed validation and then crashed ``serve`` (OverflowError building a timedelta)."""

from __future__ import annotations

import pytest

from bot.cli.main import main

SECONDS_SETTINGS = [
    "SCO_DETECTION__INTERVAL_SECONDS",
    "SCO_SCHEDULER__RULES_SECONDS",
    "SCO_SCHEDULER__EXPIRY_SECONDS",
    "SCO_SCHEDULER__MISFIRE_GRACE_SECONDS",
]


@pytest.mark.parametrize("variable", SECONDS_SETTINGS)
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e309", "99999999999999999999", "86401"])
def test_an_endless_or_huge_interval_is_one_configuration_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    code = main(["rules", "check", "no-such-file.yaml"])

    err = capsys.readouterr().err
    assert 2 == code
    assert [f"configuration error: {variable}"] == [line[: len(variable) + 21] for line in err.splitlines()], err


@pytest.mark.parametrize("variable", SECONDS_SETTINGS)
def test_a_day_is_still_accepted(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    from bot.cli.commands.config import settings_from_environment

    monkeypatch.setenv(variable, "86400")

    settings = settings_from_environment()

    section, name = variable.removeprefix("SCO_").lower().split("__")
    assert 86400 == getattr(getattr(settings, section), name)


def test_every_float_and_int_seconds_setting_has_an_upper_bound() -> None:
    """A new ``*_seconds`` setting without a bound would bring the crash back."""
    import annotated_types

    from bot.config.settings import Settings

    unbounded = []
    for section, info in Settings.model_fields.items():
        model = info.annotation
        assert isinstance(model, type)
        for name, field in getattr(model, "model_fields", {}).items():
            bounded = any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in field.metadata)
            if name.endswith("_seconds") and field.annotation in (int, float) and not bounded:
                unbounded.append(f"{section}.{name}")
    assert [] == unbounded
