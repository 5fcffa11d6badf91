"""Metric tools: current values of a host metric, with the unit and the window in every number."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.errors import ConfigError
from domain.models import MetricKind, ToolResult, ToolStatus, format_value
from tools.context import ToolContext
from tools.hosts import resolve_host


class CurrentMetricArgs(BaseModel):
    """Arguments of ``get_current_metric``."""

    metric: MetricKind = Field(description="cpu, memory, disk, disk_io, network_in, network_out, load or up")
    host: str | None = Field(
        default=None, description="host name, instance (host:port), IP or EC2 instance id; omit for the whole fleet"
    )


def get_current_metric(ctx: ToolContext, args: CurrentMetricArgs) -> ToolResult:
    """Current value of a host metric (CPU %, memory %, disk %, network MB/s, load) for one host or all hosts."""
    if ctx.metrics is None:
        raise ConfigError("no metrics source is configured (set SCO_PROMETHEUS__URL)")
    hosts = [resolve_host(args.host, ctx.metrics.hosts())] if args.host else None
    samples = ctx.metrics.current(args.metric, hosts)
    params = args.model_dump(mode="json")
    if not samples:
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data={"metric": args.metric.value})
    rows = [
        {
            "host": s.host.name,
            "instance": s.host.instance,
            "metric": s.metric.label,
            "value": format_value(s.metric, s.value),
            "window": s.window,
            "at": s.timestamp.strftime("%Y-%m-%d %H:%M:%S UTC"),
        }
        for s in sorted(samples, key=lambda s: s.host.name)
    ]
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data={"samples": rows})
