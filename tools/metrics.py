"""Metric tools: current values, top hosts and a host's health, as typed results (values with metric and window)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from domain.errors import InputError
from domain.models import Anomaly, AnomalyStatus, HostRef, HostState, MetricKind, ToolResult, ToolStatus
from domain.time_expressions import parse_moment, window_of
from tools.context import ToolContext
from tools.hosts import HOST_FIELD, matching, metrics_source, resolve_state
from tools.results import HostReading
from tools.window_readings import WindowValue, window_readings

_HOST_FIELD = HOST_FIELD


class CurrentMetric(BaseModel):
    """``get_current_metric``: the selected hosts' values (busiest first when filtered or many), and the
    selected hosts that are down."""

    metric: MetricKind
    readings: list[HostReading] = []
    down: list[HostState] = []
    #: When the question was answered (what ``down since ...`` is measured against).
    checked_at: datetime
    #: The past time asked about, when not now.
    at: datetime | None = None
    #: True when ``above``/``below`` left hosts out.
    filtered: bool = False
    #: The window asked about (``since``), as people read it.
    window: str | None = None
    #: True when ``above``/``below`` had to hold for the whole window.
    throughout: bool = False


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
    since: str | None = Field(
        default=None,
        description="a window instead of now ('1h', 'since 14:00', 'this afternoon'): each host's highest value "
        "in it (its lowest with below alone), so above/below find the hosts that went past a value then",
    )
    throughout: bool = Field(
        default=False,
        description="with since and above/below: only hosts past the value for the whole window ('above 90% for "
        "10 minutes'): each host at its lowest for above, its highest for below",
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
    if args.at is not None and args.since is not None:
        raise InputError("ask about one time (at) or one window (since), not both")
    moment = _moment(args.at, now)
    window = window_of(args.since, now) if args.since is not None else None
    down = [s for s in selected or [] if not s.up] if moment is None and window is None else []
    hosts = [s.ref for s in selected] if selected is not None else None
    # Within a window each host stands at its extreme: its lowest for "below" alone, else its peak.
    lowest = window is not None and args.below is not None and args.above is None
    throughout = window is not None and args.throughout and (args.above is not None or args.below is not None)
    if window is not None and throughout:
        # Past a value for the whole window: its lowest stays above, its highest stays below.
        value = WindowValue.LOWEST if args.above is not None else WindowValue.PEAK
        samples = window_readings(ctx, args.metric, hosts, window, value)
        if args.above is not None and args.below is not None:
            peaks = {
                p.host.instance: p.value for p in window_readings(ctx, args.metric, hosts, window, WindowValue.PEAK)
            }
            samples = [s for s in samples if peaks.get(s.host.instance, args.below) < args.below]
    elif window is not None:
        value = WindowValue.LOWEST if lowest else WindowValue.PEAK
        samples = window_readings(ctx, args.metric, hosts, window, value)
    else:
        samples = metrics.current(args.metric, hosts, at=moment)
    samples = [
        s
        for s in samples
        if (args.above is None or s.value > args.above) and (args.below is None or s.value < args.below)
    ]
    params = args.model_dump(mode="json", exclude_none=True)
    filtered = args.above is not None or args.below is not None
    result = CurrentMetric(
        metric=args.metric,
        down=down,
        checked_at=now,
        at=moment,
        filtered=filtered,
        window=window.describe() if window is not None else None,
        throughout=throughout,
    )
    if not samples:
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data=result)
    # A fleet answer lists the busiest hosts first, so the part that fits in a reply is the useful part.
    ranked = filtered or len(samples) > 20
    order = (
        sorted(samples, key=lambda s: s.value if lowest else -s.value)
        if ranked
        else sorted(samples, key=lambda s: s.host.name)
    )
    result.readings = [HostReading.of(s) for s in order]
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=result)


class TopHostsArgs(BaseModel):
    """Arguments of ``top_hosts``."""

    metric: MetricKind = Field(description="cpu, memory, disk, disk_io, network_in, network_out or load")
    n: int = Field(default=5, ge=1, le=50, description="how many hosts")
    order: Literal["highest", "lowest"] = Field(default="highest", description="highest or lowest first")
    match: str | None = Field(default=None, description="only hosts whose name matches this prefix or glob (web-*)")


class TopHosts(BaseModel):
    """``top_hosts``: the hosts with the highest (or lowest) current value, of how many that report it."""

    metric: MetricKind
    order: Literal["highest", "lowest"]
    of_hosts: int
    readings: list[HostReading] = []
    #: Known hosts that are down, so not ranked.
    down: list[HostRef] = []


def top_hosts(ctx: ToolContext, args: TopHostsArgs) -> ToolResult:
    """The hosts with the highest (or lowest) current value of a metric: of the fleet, or of the hosts named by
    ``match``."""
    source = metrics_source(ctx)
    samples = source.current(args.metric, None)
    params = args.model_dump(mode="json", exclude_none=True)
    states = source.host_states()
    if args.match:
        states = matching(states, args.match)
        chosen = {h.ref.instance for h in states}
        samples = [s for s in samples if s.host.instance in chosen]
    reporting = {s.host.instance for s in samples}
    down = [h.ref for h in states if not h.up and h.ref.instance not in reporting]
    result = TopHosts(metric=args.metric, order=args.order, of_hosts=len(samples), down=down)
    if not samples:
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data=result)
    ranked = sorted(samples, key=lambda s: s.value, reverse=args.order == "highest")[: args.n]
    result.readings = [HostReading.of(s) for s in ranked]
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=result)


class HostStatusArgs(BaseModel):
    """Arguments of ``host_status``."""

    host: str = Field(description=_HOST_FIELD)


_STATUS_METRICS = (MetricKind.CPU, MetricKind.MEMORY, MetricKind.DISK, MetricKind.LOAD)


class HostStatus(BaseModel):
    """``host_status``: whether a host is up, its current CPU, memory, disk and load, and its open anomalies."""

    host: HostState
    checked_at: datetime
    readings: list[HostReading] = []
    open_anomalies: list[Anomaly] = []


def open_on(ctx: ToolContext, state: HostState) -> list[Anomaly]:
    """The host's incidents that are not resolved."""
    return [
        a
        for a in ctx.anomalies.open_anomalies()
        if a.host.instance == state.ref.instance and a.status is not AnomalyStatus.RESOLVED
    ]


def host_status(ctx: ToolContext, args: HostStatusArgs) -> ToolResult:
    """Is a host up, and its current CPU, memory, disk and load, with its open anomalies."""
    metrics = metrics_source(ctx)
    params = args.model_dump(mode="json")
    state = resolve_state(ctx, args.host)
    readings = [
        HostReading.of(found[0])
        for metric in (_STATUS_METRICS if state.up else ())
        if (found := metrics.current(metric, [state.ref]))
    ]
    data = HostStatus(host=state, checked_at=ctx.clock.now(), readings=readings, open_anomalies=open_on(ctx, state))
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=data)
