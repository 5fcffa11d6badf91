"""The fleet-downtime tool: which hosts were down over a window, from when to when, from their ``up`` history.

A host's own window is ``get_metric_range`` with ``metric: up``; this one asks every host at once
("was anything down today?", "any outages overnight?").
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from domain.durations import format_duration
from domain.models import HostRef, MetricKind, ToolResult, ToolStatus
from domain.time_expressions import TimeWindow, window_of
from tools.context import ToolContext
from tools.hosts import matching, metrics_source
from tools.trend import down_stretches, longest_gap


class HostDowntime(BaseModel):
    """One host's stretches down in the window (end None: still down at its end)."""

    host: HostRef
    down: list[tuple[datetime, datetime | None]]


class FleetDowntime(BaseModel):
    """``fleet_downtime``: the hosts that were down in ``start``–``end``, of how many the data covers."""

    start: datetime
    end: datetime
    until_now: bool = True
    hosts_read: int = 0
    hosts: list[HostDowntime] = []
    #: How often the window was sampled ("4m"): each time is known to within that.
    sampled_every: str = "1m"
    #: The longest stretch of the window no host has data for (the metrics source was not scraping), if long.
    gap: tuple[datetime, datetime] | None = None

    @property
    def window(self) -> TimeWindow:
        """The window read."""
        return TimeWindow(self.start, self.end)


class FleetDowntimeArgs(BaseModel):
    """Arguments of ``fleet_downtime``."""

    since: str = Field(default="24h", description="the window: 24h, 'since 09:00', 'overnight', 'yesterday', 'today'")
    match: str | None = Field(default=None, description="only hosts whose name matches this prefix or glob (web-*)")


def fleet_downtime(ctx: ToolContext, args: FleetDowntimeArgs) -> ToolResult:
    """Which hosts were down (not reachable) over a window, from when to when, read from every host's up history."""
    source = metrics_source(ctx)
    now = ctx.clock.now()
    window = window_of(args.since, now)
    step = window.sample_step()
    # The known hosts only: ``up`` also holds targets that are not hosts (the scraper itself, exporters of other kinds).
    states = source.host_states()
    hosts = [s.ref for s in (matching(states, args.match) if args.match else states)]
    series = source.range(MetricKind.UP, hosts, start=window.start, end=window.end, step_seconds=step)
    params = args.model_dump(mode="json", exclude_none=True)
    result = FleetDowntime(
        start=window.start,
        end=window.end,
        until_now=window.end == now,
        hosts_read=len(series),
        sampled_every=format_duration(timedelta(seconds=round(step))),
    )
    stamps: set[float] = set()
    for one in sorted(series, key=lambda s: s.host.name):
        points = [(t, v) for t, v in zip(one.timestamps, one.values, strict=True) if math.isfinite(v)]
        stamps.update(t for t, _ in points)
        if down := down_stretches(points):
            result.hosts.append(HostDowntime(host=one.host, down=down))
    result.gap = longest_gap([(t, 1.0) for t in sorted(stamps)], step)
    return ToolResult(status=ToolStatus.SUCCESS if series else ToolStatus.NO_DATA, params=params, data=result)
