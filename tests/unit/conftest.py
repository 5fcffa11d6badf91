"""Fixtures the unit tests share."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A local port another socket is listening on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """Undo what ``configure_logging`` did (``ask``, ``serve``), so later tests capture logs again and do not
    write to a stream that is gone."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    yield
    for handler in root.handlers:
        if handler not in saved[0]:
            handler.close()
    structlog.reset_defaults()
    root.handlers[:], root.level = saved
