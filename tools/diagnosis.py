"""The diagnosis tool: each of a host's signals against its own recent baseline, and its open incidents.

The baseline is the median and MAD of the previous 24 hours of that signal on that host, read
from the metrics source; a signal is abnormal when it is far from it, or a percentage near full.
"""

from __future__ import annotations

import math
import statistics
from datetime import timedelta

from pydantic import BaseModel, Field

from domain.models import AnomalyStatus, HostRef, MetricKind, ToolResult, ToolStatus, format_value
from domain.ports import MetricsSource
from tools.context import ToolContext
from tools.formatting import minute
from tools.hosts import HOST_FIELD, metrics_source, resolve_state

SIGNALS = (
    MetricKind.CPU,
    MetricKind.MEMORY,
    MetricKind.DISK,
    MetricKind.LOAD,
    MetricKind.DISK_IO,
    MetricKind.NETWORK_IN,
    MetricKind.NETWORK_OUT,
)
BASELINE = timedelta(hours=24)
_STEP_SECONDS = 300.0
# How far from the baseline, in robust standard deviations, a signal must be to count.
_Z = 4.0
# Percentages this full are abnormal whatever the baseline says.
_NEAR_FULL = 90.0
_MIN_POINTS_MOVE = 10.0
_MIN_SHARE_MOVE = 0.5


class DiagnoseArgs(BaseModel):
    """Arguments of ``diagnose_host``."""

    host: str = Field(description=HOST_FIELD)


def _baseline(metrics: MetricsSource, metric: MetricKind, ref: HostRef, ctx: ToolContext) -> tuple[float, float] | None:
    end = ctx.clock.now()
    series = metrics.range(metric, [ref], start=end - BASELINE, end=end, step_seconds=_STEP_SECONDS)
    values = [v for s in series for v in s.values if math.isfinite(v)]
    if len(values) < 3:
        return None
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values)
    return median, mad


def is_abnormal(metric: MetricKind, value: float, median: float, mad: float) -> bool:
    """True when ``value`` is far from the baseline (and by a margin that matters), or a percentage near full."""
    if metric.is_percent and value >= _NEAR_FULL:
        return True
    moved = abs(value - median)
    margin = _MIN_POINTS_MOVE if metric.is_percent else _MIN_SHARE_MOVE * max(abs(median), 0.1)
    spread = 1.4826 * mad
    return moved >= margin and (spread == 0 or moved / spread >= _Z)


def diagnose_host(ctx: ToolContext, args: DiagnoseArgs) -> ToolResult:
    """Is a host healthy: each signal against its 24-hour baseline, the abnormal ones with values, open incidents."""
    state = resolve_state(ctx, args.host)
    ref = state.ref
    params = args.model_dump(mode="json")
    now = ctx.clock.now()
    incidents = [
        f"[{a.severity.value}] {a.metric.label} {a.value_text} since {minute(a.started_at)}"
        for a in ctx.anomalies.open_anomalies()
        if a.host.instance == ref.instance and a.status is not AnomalyStatus.RESOLVED
    ]
    data: dict[str, object] = {"host": ref.name, "state": state.describe_down(now), "open_incidents": incidents}
    if not state.up:
        data.update(abnormal=[], normal=[])
        return ToolResult(status=ToolStatus.SUCCESS, params=params, data=data)
    metrics = metrics_source(ctx)
    abnormal: list[str] = []
    normal: list[str] = []
    for metric in SIGNALS:
        found = metrics.current(metric, [ref])
        if not found:
            continue
        value = found[0].value
        base = _baseline(metrics, metric, ref, ctx)
        if base is None:
            normal.append(f"{metric.label} {format_value(metric, value)} (no baseline yet)")
            continue
        median, mad = base
        text = f"{metric.label} {format_value(metric, value)} (usual {format_value(metric, median)} over 24h)"
        (abnormal if is_abnormal(metric, value, median, mad) else normal).append(text)
    data.update(abnormal=abnormal, normal=normal, at=minute(now))
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=data)
