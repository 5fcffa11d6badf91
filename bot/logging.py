"""Structured logging: JSON lines when not on a terminal, readable console output when on one."""

from __future__ import annotations

import json as json_module
import logging
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import structlog


class EventLogTee:
    """A text stream that writes each line to ``stream`` and to ``<directory>/events-YYYY-MM-DD.jsonl``.

    The day file is what ``get_logs`` reads back as the product's own event log.
    """

    def __init__(self, stream: TextIO, directory: Path) -> None:
        self.stream = stream
        self.directory = directory
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        """Write to both; a failing file never stops the stream."""
        self.stream.write(text)
        with self._lock:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                day = datetime.now(UTC).strftime("%Y-%m-%d")
                with (self.directory / f"events-{day}.jsonl").open("a", encoding="utf-8") as fh:
                    fh.write(text)
            except OSError:
                pass
        return len(text)

    def flush(self) -> None:
        """Flush the stream."""
        self.stream.flush()

    def isatty(self) -> bool:
        """The stream's answer."""
        return self.stream.isatty()


class JsonLineFormatter(logging.Formatter):
    """Library (stdlib) log records as one JSON object per line, like structlog's, stack included."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        line: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json_module.dumps(line, ensure_ascii=False, default=str)


def configure_logging(
    *,
    stream: TextIO | None = None,
    level: str = "INFO",
    json: bool | None = None,
    event_log_dir: Path | None = None,
) -> None:
    """Configure structlog (and the stdlib root logger, for libraries) to write to ``stream``.

    Args:
        stream: where log lines go (stdout by default).
        level: minimum level.
        json: force JSON (True) or console (False) rendering; by default JSON unless ``stream`` is a TTY.
        event_log_dir: also keep the lines (as JSON) in daily files there, for ``get_logs``.
    """
    out: TextIO = stream or sys.stdout
    as_json = (not out.isatty()) if json is None else json
    if event_log_dir is not None:
        out = EventLogTee(out, event_log_dir)  # type: ignore[assignment]
        as_json = True
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
    handler.setFormatter(JsonLineFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(numeric, logging.WARNING))
    # Connection retries are reported once, by the adapter that gives up, not per attempt.
    logging.getLogger("urllib3").setLevel(logging.ERROR)
