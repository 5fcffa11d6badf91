"""Metric tools: current values, ranges, top hosts and a host's health; every number carries unit and window."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from domain.durations import MAX_WINDOW, parse_duration
from domain.errors import ConfigError
from domain.hosts import resolve_host
from domain.models import AnomalyStatus, HostRef, MetricKind, Sample, ToolResult, ToolStatus
from domain.ports import MetricsSource
from tools.context import ToolContext
from tools.formatting import at, look_back, minute, quantity

_HOST_FIELD = "host name, instance (host:port), IP or EC2 instance id"


def _metrics(ctx: ToolContext) -> MetricsSource:
    if ctx.metrics is None:
        raise ConfigError("no metrics source is configured (set SCO_PROMETHEUS__URL)")
    return ctx.metrics


def _resolve(ctx: ToolContext, host: str) -> HostRef:
    return resolve_host(host, _metrics(ctx).hosts())


def _sample_row(s: Sample) -> dict[str, str]:
    return {
        "host": s.host.name,
        "instance": s.host.instance,
        "metric": s.metric.label,
        "value": quantity(s.metric, s.value),
        "window": s.window,
        "at": at(s.timestamp),
    }


class CurrentMetricArgs(BaseModel):
    """Arguments of ``get_current_metric``."""

    metric: MetricKind = Field(description="cpu, memory, disk, disk_io, network_in, network_out, load or up")
    host: str | None = Field(default=None, description=f"{_HOST_FIELD}; omit for the whole fleet")


def get_current_metric(ctx: ToolContext, args: CurrentMetricArgs) -> ToolResult:
    """Current value of a host metric (CPU %, memory %, disk %, network MB/s, load) for one host or all hosts."""
    metrics = _metrics(ctx)
    hosts = [_resolve(ctx, args.host)] if args.host else None
    samples = metrics.current(args.metric, hosts)
    params = args.model_dump(mode="json", exclude_none=True)
    if not samples:
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data={"metric": args.metric.label})
    # A fleet answer lists the busiest hosts first, so the part that fits in a reply is the useful part.
    order = (
        sorted(samples, key=lambda s: s.host.name) if len(samples) <= 20 else sorted(samples, key=lambda s: -s.value)
    )
    rows = [_sample_row(s) for s in order]
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data={"samples": rows})


class MetricRangeArgs(BaseModel):
    """Arguments of ``get_metric_range``."""

    metric: MetricKind = Field(description="cpu, memory, disk, disk_io, network_in, network_out or load")
    host: str = Field(description=_HOST_FIELD)
    since: str = Field(default="1h", description="how far back, e.g. 30m, 6h, 2d (at most 31d)")


def get_metric_range(ctx: ToolContext, args: MetricRangeArgs) -> ToolResult:
    """Minimum, maximum, average and latest of a host metric over a recent window (e.g. the last hour)."""
    metrics = _metrics(ctx)
    ref = _resolve(ctx, args.host)
    span = min(parse_duration(args.since), MAX_WINDOW)
    end = ctx.clock.now()
    start = end - span
    step = max(15.0, span.total_seconds() / 360)
    series = metrics.range(args.metric, [ref], start=start, end=end, step_seconds=step)
    params = args.model_dump(mode="json")
    values = [(t, v) for s in series for t, v in zip(s.timestamps, s.values, strict=True) if math.isfinite(v)]
    if not values:
        return ToolResult(
            status=ToolStatus.NO_DATA, params=params, data={"host": ref.name, "metric": args.metric.label}
        )
    nums = [v for _, v in values]
    peak_t, peak = max(values, key=lambda p: p[1])
    last_t, last = values[-1]
    data = {
        "host": ref.name,
        "metric": args.metric.label,
        "window": look_back(start, end),
        "min": quantity(args.metric, min(nums)),
        "max": f"{quantity(args.metric, peak)} at {minute(datetime.fromtimestamp(peak_t, UTC))}",
        "mean": quantity(args.metric, sum(nums) / len(nums)),
        "last": f"{quantity(args.metric, last)} at {minute(datetime.fromtimestamp(last_t, UTC))}",
        "points": len(nums),
    }
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=data)


class TopHostsArgs(BaseModel):
    """Arguments of ``top_hosts``."""

    metric: MetricKind = Field(description="cpu, memory, disk, disk_io, network_in, network_out or load")
    n: int = Field(default=5, ge=1, le=50, description="how many hosts")
    order: Literal["highest", "lowest"] = Field(default="highest", description="highest or lowest first")


def top_hosts(ctx: ToolContext, args: TopHostsArgs) -> ToolResult:
    """The hosts with the highest (or lowest) current value of a metric."""
    samples = _metrics(ctx).current(args.metric, None)
    params = args.model_dump(mode="json")
    if not samples:
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data={"metric": args.metric.label})
    ranked = sorted(samples, key=lambda s: s.value, reverse=args.order == "highest")[: args.n]
    return ToolResult(
        status=ToolStatus.SUCCESS,
        params=params,
        data={"order": args.order, "of_hosts": len(samples), "samples": [_sample_row(s) for s in ranked]},
    )


class HostStatusArgs(BaseModel):
    """Arguments of ``host_status``."""

    host: str = Field(description=_HOST_FIELD)


_STATUS_METRICS = (MetricKind.CPU, MetricKind.MEMORY, MetricKind.DISK, MetricKind.LOAD)


def host_status(ctx: ToolContext, args: HostStatusArgs) -> ToolResult:
    """Is a host up, and its current CPU, memory, disk and load, with its open anomalies."""
    metrics = _metrics(ctx)
    hosts = metrics.hosts()
    params = args.model_dump(mode="json")
    ref = resolve_host(args.host, hosts)
    readings: dict[str, str] = {}
    for metric in _STATUS_METRICS:
        found = metrics.current(metric, [ref])
        if found:
            readings[metric.label] = f"{quantity(metric, found[0].value)} ({found[0].window}, {at(found[0].timestamp)})"
    up = metrics.current(MetricKind.UP, [ref])
    if up:
        state = "up" if up[0].value >= 1 else "down"
    else:
        state = "up (reporting metrics)" if readings else "down (no metrics)"
    open_items = [
        f"[{a.severity.value}] {a.metric.label} {a.value_text} since {minute(a.started_at)}"
        for a in ctx.anomalies.recent(50)
        if a.host.instance == ref.instance and a.status is not AnomalyStatus.RESOLVED
    ]
    data = {
        "host": ref.name,
        "instance": ref.instance,
        "state": state,
        "readings": readings,
        "open_anomalies": open_items,
    }
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=data)
