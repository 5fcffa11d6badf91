"""The README's configuration table is the one generated from the Settings model (``make docs``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.config.settings import Settings
from bot.config.settings_table import BEGIN, END, _field_comments, render_table, replace_table, settings_rows

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


def test_slack_names_and_ssm_parameters_are_shown() -> None:
    rows = {env: meaning for env, _default, meaning in settings_rows()}

    assert "(or SSM parameter `slack_bot_token`)" in rows["`SLACK_BOT_TOKEN` or `SCO_SLACK__BOT_TOKEN`"]


class _Commented(BaseModel):
    #: The first one.
    first: int = 1
    #: Polls, and how many.
    poll_seconds: float = 2.0
    polls: int = 3

    plain: int = 4


def test_comments_cover_the_fields_right_below_them() -> None:
    expected = {"first": "the first one", "poll_seconds": "polls, and how many", "polls": "polls, and how many"}

    assert expected == _field_comments(_Commented)


def test_a_readme_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="no settings table markers"):
        replace_table("# README\n")
