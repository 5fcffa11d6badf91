"""Which way a series is going, by how much, and when a filling disk is full at that pace. Pure."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from domain.models import MetricKind

Direction = Literal["rising", "falling", "steady"]
# A change smaller than this (in points for percentages, as a share of the mean otherwise) is steady.
_STEADY_POINTS = 2.0
_STEADY_SHARE = 0.05


@dataclass(frozen=True)
class Trend:
    """Which way a series went over its span: its direction, its change from start to end, its pace."""

    direction: Direction
    change: float
    per_hour: float
    first: float
    last: float


#: The share of a series, at each end, whose median is its level at that end.
_EDGE_SHARE = 0.1


def fit_trend(metric: MetricKind, points: Sequence[tuple[float, float]]) -> Trend | None:
    """The trend of ``(epoch seconds, value)`` points; None with fewer than three points or no span.

    The change is the level at the end less the level at the start, each the median of a tenth of
    the points (at least three), carried out to the whole span: a series that rose and came back
    down has not risen, and a straight line changes by its slope times the span. The pace is the
    least-squares slope when it goes the same way (a steady fill), else the change over the span.
    """
    if len(points) < 3 or points[-1][0] <= points[0][0]:
        return None
    n = len(points)
    edge = max(3, round(n * _EDGE_SHARE)) if n >= 6 else 1
    values = [v for _, v in points]
    times = [t for t, _ in points]
    # The two levels stand at their edges' middle times; the change is carried out to the whole span.
    apart = statistics.median(times[-edge:]) - statistics.median(times[:edge])
    span = times[-1] - times[0]
    change = (statistics.median(values[-edge:]) - statistics.median(values[:edge])) * span / max(apart, 1e-9)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(values) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    slope = sum((t - mean_t) * (v - mean_v) for t, v in points) / var if var else 0.0
    per_hour = slope * 3600 if slope * change > 0 else change / (span / 3600)
    steady = _STEADY_POINTS if metric.is_percent else _STEADY_SHARE * max(abs(mean_v), 1e-9)
    direction: Direction = "steady" if abs(change) < steady else "rising" if change > 0 else "falling"
    return Trend(direction=direction, change=change, per_hour=per_hour, first=points[0][1], last=points[-1][1])


def time_to_full(trend: Trend, *, now: datetime, full: float = 100.0) -> datetime | None:
    """When a percentage that is rising reaches ``full`` at the trend's pace; None when it is not rising."""
    if trend.direction != "rising" or trend.per_hour <= 0 or trend.last >= full:
        return None
    hours = (full - trend.last) / trend.per_hour
    if hours > 24 * 365:
        return None
    return now + timedelta(hours=hours)


#: A disk's pace towards full is the pace of its last hour when that hour rises: a fill that began
#: part-way through a long window would otherwise be averaged with the flat hours before it.
RECENT_PACE_SECONDS = 3600.0


def filling_pace(points: Sequence[tuple[float, float]], whole: Trend) -> Trend:
    """The trend that says when a disk (or leaking memory) is full: the last hour's when it rises or has
    slowed to under half the window's pace, else the whole window's (a slow, steady fill)."""
    recent = [p for p in points if p[0] >= points[-1][0] - RECENT_PACE_SECONDS]
    last_hour = fit_trend(MetricKind.DISK, recent) if len(recent) < len(points) else None  # both in %
    if last_hour is not None and (last_hour.direction == "rising" or last_hour.per_hour < whole.per_hour / 2):
        # Rising, or it slowed down or stopped: the earlier pace says nothing of when it is full.
        return last_hour
    return whole


def reaches_back(points: Sequence[tuple[float, float]], start: datetime, step_seconds: float) -> datetime | None:
    """When the data starts if it starts noticeably after ``start`` (None when it covers the window)."""
    if not points:
        return None
    first = datetime.fromtimestamp(points[0][0], UTC)
    return first if (first - start).total_seconds() > max(3 * step_seconds, 60.0) else None


def longest_gap(points: Sequence[tuple[float, float]], step_seconds: float) -> tuple[datetime, datetime] | None:
    """The longest stretch inside the points without data, when it is longer than ten minutes and five steps:
    the last sample before it and the first after it."""
    if len(points) < 2:
        return None
    before, after = max(itertools.pairwise(points), key=lambda pair: pair[1][0] - pair[0][0])
    if after[0] - before[0] <= max(600.0, 5 * step_seconds):
        return None
    return datetime.fromtimestamp(before[0], UTC), datetime.fromtimestamp(after[0], UTC)


def down_stretches(points: Sequence[tuple[float, float]]) -> list[tuple[datetime, datetime | None]]:
    """The stretches of an ``up`` series at 0: from the first 0 to the first 1 after it (None: still down at the
    last sample). Each time is a sample's time, so a stretch is known to within one step."""
    out: list[tuple[datetime, datetime | None]] = []
    began: float | None = None
    for t, v in points:
        if v < 0.5 and began is None:
            began = t
        elif v >= 0.5 and began is not None:
            out.append((datetime.fromtimestamp(began, UTC), datetime.fromtimestamp(t, UTC)))
            began = None
    if began is not None:
        out.append((datetime.fromtimestamp(began, UTC), None))
    return out
