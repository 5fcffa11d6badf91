"""Anomaly tools: recent incidents and summaries of them."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel, Field

from domain.models import Anomaly, AnomalyStatus, HostRef, MetricKind, Severity, ToolResult, ToolStatus
from domain.time_expressions import window_of
from tools.context import ToolContext

_SCAN_LIMIT = 1000


class RecentAnomalies(BaseModel):
    """``list_recent_anomalies``: the matching anomalies, newest first."""

    anomalies: list[Anomaly] = []
    #: True when more anomalies match than were listed.
    more: bool = False


class HostCount(BaseModel):
    """How many anomalies one host had."""

    host: HostRef
    anomalies: int


class AnomalySummary(BaseModel):
    """``summarize_anomalies``: counts over ``start``–``end`` by severity (worst first), host and metric,
    and the ones not resolved."""

    start: datetime
    end: datetime
    total: int = 0
    by_severity: dict[Severity, int] = {}
    top_hosts: list[HostCount] = []
    by_metric: dict[MetricKind, int] = {}
    open: list[Anomaly] = []
    #: False for a window that ended before now ("yesterday", "overnight").
    until_now: bool = True


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
    pool = ctx.anomalies.recent(_SCAN_LIMIT if (args.host or args.severity) else args.limit + 1)
    matching = [a for a in pool if _matches(a, args.host, args.severity)]
    items = matching[: args.limit]
    params = args.model_dump(mode="json", exclude_none=True)
    status = ToolStatus.SUCCESS if items else ToolStatus.NO_DATA
    return ToolResult(
        status=status, params=params, data=RecentAnomalies(anomalies=items, more=len(matching) > len(items))
    )


class SummarizeAnomaliesArgs(BaseModel):
    """Arguments of ``summarize_anomalies``."""

    since: str = Field(
        default="24h",
        description="how far back, e.g. 1h, 24h, 7d, or a window: 'since 09:00', 'yesterday', 'overnight'",
    )
    host: str | None = Field(default=None, description="only this host (name or instance)")
    severity: Severity | None = Field(default=None, description="only this severity or worse")


def summarize_anomalies(ctx: ToolContext, args: SummarizeAnomaliesArgs) -> ToolResult:
    """Counts of anomalies that started in a window by severity, host and metric, and the open ones."""
    now = ctx.clock.now()
    window = window_of(args.since, now)
    start, end = window.start, window.end
    items = [
        a
        for a in ctx.anomalies.recent(_SCAN_LIMIT)
        if start <= a.started_at <= end and _matches(a, args.host, args.severity)
    ]
    params = args.model_dump(mode="json", exclude_none=True)
    if not items:
        return ToolResult(
            status=ToolStatus.NO_DATA, params=params, data=AnomalySummary(start=start, end=end, until_now=end == now)
        )
    by_severity = Counter(a.severity for a in items)
    summary = AnomalySummary(
        start=start,
        end=end,
        until_now=end == now,
        total=len(items),
        by_severity={s: by_severity.get(s, 0) for s in reversed(Severity)},
        top_hosts=[HostCount(host=h, anomalies=n) for h, n in Counter(a.host for a in items).most_common(5)],
        by_metric=dict(Counter(a.metric for a in items).most_common()),
        open=[a for a in items if a.status is not AnomalyStatus.RESOLVED][:10],
    )
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=summary)
