"""PNG charts of metric series for Slack uploads (matplotlib, Agg backend, no global pyplot state)."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import UTC, datetime

from matplotlib import dates as mdates

# The Agg canvas is attached to each Figure directly: no pyplot, so no global backend or
# figure registry shared between threads answering at the same time.
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from domain.errors import InputError
from domain.models import MetricKind, Series

MAX_LINES = 10
_SIZE_INCHES = (10.0, 4.5)
_DPI = 100


def _axis_label(metric: MetricKind) -> str:
    if metric is MetricKind.UP:
        return "up (1 = up, 0 = down)"
    return f"{metric.label} ({metric.unit})" if metric.unit else metric.label


def _day_number(epoch_seconds: float) -> float:
    """matplotlib's date number (days since its epoch, 1970-01-01 UTC unless changed)."""
    return _EPOCH_DAYS + epoch_seconds / 86_400.0


_EPOCH_DAYS = float(mdates.date2num(datetime(1970, 1, 1, tzinfo=UTC)))  # type: ignore[no-untyped-call]


def _peak(series: Series) -> float:
    finite = [v for v in series.values if math.isfinite(v)]
    return max(finite) if finite else -math.inf


def render_series_png(series: Sequence[Series], title: str, *, shade: tuple[datetime, datetime] | None = None) -> bytes:
    """Draw series of one metric as a line chart and return the PNG bytes.

    The y axis carries the metric's unit, the time axis is in UTC, and ``shade`` (an anomaly
    window) is drawn as a shaded band. More than ``MAX_LINES`` series are cut to the ones
    with the highest peaks, and the title says so.

    Args:
        series: series of a single metric (one line per host).
        title: chart title.
        shade: start and end of a window to shade (aware datetimes).

    Returns:
        A PNG image.

    Raises:
        InputError: no series has points, or the series mix metrics with different units.
    """
    drawn = [s for s in series if s.timestamps]
    if not drawn:
        raise InputError("there is nothing to chart: the series have no points")
    metrics = {s.metric for s in drawn}
    if len({m.unit for m in metrics}) > 1:
        raise InputError("a chart can only show metrics with the same unit")
    metric = drawn[0].metric
    if len(drawn) > MAX_LINES:
        title = f"{title} (top {MAX_LINES} of {len(drawn)} hosts by peak)"
        drawn = sorted(drawn, key=lambda s: (-_peak(s), s.host.name))[:MAX_LINES]

    fig = Figure(figsize=_SIZE_INCHES, dpi=_DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for s in sorted(drawn, key=lambda s: s.host.name):
        ax.plot([_day_number(t) for t in s.timestamps], s.values, linewidth=1.4, label=s.host.name)
    if shade is not None:
        start, end = sorted(shade)
        ax.axvspan(_day_number(start.timestamp()), _day_number(end.timestamp()), color="tab:red", alpha=0.15)
        ax.plot([], [], color="tab:red", alpha=0.4, linewidth=6, label="anomaly window")
    ax.set_title(title)
    ax.set_ylabel(_axis_label(metric))
    ax.set_xlabel("time (UTC)")
    if metric.is_percent:
        ax.set_ylim(0, 100)
    elif metric is MetricKind.UP:
        ax.set_ylim(-0.1, 1.1)
    else:
        ax.set_ylim(bottom=0)
    # matplotlib.dates ships without annotations; the calls are the documented API.
    locator = mdates.AutoDateLocator(tz=UTC)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=UTC))  # type: ignore[no-untyped-call]
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize="small", ncol=2, framealpha=0.8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
