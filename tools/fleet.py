"""The fleet-status tool: hosts up and down, fleet averages, the worst hosts and the open incidents.

``/ops status``, ``ask``, the HTTP ``/status`` and the digest all answer from this one result.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.models import Anomaly, HostRef, HostState, MetricKind, ToolResult, ToolStatus, format_value
from domain.time_expressions import TimeWindow, window_of
from tools.context import ToolContext
from tools.formatting import minute
from tools.hosts import matching, metrics_source
from tools.results import HostReading, JsonValue, anomaly_for_model, host_for_model, state_for_model
from tools.window_readings import WindowValue, window_readings

FLEET_METRICS = (MetricKind.CPU, MetricKind.MEMORY, MetricKind.DISK)


class FleetMetric(BaseModel):
    """A metric across the fleet: the average of the hosts' values, and the hosts that read highest."""

    metric: MetricKind
    average: float
    hosts: int
    #: What the average is taken over; CPU is each host's average over its cores, then averaged per host.
    basis: str = "per host"
    window: str
    highest: list[HostReading]
    readings: list[HostReading] = []

    @property
    def average_text(self) -> str:
        """``34.2% (per host, 1m average, 11 hosts)``."""
        return f"{format_value(self.metric, self.average)} ({self.basis}, {self.window}, {self.hosts} hosts)"

    def for_model(self) -> JsonValue:
        """The average with its unit, basis and window, and the highest hosts with theirs."""
        return {
            "metric": self.metric.label,
            "average": self.average_text,
            "highest": [r.for_model() for r in self.highest],
        }


class FleetStatus(BaseModel):
    """The whole fleet at one time."""

    at: datetime
    up: list[HostState]
    down: list[HostState]
    metrics: list[FleetMetric]
    open_incidents: list[Anomaly]
    selection: str | None = None

    @property
    def total(self) -> int:
        """Known hosts."""
        return len(self.up) + len(self.down)

    def metric(self, kind: MetricKind) -> FleetMetric | None:
        """The fleet figures of one metric, if it was read."""
        return next((m for m in self.metrics if m.metric is kind), None)

    def for_model(self) -> JsonValue:
        """Counts, the down hosts with when they were last seen, the averages, the open incidents."""
        out: dict[str, JsonValue] = {"at": minute(self.at), "hosts_up": len(self.up), "hosts_known": self.total}
        if self.selection:
            out["selection"] = self.selection
        out["down"] = [state_for_model(s) for s in self.down]
        out["up"] = [host_for_model(s.ref) for s in self.up]
        out["metrics"] = [m.for_model() for m in self.metrics]
        out["open_incidents"] = [anomaly_for_model(a) for a in self.open_incidents]
        return out


class FleetStatusArgs(BaseModel):
    """Arguments of ``fleet_status``."""

    metrics: list[MetricKind] = Field(
        default=list(FLEET_METRICS), description="metrics to average: cpu, memory, disk, disk_io, network_in, load"
    )
    match: str | None = Field(
        default=None, description="only hosts whose name matches this prefix or glob (web, web-*)"
    )
    worst: int = Field(default=3, ge=1, le=20, description="how many of the highest hosts to name per metric")
    since: str | None = Field(
        default=None,
        description="average each host over this window ('6h', 'since 09:00') instead of taking its latest value",
    )


def _fleet_metric(
    ctx: ToolContext, kind: MetricKind, hosts: list[HostRef] | None, worst: int, window: TimeWindow | None
) -> FleetMetric | None:
    samples = (
        metrics_source(ctx).current(kind, hosts)
        if window is None
        else window_readings(ctx, kind, hosts, window, WindowValue.AVERAGE)
    )
    if not samples:
        return None
    readings = sorted(
        (HostReading.of(s) for s in samples),
        key=lambda r: -r.value,
    )
    return FleetMetric(
        metric=kind,
        average=sum(r.value for r in readings) / len(readings),
        hosts=len(readings),
        basis="per host, each host averaged over its cores" if kind is MetricKind.CPU else "per host",
        window=samples[0].window,
        highest=readings[:worst],
        readings=readings,
    )


def read_fleet_status(ctx: ToolContext, args: FleetStatusArgs) -> FleetStatus:
    """The fleet status, typed; ``fleet_status`` wraps it as a tool result.

    Raises:
        ConfigError: no metrics source. MetricsUnavailable: it cannot be reached.
        InputError: ``match`` matches no host.
    """
    states = metrics_source(ctx).host_states()
    if args.match:
        states = matching(states, args.match)
    selected = [s.ref for s in states] if args.match else None
    instances = {s.ref.instance for s in states}
    window = window_of(args.since, ctx.clock.now()) if args.since else None
    figures = [
        f for kind in dict.fromkeys(args.metrics) if (f := _fleet_metric(ctx, kind, selected, args.worst, window))
    ]
    incidents = [a for a in ctx.anomalies.open_anomalies() if a.host.instance in instances]
    return FleetStatus(
        at=ctx.clock.now(),
        up=[s for s in states if s.up],
        down=[s for s in states if not s.up],
        metrics=figures,
        open_incidents=sorted(incidents, key=lambda a: (-a.severity.rank, a.started_at)),
        selection=args.match,
    )


def fleet_status(ctx: ToolContext, args: FleetStatusArgs) -> ToolResult:
    """Fleet overview: how many hosts are up or down, fleet averages with units, the worst hosts, open incidents."""
    status = read_fleet_status(ctx, args)
    params = args.model_dump(mode="json", exclude_none=True)
    if not status.total:
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data=status)
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=status)
