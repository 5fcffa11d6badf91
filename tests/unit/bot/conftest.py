"""Fixtures for the bot's tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """Undo what ``configure_logging`` did, so later tests do not write to a stream that is gone."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    yield
    for handler in root.handlers:
        if handler not in saved[0]:
            handler.close()
    structlog.reset_defaults()
    root.handlers[:], root.level = saved
