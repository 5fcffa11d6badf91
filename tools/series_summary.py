"""Shrink range results for a reader: whole series when small, per-series statistics and the top-k when not. Pure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from domain.models import Series

DEFAULT_MAX_POINTS = 2000
DEFAULT_TOP_K = 10


@dataclass(frozen=True)
class SeriesStats:
    """Minimum, maximum, mean and last value of one series, over its time span."""

    series: Series
    points: int
    start: float
    end: float
    minimum: float
    maximum: float
    mean: float
    last: float


@dataclass(frozen=True)
class RangeDigest:
    """What a range result becomes before it is handed on.

    ``series`` holds every series whole when the result fits the point limit (``summarised``
    is False); otherwise it is empty and ``stats`` holds the ``top_k`` series ranked by their
    peak, with ``omitted`` counting the series left out.
    """

    summarised: bool
    total_series: int
    total_points: int
    series: tuple[Series, ...]
    stats: tuple[SeriesStats, ...]
    omitted: int


def series_stats(series: Series) -> SeriesStats | None:
    """Statistics of one series over its finite values; None when it has none."""
    pairs = [(t, v) for t, v in zip(series.timestamps, series.values, strict=True) if math.isfinite(v)]
    if not pairs:
        return None
    values = [v for _, v in pairs]
    return SeriesStats(
        series=series,
        points=len(values),
        start=pairs[0][0],
        end=pairs[-1][0],
        minimum=min(values),
        maximum=max(values),
        mean=math.fsum(values) / len(values),
        last=values[-1],
    )


def digest_ranges(
    series: Sequence[Series],
    *,
    max_points: int = DEFAULT_MAX_POINTS,
    top_k: int = DEFAULT_TOP_K,
    largest: bool = True,
) -> RangeDigest:
    """Pass a range result on whole if it has at most ``max_points`` points, else summarise it.

    Args:
        series: the range result.
        max_points: the most points passed on whole, across all series.
        top_k: how many series keep their statistics when summarised.
        largest: rank series by highest peak (True) or lowest trough (False).

    Returns:
        A digest with either the whole series or the statistics of the top ``top_k``.
    """
    total = sum(len(s.values) for s in series)
    if total <= max_points:
        return RangeDigest(
            summarised=False,
            total_series=len(series),
            total_points=total,
            series=tuple(series),
            stats=(),
            omitted=0,
        )
    stats = [s for s in (series_stats(x) for x in series) if s is not None]
    if largest:
        stats.sort(key=lambda s: (-s.maximum, s.series.host.name))
    else:
        stats.sort(key=lambda s: (s.minimum, s.series.host.name))
    kept = tuple(stats[: max(top_k, 0)])
    return RangeDigest(
        summarised=True,
        total_series=len(series),
        total_points=total,
        series=(),
        stats=kept,
        omitted=len(series) - len(kept),
    )
