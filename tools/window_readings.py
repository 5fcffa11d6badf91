"""Each host's one value of a metric over a window: its average, its highest or its lowest sample, and when.

``fleet_status since`` averages; ``get_current_metric since`` asks which hosts went above or below
a value within the window, so it takes each host's highest sample (its lowest for ``below`` alone).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from enum import StrEnum

from domain.models import HostRef, MetricKind, Sample
from domain.time_expressions import TimeWindow
from tools.context import ToolContext
from tools.hosts import metrics_source


class WindowValue(StrEnum):
    """Which value of a host's samples over a window stands for the window."""

    AVERAGE = "average"
    PEAK = "peak"
    LOWEST = "lowest"


def window_readings(
    ctx: ToolContext, kind: MetricKind, hosts: list[HostRef] | None, window: TimeWindow, value: WindowValue
) -> list[Sample]:
    """Each host's ``value`` of ``kind`` over ``window``; hosts without a sample in it are left out.

    An average is stamped with the window's end; a peak or a lowest value with the time it was read.
    """
    step = window.sample_step()
    series = metrics_source(ctx).range(kind, hosts, start=window.start, end=window.end, step_seconds=step)
    label = f"{value.value} over {window.describe()}"
    out = []
    for one in series:
        points = [(t, v) for t, v in zip(one.timestamps, one.values, strict=True) if math.isfinite(v)]
        if not points:
            continue
        if value is WindowValue.AVERAGE:
            out.append(
                Sample(one.host, kind, sum(v for _, v in points) / len(points), window.end.astimezone(UTC), label)
            )
            continue
        pick = max if value is WindowValue.PEAK else min
        when, reading = pick(points, key=lambda p: p[1])
        out.append(Sample(one.host, kind, reading, datetime.fromtimestamp(when, UTC), label))
    return out
