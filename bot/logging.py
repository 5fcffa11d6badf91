"""Structured logging: JSON lines when not on a terminal, readable console output when on one."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog


def configure_logging(*, stream: TextIO | None = None, level: str = "INFO", json: bool | None = None) -> None:
    """Configure structlog (and the stdlib root logger, for libraries) to write to ``stream``.

    Args:
        stream: where log lines go (stdout by default).
        level: minimum level.
        json: force JSON (True) or console (False) rendering; by default JSON unless ``stream`` is a TTY.
    """
    out = stream or sys.stdout
    as_json = (not out.isatty()) if json is None else json
    numeric = logging.getLevelNamesMapping()[level.upper()]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter('{"level":"%(levelname)s","logger":"%(name)s","event":"%(message)s"}'))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(numeric, logging.WARNING))
    # Connection retries are reported once, by the adapter that gives up, not per attempt.
    logging.getLogger("urllib3").setLevel(logging.ERROR)
