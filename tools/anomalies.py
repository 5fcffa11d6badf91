"""Anomaly tools: recent incidents and summaries of them."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, Field

from domain.durations import MAX_WINDOW, parse_duration
from domain.models import Anomaly, Severity, ToolResult, ToolStatus
from tools.context import ToolContext
from tools.formatting import look_back, minute

_SCAN_LIMIT = 1000


def anomaly_row(a: Anomaly) -> dict[str, str]:
    """An anomaly as tools and the HTTP API report it: every field as text, times to the minute."""
    return {
        "id": a.id,
        "host": a.host.name,
        "metric": a.metric.label,
        "value": a.value_text,
        "severity": a.severity.value,
        "status": a.status.value,
        "started": minute(a.started_at),
        "detector": a.detector,
        "summary": a.summary,
    }


class RecentAnomaliesArgs(BaseModel):
    """Arguments of ``list_recent_anomalies``."""

    limit: int = Field(default=5, ge=1, le=50, description="how many anomalies, newest first")
    host: str | None = Field(default=None, description="only this host (name or instance)")
    severity: Severity | None = Field(default=None, description="only this severity or worse")


def _matches(a: Anomaly, host: str | None, severity: Severity | None) -> bool:
    if host and host.lower() not in {a.host.name.lower(), a.host.instance.lower()}:
        return False
    return severity is None or a.severity.rank >= severity.rank


def list_recent_anomalies(ctx: ToolContext, args: RecentAnomaliesArgs) -> ToolResult:
    """The most recent anomalies with host, metric, value, severity, status and start time."""
    pool = ctx.anomalies.recent(_SCAN_LIMIT if (args.host or args.severity) else args.limit)
    items = [a for a in pool if _matches(a, args.host, args.severity)][: args.limit]
    params = args.model_dump(mode="json", exclude_none=True)
    if not items:
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data={"anomalies": []})
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data={"anomalies": [anomaly_row(a) for a in items]})


class SummarizeAnomaliesArgs(BaseModel):
    """Arguments of ``summarize_anomalies``."""

    since: str = Field(default="24h", description="how far back, e.g. 1h, 24h, 7d")
    severity: Severity | None = Field(default=None, description="only this severity or worse")


def summarize_anomalies(ctx: ToolContext, args: SummarizeAnomaliesArgs) -> ToolResult:
    """Counts of anomalies by severity, host and metric over a recent window, and the open ones."""
    span = min(parse_duration(args.since), MAX_WINDOW)
    now = ctx.clock.now()
    start = now - span
    items = [a for a in ctx.anomalies.recent(_SCAN_LIMIT) if a.started_at >= start and _matches(a, None, args.severity)]
    params = args.model_dump(mode="json", exclude_none=True)
    window = look_back(start, now)
    if not items:
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data={"window": window, "total": 0})
    by_severity = Counter(a.severity.value for a in items)
    data = {
        "window": window,
        "total": len(items),
        "by_severity": {s.value: by_severity.get(s.value, 0) for s in reversed(Severity)},
        "top_hosts": dict(Counter(a.host.name for a in items).most_common(5)),
        "by_metric": dict(Counter(a.metric.label for a in items).most_common()),
        "open": [anomaly_row(a) for a in items if a.status.value != "resolved"][:10],
    }
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=data)
