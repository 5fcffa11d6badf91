"""The README's configuration table is the one generated from the Settings model (``make docs``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from bot.config.settings import LLMSettings, Settings
from bot.config.settings_table import BEGIN, END, render_table, replace_table, settings_rows

README = Path(__file__).resolve().parents[3] / "README.md"


def test_readme_table_matches_the_settings_model() -> None:
    """On failure: run ``make docs`` and commit README.md."""
    text = README.read_text(encoding="utf-8")

    assert render_table() == text[text.index(BEGIN) : text.index(END) + len(END)]


def test_every_setting_has_a_row_with_its_env_name() -> None:
    expected = {
        f"SCO_{section.upper()}__{name.upper()}"
        for section, field in Settings.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
        for name in field.annotation.model_fields
    }

    shown = {env.split("`")[-2] for env, _default, _meaning in settings_rows()}

    assert expected == shown


def test_the_meaning_is_the_fields_description() -> None:
    rows = {env: meaning for env, _default, meaning in settings_rows()}

    assert LLMSettings.model_fields["model"].description == rows["`SCO_LLM__MODEL`"]


def test_slack_names_ssm_parameters_and_former_names_are_shown() -> None:
    rows = {env: meaning for env, _default, meaning in settings_rows()}

    assert "(or SSM parameter `slack_bot_token`)" in rows["`SLACK_BOT_TOKEN` or `SCO_SLACK__BOT_TOKEN`"]
    assert "`SCO_SCHEDULER__DETECTION_SECONDS` is still read" in rows["`SCO_DETECTION__INTERVAL_SECONDS`"]
    assert "`SCO_SCHEDULER__DIGEST_SCHEDULE` is still read" in rows["`SCO_SLACK__DIGEST_SCHEDULE`"]


class _Section(BaseModel):
    described: int = Field(default=1, description="has one")
    undescribed: int = 2


class _Described(BaseModel):
    section: _Section = _Section()


def test_a_setting_without_a_description_is_refused() -> None:
    with pytest.raises(ValueError, match=r"section\.undescribed has no description"):
        settings_rows(_Described)


def test_a_bar_in_a_description_does_not_split_the_cell() -> None:
    class Section(BaseModel):
        only: int = Field(default=1, description="a | b")

    class Model(BaseModel):
        section: Section = Section()

    assert [("`SCO_SECTION__ONLY`", "`1`", "a \\| b")] == settings_rows(Model)


def test_a_readme_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="no settings table markers"):
        replace_table("# README\n")
