"""The diagnosis tool: each of a host's signals against its own recent baseline, and its open incidents.

The baseline is the median and MAD of the previous 24 hours of that signal on that host, read
from the metrics source; a signal is abnormal when it is far from it, or a percentage near full.
"""

from __future__ import annotations

import math
import statistics
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from domain.models import Anomaly, HostRef, HostState, MetricKind, ToolResult, ToolStatus
from domain.ports import MetricsSource
from tools.context import ToolContext
from tools.hosts import HOST_FIELD, metrics_source, resolve_state
from tools.metrics import open_on
from tools.results import JsonValue, Quantity

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
BASELINE_WINDOW = "24h median"


class DiagnoseArgs(BaseModel):
    """Arguments of ``diagnose_host``."""

    host: str = Field(description=HOST_FIELD)


class SignalCheck(BaseModel):
    """One signal's current value beside its usual value (None while there is no baseline yet)."""

    value: Quantity
    usual: Quantity | None = None

    def for_model(self) -> JsonValue:
        """The signal's name, its value and its usual value, each with unit and window."""
        usual = self.usual.for_model() if self.usual is not None else "no baseline yet"
        return {"signal": self.value.metric.label, "value": self.value.for_model(), "usual": usual}


class Diagnosis(BaseModel):
    """``diagnose_host``: each signal against its baseline, split into abnormal and normal, and open incidents."""

    host: HostState
    checked_at: datetime
    abnormal: list[SignalCheck] = []
    normal: list[SignalCheck] = []
    open_incidents: list[Anomaly] = []


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
    data = Diagnosis(host=state, checked_at=ctx.clock.now(), open_incidents=open_on(ctx, state))
    if not state.up:
        return ToolResult(status=ToolStatus.SUCCESS, params=params, data=data)
    metrics = metrics_source(ctx)
    for metric in SIGNALS:
        found = metrics.current(metric, [ref])
        if not found:
            continue
        sample = found[0]
        value = Quantity(metric=metric, value=sample.value, window=sample.window, at=sample.timestamp)
        base = _baseline(metrics, metric, ref, ctx)
        if base is None:
            data.normal.append(SignalCheck(value=value))
            continue
        median, mad = base
        check = SignalCheck(value=value, usual=Quantity(metric=metric, value=median, window=BASELINE_WINDOW))
        (data.abnormal if is_abnormal(metric, sample.value, median, mad) else data.normal).append(check)
    return ToolResult(status=ToolStatus.SUCCESS, params=params, data=data)
