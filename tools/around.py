"""The "what happened on X around T" tool: a host's signals around a time against the hour before, and the
incidents that overlapped it."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from domain.durations import parse_moment
from domain.errors import InputError
from domain.models import MetricKind, ToolResult, ToolStatus, format_value
from tools.context import ToolContext
from tools.formatting import minute
from tools.hosts import HOST_FIELD, metrics_source, resolve_state

AROUND = timedelta(minutes=15)
BEFORE = timedelta(hours=1)
SIGNALS = (
    MetricKind.CPU,
    MetricKind.MEMORY,
    MetricKind.DISK,
    MetricKind.LOAD,
    MetricKind.NETWORK_IN,
    MetricKind.DISK_IO,
)


class AroundArgs(BaseModel):
    """Arguments of ``what_happened``."""

    host: str = Field(description=HOST_FIELD)
    at: str = Field(description="the time: 30 minutes ago, at 14:00, yesterday at 9, or ISO 8601")


def _mean(points: list[tuple[float, float]], start: datetime, end: datetime) -> float | None:
    values = [v for t, v in points if start.timestamp() <= t <= end.timestamp() and math.isfinite(v)]
    return sum(values) / len(values) if values else None


def _change(metric: MetricKind, around: float, before: float) -> str:
    sign = "+" if around >= before else "-"
    return f", {sign}{format_value(metric, abs(around - before))} on the hour before ({format_value(metric, before)})"


def what_happened(ctx: ToolContext, args: AroundArgs) -> ToolResult:
    """What happened on a host around a time: each signal 15 minutes either side against the hour before, and
    the incidents that overlapped that time."""
    now = ctx.clock.now()
    moment = parse_moment(args.at, now)
    if moment is None:
        raise InputError(f"'{args.at[:40]}' is not a time; use e.g. 30 minutes ago, at 14:00 or yesterday at 9")
    state = resolve_state(ctx, args.host)
    ref = state.ref
    start, end = moment - AROUND - BEFORE, min(moment + AROUND, now)
    metrics = metrics_source(ctx)
    rows: list[str] = []
    for metric in SIGNALS:
        series = metrics.range(metric, [ref], start=start, end=end, step_seconds=60.0)
        points = [(t, v) for s in series for t, v in zip(s.timestamps, s.values, strict=True)]
        around, before = _mean(points, moment - AROUND, end), _mean(points, start, moment - AROUND)
        if around is None:
            continue
        change = "" if before is None else _change(metric, around, before)
        rows.append(f"{metric.label} {format_value(metric, around)}{change}")
    incidents = [
        f"[{a.severity.value}] {a.metric.label} {a.value_text}, {a.status.value}, from {minute(a.started_at)}"
        + (f" to {minute(a.ended_at)}" if a.ended_at else "")
        for a in ctx.anomalies.between(moment - timedelta(days=1), moment + AROUND)
        if a.host.instance == ref.instance and (a.ended_at is None or a.ended_at >= moment - AROUND)
    ]
    params = args.model_dump(mode="json")
    data: dict[str, object] = {
        "host": ref.name,
        "at": minute(moment),
        "window": f"{minute(moment - AROUND)} – {minute(end)}",
        "signals": rows,
        "incidents": incidents,
        "state": state.describe_down(now),
    }
    status = ToolStatus.SUCCESS if rows or incidents else ToolStatus.NO_DATA
    return ToolResult(status=status, params=params, data=data)
