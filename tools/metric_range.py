"""The range tool: a host metric's minimum, peak, average, latest value and trend over a window, typed."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field

from domain.durations import format_duration
from domain.models import HostState, MetricKind, ToolResult, ToolStatus
from domain.time_expressions import window_of
from tools.context import ToolContext
from tools.hosts import HOST_FIELD, metrics_source, resolve_state
from tools.results import JsonValue, Quantity
from tools.trend import (
    Direction,
    Trend,
    down_stretches,
    filling_pace,
    fit_trend,
    longest_gap,
    reaches_back,
    time_to_full,
)


class MetricRangeArgs(BaseModel):
    """Arguments of ``get_metric_range``."""

    metric: MetricKind = Field(
        description="cpu, memory, disk, disk_io, network_in, network_out, load, or up (when the host was down)"
    )
    host: str = Field(description=HOST_FIELD)
    since: str = Field(
        default="1h",
        description="how far back, e.g. 30m, 6h, 2d (at most 31d), or a window: 'since 09:00', "
        "'between 10:00 and 12:00', 'yesterday', 'today'",
    )


class RangeStats(BaseModel):
    """The figures of a series over the window: the peak and the latest value with their times."""

    minimum: Quantity
    peak: Quantity
    mean: Quantity
    last: Quantity
    points: int


class TrendLine(BaseModel):
    """Which way the metric went over the window: the change over it and the pace per hour."""

    direction: Direction
    change: Quantity
    per_hour: Quantity

    def for_model(self) -> JsonValue:
        """``rising: +12.0% over the last 1h (+12.0%/h)``."""
        return f"{self.direction}: {self.change.signed_text} {self.change.window} ({self.per_hour.signed_text}/h)"


class MetricRange(BaseModel):
    """``get_metric_range``: a host metric over ``start``–``end``; ``stats`` is None when there is no data."""

    host: HostState
    metric: MetricKind
    start: datetime
    end: datetime
    stats: RangeStats | None = None
    trend: TrendLine | None = None
    #: When a filling disk (or memory, leaking) is full at the trend's pace.
    full_at: datetime | None = None
    #: The pace ``full_at`` comes from: the last hour's when it rises, else the window's.
    fill_pace: Quantity | None = None
    #: When the data starts, if it starts noticeably after ``start``.
    reaches_back_to: datetime | None = None
    #: The longest stretch of the window without data (last sample before it, first after it), if long.
    gap: tuple[datetime, datetime] | None = None
    #: How often the window was sampled ("4m").
    sampled_every: str = "1m"
    #: For ``up``: when the host was down in the window (end None: still down at the window's end).
    down: list[tuple[datetime, datetime | None]] = []
    #: False for a window that ended before now ("between 10:00 and 12:00", "yesterday").
    until_now: bool = True

    @property
    def span(self) -> timedelta:
        """Length of the window."""
        return self.end - self.start


def _stats(metric: MetricKind, values: list[tuple[float, float]], span: str, *, latest: str) -> RangeStats:
    nums = [v for _, v in values]
    peak_t, peak = max(values, key=lambda p: p[1])
    last_t, last = values[-1]

    def at(t: float) -> datetime:
        return datetime.fromtimestamp(t, UTC)

    return RangeStats(
        minimum=Quantity(metric=metric, value=min(nums), window=f"minimum over {span}"),
        peak=Quantity(metric=metric, value=peak, window=f"peak over {span}", at=at(peak_t)),
        mean=Quantity(metric=metric, value=sum(nums) / len(nums), window=f"average over {span}"),
        last=Quantity(metric=metric, value=last, window=latest, at=at(last_t)),
        points=len(nums),
    )


def _trend_line(metric: MetricKind, trend: Trend, span: str) -> TrendLine:
    return TrendLine(
        direction=trend.direction,
        change=Quantity(metric=metric, value=trend.change, window=f"over {span}"),
        per_hour=Quantity(metric=metric, value=trend.per_hour, window="per hour"),
    )


def get_metric_range(ctx: ToolContext, args: MetricRangeArgs) -> ToolResult:
    """Min, max, average, latest and trend (rising/falling; disk time-to-full) of a host metric over a window."""
    metrics = metrics_source(ctx)
    state = resolve_state(ctx, args.host)
    now = ctx.clock.now()
    window = window_of(args.since, now)
    start, end = window.start, window.end
    span = window.duration
    step = window.sample_step()
    series = metrics.range(args.metric, [state.ref], start=start, end=end, step_seconds=step)
    params = args.model_dump(mode="json")
    values = [(t, v) for s in series for t, v in zip(s.timestamps, s.values, strict=True) if math.isfinite(v)]
    if not state.up and state.last_seen is not None and args.metric is not MetricKind.UP:
        # Past its last sample a down host's series is Prometheus' look-back repeating that sample.
        values = [(t, v) for t, v in values if t <= state.last_seen.timestamp()]
    result = MetricRange(host=state, metric=args.metric, start=start, end=end, until_now=end == now, step_seconds=step)
    if not values:
        return ToolResult(status=ToolStatus.NO_DATA, params=params, data=result)
    to_now = result.until_now
    described = f"the last {format_duration(span)}" if to_now else window.describe()
    result.stats = _stats(args.metric, values, described, latest="latest" if to_now else f"last in {described}")
    trend = fit_trend(args.metric, values) if args.metric is not MetricKind.UP else None
    if args.metric is MetricKind.UP:
        result.down = down_stretches(values)
    if trend is not None:
        result.trend = _trend_line(args.metric, trend, described)
        # A disk fills up from now on: a past window's pace says nothing of when.
        if args.metric in (MetricKind.DISK, MetricKind.MEMORY) and to_now:
            pace = filling_pace(values, trend)
            result.full_at = time_to_full(pace, now=end)
            if result.full_at is not None:
                result.fill_pace = Quantity(metric=args.metric, value=pace.per_hour, window="per hour")
    result.reaches_back_to = reaches_back(values, start, step)
    result.gap = longest_gap(values, step)
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=result)
