"""The "what happened on X around T" tool: a host's signals around a time against the hour before, and the
incidents that overlapped it."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from domain.errors import InputError
from domain.models import Anomaly, HostState, MetricKind, ToolResult, ToolStatus
from domain.time_expressions import parse_moment
from tools.context import ToolContext
from tools.formatting import minute
from tools.hosts import HOST_FIELD, metrics_source, resolve_state
from tools.results import JsonValue, Quantity

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


class SignalChange(BaseModel):
    """One signal's average around the time, and its average over the hour before (None without data)."""

    around: Quantity
    before: Quantity | None = None

    @property
    def change(self) -> Quantity | None:
        """The average around the time less the one before it."""
        if self.before is None:
            return None
        delta = self.around.value - self.before.value
        return Quantity(metric=self.around.metric, value=delta, window="change on the hour before")

    def for_model(self) -> JsonValue:
        """The signal's name and both averages, each with unit and window, and the change with its sign."""
        out: dict[str, JsonValue] = {"signal": self.around.metric.label, "around": self.around.for_model()}
        if self.before is not None and (change := self.change) is not None:
            out["before"] = self.before.for_model()
            out["change"] = f"{change.signed_text} ({change.window})"
        return out


class AroundTime(BaseModel):
    """``what_happened``: a host's signals around ``at`` (``start``–``end``) and the incidents that overlapped it."""

    host: HostState
    checked_at: datetime
    at: datetime
    start: datetime
    end: datetime
    signals: list[SignalChange] = []
    incidents: list[Anomaly] = []


def _mean(points: list[tuple[float, float]], start: datetime, end: datetime) -> float | None:
    values = [v for t, v in points if start.timestamp() <= t <= end.timestamp() and math.isfinite(v)]
    return sum(values) / len(values) if values else None


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
    lo = moment - AROUND
    data = AroundTime(host=state, checked_at=now, at=moment, start=lo, end=end)
    for metric in SIGNALS:
        series = metrics.range(metric, [ref], start=start, end=end, step_seconds=60.0)
        points = [(t, v) for s in series for t, v in zip(s.timestamps, s.values, strict=True)]
        around, before = _mean(points, lo, end), _mean(points, start, lo)
        if around is None:
            continue
        now_q = Quantity(metric=metric, value=around, window=f"average {minute(lo)} – {minute(end)}")
        then = f"average over the hour before, {minute(start)} – {minute(lo)}"
        before_q = None if before is None else Quantity(metric=metric, value=before, window=then)
        data.signals.append(SignalChange(around=now_q, before=before_q))
    data.incidents = [
        a
        for a in ctx.anomalies.between(moment - timedelta(days=1), moment + AROUND)
        if a.host.instance == ref.instance and (a.ended_at is None or a.ended_at >= lo)
    ]
    status = ToolStatus.SUCCESS if data.signals or data.incidents else ToolStatus.NO_DATA
    return ToolResult(status=status, params=args.model_dump(mode="json"), data=data)
