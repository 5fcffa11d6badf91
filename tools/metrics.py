"""Metric tools: current values, ranges, top hosts and a host's health; every number carries unit and window."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from domain.durations import MAX_WINDOW, format_duration, parse_duration, parse_moment
from domain.errors import InputError
from domain.models import AnomalyStatus, HostState, MetricKind, Sample, ToolResult, ToolStatus
from tools.context import ToolContext
from tools.formatting import at, look_back, minute, quantity
from tools.hosts import HOST_FIELD, matching, metrics_source, resolve_state
from tools.trend import fit_trend, reaches_back, time_to_full

_HOST_FIELD = HOST_FIELD


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
    hosts: list[str] | None = Field(default=None, description="several hosts to compare, by name")
    match: str | None = Field(default=None, description="only hosts whose name matches this prefix or glob (web-*)")
    above: float | None = Field(default=None, description="only hosts whose value is above this (e.g. 80 for 80%)")
    below: float | None = Field(default=None, description="only hosts whose value is below this")
    at: str | None = Field(
        default=None, description="a past time instead of now: 30 minutes ago, at 14:00, yesterday at 9, ISO 8601"
    )


def _selected(ctx: ToolContext, args: CurrentMetricArgs) -> list[HostState] | None:
    """The hosts the arguments name (None: the whole fleet)."""
    if args.host or args.hosts:
        return [
            resolve_state(ctx, name)
            for name in dict.fromkeys([*([args.host] if args.host else []), *(args.hosts or [])])
        ]
    if args.match:
        return matching(metrics_source(ctx).host_states(), args.match)
    return None


def _moment(text: str | None, now: datetime) -> datetime | None:
    if text is None:
        return None
    moment = parse_moment(text, now)
    if moment is None:
        raise InputError(f"'{text[:40]}' is not a time; use e.g. 30 minutes ago, at 14:00 or yesterday at 9")
    return moment


def get_current_metric(ctx: ToolContext, args: CurrentMetricArgs) -> ToolResult:
    """A host metric (CPU %, memory %, disk %, network MB/s, load) now or at a past time, for some or all hosts."""
    metrics = metrics_source(ctx)
    selected = _selected(ctx, args)
    now = ctx.clock.now()
    moment = _moment(args.at, now)
    down = [s for s in selected or [] if not s.up] if moment is None else []
    hosts = [s.ref for s in selected] if selected is not None else None
    samples = metrics.current(args.metric, hosts, at=moment)
    samples = [
        s
        for s in samples
        if (args.above is None or s.value > args.above) and (args.below is None or s.value < args.below)
    ]
    params = args.model_dump(mode="json", exclude_none=True)
    down_rows = [{"host": s.ref.name, "state": s.describe_down(now)} for s in down]
    if not samples:
        data: dict[str, object] = {
            "metric": args.metric.label,
            "down": down_rows,
            "filtered": args.above is not None or args.below is not None,
        }
        if moment is not None:
            data["at"] = minute(moment)
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data=data)
    # A fleet answer lists the busiest hosts first, so the part that fits in a reply is the useful part.
    ranked = args.above is not None or args.below is not None or len(samples) > 20
    order = sorted(samples, key=lambda s: -s.value) if ranked else sorted(samples, key=lambda s: s.host.name)
    rows = [_sample_row(s) for s in order]
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data={"samples": rows, "down": down_rows})


class MetricRangeArgs(BaseModel):
    """Arguments of ``get_metric_range``."""

    metric: MetricKind = Field(description="cpu, memory, disk, disk_io, network_in, network_out or load")
    host: str = Field(description=_HOST_FIELD)
    since: str = Field(default="1h", description="how far back, e.g. 30m, 6h, 2d (at most 31d)")


def get_metric_range(ctx: ToolContext, args: MetricRangeArgs) -> ToolResult:
    """Min, max, average, latest and trend (rising/falling; disk time-to-full) of a host metric over a window."""
    metrics = metrics_source(ctx)
    state = resolve_state(ctx, args.host)
    ref = state.ref
    span = min(parse_duration(args.since), MAX_WINDOW)
    end = ctx.clock.now()
    start = end - span
    step = max(15.0, span.total_seconds() / 360)
    series = metrics.range(args.metric, [ref], start=start, end=end, step_seconds=step)
    params = args.model_dump(mode="json")
    values = [(t, v) for s in series for t, v in zip(s.timestamps, s.values, strict=True) if math.isfinite(v)]
    if not values:
        missing = {"host": ref.name, "metric": args.metric.label, "state": state.describe_down(end)}
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data=missing)
    nums = [v for _, v in values]
    peak_t, peak = max(values, key=lambda p: p[1])
    last_t, last = values[-1]
    trend = fit_trend(args.metric, values)
    starts = reaches_back(values, start, step)
    data: dict[str, object] = {
        "host": ref.name,
        "metric": args.metric.label,
        "window": look_back(start, end),
        "min": quantity(args.metric, min(nums)),
        "max": f"{quantity(args.metric, peak)} at {minute(datetime.fromtimestamp(peak_t, UTC))}",
        "mean": quantity(args.metric, sum(nums) / len(nums)),
        "last": f"{quantity(args.metric, last)} at {minute(datetime.fromtimestamp(last_t, UTC))}",
        "points": len(nums),
        "state": state.describe_down(end),
    }
    if trend is not None:
        data["trend"] = (
            f"{trend.direction}: {'+' if trend.change >= 0 else '-'}{quantity(args.metric, abs(trend.change))} "
            f"over the window ({'+' if trend.per_hour >= 0 else '-'}{quantity(args.metric, abs(trend.per_hour))}/h)"
        )
        full = time_to_full(trend, now=end) if args.metric is MetricKind.DISK else None
        if full is not None:
            data["full_at"] = f"{minute(full)} (in {format_duration(full - end)} at this pace)"
    if starts is not None:
        data["reaches_back_to"] = minute(starts)
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=data)


class TopHostsArgs(BaseModel):
    """Arguments of ``top_hosts``."""

    metric: MetricKind = Field(description="cpu, memory, disk, disk_io, network_in, network_out or load")
    n: int = Field(default=5, ge=1, le=50, description="how many hosts")
    order: Literal["highest", "lowest"] = Field(default="highest", description="highest or lowest first")


def top_hosts(ctx: ToolContext, args: TopHostsArgs) -> ToolResult:
    """The hosts with the highest (or lowest) current value of a metric."""
    samples = metrics_source(ctx).current(args.metric, None)
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
    metrics = metrics_source(ctx)
    params = args.model_dump(mode="json")
    host_state = resolve_state(ctx, args.host)
    ref = host_state.ref
    readings: dict[str, str] = {}
    for metric in _STATUS_METRICS if host_state.up else ():
        found = metrics.current(metric, [ref])
        if found:
            readings[metric.label] = f"{quantity(metric, found[0].value)} ({found[0].window}, {at(found[0].timestamp)})"
    state = host_state.describe_down(ctx.clock.now())
    open_items = [
        f"[{a.severity.value}] {a.metric.label} {a.value_text} since {minute(a.started_at)}"
        for a in ctx.anomalies.open_anomalies()
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
