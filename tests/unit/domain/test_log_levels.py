"""Log levels: a line's own level, or what its text says; an empty error field is not an error."""

from __future__ import annotations

import pytest

from domain.log_levels import at_least, level_name, level_of_text


@pytest.mark.parametrize(
    ("raw", "level"),
    [("WARN", "warning"), ("Error", "error"), ("fatal", "critical"), ("info", "info"), ("loud", None), (3, None)],
)
def test_level_names(raw: object, level: str | None) -> None:
    assert level_name(raw) == level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("requested action=scale_up error=None state=pending", "info"),
        ('{"error": null, "status": "ok"}', "info"),
        ("error: '' done", "info"),
        ("executed action=restart_service error=AccessDenied", "error"),
        ("connection refused: failed to reach prometheus", "error"),
        ("Traceback (most recent call last):", "error"),
        ("WARN disk almost full", "warning"),
        ("FATAL out of memory", "critical"),
        ("all good", "info"),
        ("terror at the errand", "info"),
    ],
)
def test_the_level_a_text_says(text: str, level: str) -> None:
    assert level_of_text(text) == level


def test_at_least_orders_levels() -> None:
    assert at_least("error", "warning")
    assert at_least("critical", "error")
    assert not at_least("info", "warning")
    assert at_least("debug", None)
