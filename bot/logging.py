"""Structured logging, set up once per process: structlog's ``ProcessorFormatter`` on stdlib handlers.

The product's own events (``structlog.get_logger(__name__).info("event_name", key=value)``) and
library records (stdlib ``logging``) go through the same formatter: one JSON object per line when
the stream is not a terminal, console rendering when it is. With an event-log directory the same
events also go, always as JSON, to ``<dir>/events.jsonl``, rotated at midnight UTC to
``events-YYYY-MM-DD.jsonl``; ``get_logs`` and ``/logs`` read those files back.

Every rendered line passes through the process's ``SecretRedactor`` last, so no configured secret
value reaches a stream or file, whatever logged it (an SDK's error body, a traceback). Library
records below WARNING are dropped at the handlers, even when a library raised its own logger's
level (``OPENAI_LOG=debug``).
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path
from typing import TextIO

import structlog
from structlog.stdlib import ProcessorFormatter
from structlog.types import EventDict, Processor, WrappedLogger

from domain.redaction import SecretRedactor

#: The stdlib logger the product's structlog events are handed to (bolt's own logger is a sibling).
EVENTS_LOGGER = "smartcloudops.events"
#: Name prefix of the handlers ``configure_logging`` installs, so a second call replaces them.
_HANDLER_PREFIX = "smartcloudops.logging."

_EVENT_CHAIN: tuple[Processor, ...] = (
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
)


def _record_timestamp(_logger: object, _method: str, event_dict: EventDict) -> EventDict:
    """A library record's own time, so every handler writes the same line for it."""
    created = event_dict["_record"].created
    event_dict["timestamp"] = datetime.fromtimestamp(created, UTC).isoformat().replace("+00:00", "Z")
    return event_dict


class _RedactLine:
    """The last processor: the rendered line without any secret."""

    def __init__(self, redactor: SecretRedactor) -> None:
        self.redactor = redactor

    def __call__(self, _logger: WrappedLogger, _method: str, line: str) -> str:
        return self.redactor.text(line)


class ProductOrWarning(logging.Filter):
    """Passes the product's events at any level and library records from WARNING up."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name == EVENTS_LOGGER


def line_formatter(*, as_json: bool, redactor: SecretRedactor | None = None) -> ProcessorFormatter:
    """The formatter of every handler: structlog events and library records rendered alike.

    Args:
        as_json: one JSON object per line (exceptions as an ``exception`` string), else console text.
        redactor: removes secrets from each rendered line (token shapes only when None).

    Returns:
        A formatter that also adds level, UTC timestamp, logger name and bound context to library records.
    """
    final: list[Processor] = [ProcessorFormatter.remove_processors_meta]
    if as_json:
        final += [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        final.append(structlog.dev.ConsoleRenderer(colors=False))
    final.append(_RedactLine(redactor or SecretRedactor()))  # type: ignore[arg-type]  # takes the rendered str
    foreign: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        _record_timestamp,
        structlog.stdlib.add_logger_name,
    ]
    return ProcessorFormatter(foreign_pre_chain=foreign, processors=final)


def event_log_file_name(default_name: str) -> str:
    """Where a day of the event log goes on rotation: ``events-YYYY-MM-DD.jsonl`` beside ``events.jsonl``.

    Args:
        default_name: the stdlib handler's choice, ``<dir>/events.jsonl.YYYY-MM-DD``.

    Returns:
        ``<dir>/events-YYYY-MM-DD.jsonl``, or ``<dir>/events-YYYY-MM-DD.N.jsonl`` when that day's
        file already exists (the rotation would otherwise delete it).
    """
    path = Path(default_name)
    stem, day = path.name.rsplit(".jsonl.", 1)
    target = path.with_name(f"{stem}-{day}.jsonl")
    n = 1
    while target.exists():
        target = path.with_name(f"{stem}-{day}.{n}.jsonl")
        n += 1
    return str(target)


def event_log_handler(directory: Path) -> TimedRotatingFileHandler:
    """A handler appending to ``<directory>/events.jsonl``, rotated daily at midnight UTC.

    Raises:
        OSError: the directory or the file cannot be created or opened.
    """
    directory.mkdir(parents=True, exist_ok=True)
    handler = TimedRotatingFileHandler(directory / "events.jsonl", when="midnight", utc=True, encoding="utf-8")
    handler.namer = event_log_file_name
    return handler


def _events_logger(*_args: object) -> logging.Logger:
    return logging.getLogger(EVENTS_LOGGER)


def configure_logging(
    *,
    stream: TextIO | None = None,
    level: str = "INFO",
    json: bool | None = None,
    event_log_dir: Path | None = None,
    redactor: SecretRedactor | None = None,
) -> None:
    """Configure structlog and the stdlib root logger to write to ``stream`` (and the event log).

    Calling it again replaces what an earlier call installed, so it can be called once per entry
    point and once more when the event-log directory is known.

    Args:
        stream: where log lines go (stdout by default).
        level: minimum level of the product's events; library records need at least WARNING.
        json: force JSON (True) or console (False) rendering; by default JSON unless ``stream`` is a TTY.
        event_log_dir: also keep the lines, as JSON, in ``events.jsonl`` there, rotated daily.
        redactor: the configured secrets, removed from every line (token shapes only when None).
    """
    out: TextIO = stream or sys.stdout
    as_json = (not out.isatty()) if json is None else json
    numeric = logging.getLevelNamesMapping()[level.upper()]
    console = logging.StreamHandler(out)
    console.setFormatter(line_formatter(as_json=as_json, redactor=redactor))
    handlers: list[logging.Handler] = [console]
    unavailable: OSError | None = None
    if event_log_dir is not None:
        try:
            handlers.append(event_log_handler(event_log_dir))
        except OSError as exc:
            unavailable = exc
        else:
            handlers[-1].setFormatter(line_formatter(as_json=True, redactor=redactor))
    root = logging.getLogger()
    for old in root.handlers:
        if old.name and old.name.startswith(_HANDLER_PREFIX):
            old.close()
    for n, handler in enumerate(handlers):
        handler.set_name(f"{_HANDLER_PREFIX}{n}")
        handler.addFilter(ProductOrWarning())
    root.handlers[:] = handlers
    root.setLevel(max(numeric, logging.WARNING))
    logging.getLogger(EVENTS_LOGGER).setLevel(numeric)
    # Connection retries are reported once, by the adapter that gives up, not per attempt.
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    structlog.configure(
        processors=[*_EVENT_CHAIN, ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=_events_logger,
        cache_logger_on_first_use=False,
    )
    if unavailable is not None:
        structlog.get_logger(__name__).warning(
            "event_log_unavailable", directory=str(event_log_dir), error=str(unavailable)
        )
