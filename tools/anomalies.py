"""Anomaly tools: the recent incidents, newest first."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.models import ToolResult, ToolStatus
from tools.context import ToolContext


class RecentAnomaliesArgs(BaseModel):
    """Arguments of ``list_recent_anomalies``."""

    limit: int = Field(default=5, ge=1, le=50, description="how many anomalies, newest first")


def list_recent_anomalies(ctx: ToolContext, args: RecentAnomaliesArgs) -> ToolResult:
    """The most recent anomalies with host, metric, value, severity, status and start time."""
    items = ctx.anomalies.recent(args.limit)
    params = args.model_dump(mode="json")
    if not items:
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data={"anomalies": []})
    rows = [
        {
            "id": a.id,
            "host": a.host.name,
            "metric": a.metric.label,
            "value": a.value_text,
            "severity": a.severity.value,
            "status": a.status.value,
            "started": a.started_at.strftime("%Y-%m-%d %H:%M UTC"),
            "detector": a.detector,
        }
        for a in items
    ]
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data={"anomalies": rows})
