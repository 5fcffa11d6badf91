"""The log tool: recent lines from the product's own logs and CloudWatch Logs, bounded, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from domain.errors import InputError
from domain.models import ToolResult, ToolStatus
from domain.ports import LogLine, LogQuery
from domain.time_expressions import TimeWindow, parse_window, window_of
from tools.context import ToolContext
from tools.formatting import at
from tools.results import JsonValue

MAX_LINE_CHARS = 400


class LogRow(BaseModel):
    """One log line, its text cut to ``MAX_LINE_CHARS``."""

    at: datetime
    source: str
    level: str = ""
    text: str

    def fields(self) -> dict[str, str]:
        """The line as text: its time to the second, source, level and text."""
        return {"at": at(self.at), "source": self.source, "level": self.level, "text": self.text}

    def for_model(self) -> JsonValue:
        """The line as text fields."""
        return dict(self.fields())


class LogExcerpt(BaseModel):
    """``get_logs``: the lines of ``start``–``end``, newest first, and how many more matched."""

    start: datetime
    end: datetime
    lines: list[LogRow] = []
    omitted: int = 0
    #: The sources read, and the filters the lines had to pass.
    sources: list[str] = []
    host: str | None = None
    contains: str | None = None
    level: str | None = None

    @property
    def window(self) -> TimeWindow:
        """The window the lines come from."""
        return TimeWindow(self.start, self.end)


class LogsArgs(BaseModel):
    """Arguments of ``get_logs``."""

    source: str | None = Field(default=None, description="events, audit or cloudwatch; omit for all")
    since: str = Field(default="15m", description="start, e.g. '10 minutes ago', '1h', 'between 14:00 and 14:30'")
    until: str | None = Field(default=None, description="end as HH:MM UTC; omit for now")
    host: str | None = Field(default=None, description="only lines about this host")
    contains: str | None = Field(default=None, max_length=200, description="only lines containing this text")
    level: Literal["debug", "info", "warning", "error", "critical"] | None = Field(
        default=None, description="only lines at this level or above (error: errors and failures)"
    )
    limit: int = Field(default=20, ge=1, le=200, description="most lines to return")

    @field_validator("host", "contains")
    @classmethod
    def _printable(cls, v: str | None) -> str | None:
        if v is not None and not v.isprintable():
            raise ValueError("must be printable text")
        return v


def _window(args: LogsArgs, now: datetime) -> TimeWindow:
    window = window_of(args.since, now)
    if args.until:
        end = parse_window(f"between 00:00 and {args.until}", now)
        if end is None:
            raise InputError(f"'{args.until[:10]}' is not a time like 14:30")
        window = TimeWindow(window.start, min(end.end, now))
    return window


def _row(line: LogLine) -> LogRow:
    text = line.message if len(line.message) <= MAX_LINE_CHARS else line.message[:MAX_LINE_CHARS] + "…"
    return LogRow(at=line.timestamp, source=line.source, level=line.level or "", text=text)


def get_logs(ctx: ToolContext, args: LogsArgs) -> ToolResult:
    """Log lines (newest first) from the bot's own event and audit logs and CloudWatch Logs, in a time window."""
    sources = [s for s in ctx.log_sources if args.source in (None, s.name)]
    params = args.model_dump(mode="json", exclude_none=True)
    if not sources:
        known = ", ".join(s.name for s in ctx.log_sources) or "none configured"
        return ToolResult(status=ToolStatus.ERROR, params=params, error=f"no log source '{args.source}' ({known})")
    window = _window(args, ctx.clock.now())
    lines: list[LogLine] = []
    omitted = 0
    query = LogQuery(
        start=window.start, end=window.end, host=args.host, contains=args.contains, limit=args.limit, level=args.level
    )
    for source in sources:
        page = source.read(query)
        lines.extend(page.lines)
        omitted += page.omitted
    lines.sort(key=lambda line: line.timestamp, reverse=True)
    omitted += max(len(lines) - args.limit, 0)
    shown = lines[: args.limit]
    data = LogExcerpt(
        start=window.start,
        end=window.end,
        lines=[_row(x) for x in shown],
        omitted=omitted,
        sources=[s.name for s in sources],
        host=args.host,
        contains=args.contains,
        level=args.level,
    )
    return ToolResult(status=ToolStatus.SUCCESS if shown else ToolStatus.NO_DATA, params=params, data=data)
