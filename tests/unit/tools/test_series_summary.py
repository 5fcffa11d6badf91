"""Range results: passed on whole when small, summarised (stats + top-k) when large."""

from __future__ import annotations

import math

from domain.models import HostRef, MetricKind, Series
from tools.series_summary import digest_ranges, series_stats


def _series(name: str, values: list[float]) -> Series:
    return Series(
        host=HostRef(instance=f"{name}:9100", host=name),
        metric=MetricKind.CPU,
        timestamps=tuple(float(60 * i) for i in range(len(values))),
        values=tuple(values),
    )


def test_small_results_pass_whole() -> None:
    series = [_series("a", [1.0, 2.0]), _series("b", [3.0, 4.0])]

    digest = digest_ranges(series, max_points=4)

    assert not digest.summarised
    assert tuple(series) == digest.series
    assert 4 == digest.total_points


def test_large_results_keep_stats_of_the_top_k_by_peak() -> None:
    series = [_series(f"h{i}", [float(i), float(10 * i), float(i)]) for i in range(6)]

    digest = digest_ranges(series, max_points=10, top_k=2)

    assert digest.summarised
    assert () == digest.series
    assert ["h5", "h4"] == [s.series.host.name for s in digest.stats]
    assert 4 == digest.omitted
    top = digest.stats[0]
    assert (5.0, 50.0, 5.0, 3) == (top.minimum, top.maximum, top.last, top.points)
    assert math.isclose(20.0, top.mean)
    assert (0.0, 120.0) == (top.start, top.end)


def test_lowest_first_ranks_by_trough() -> None:
    series = [_series("a", [5.0, 1.0]), _series("b", [3.0, 4.0]), _series("c", [9.0, 9.0])]

    digest = digest_ranges(series, max_points=2, top_k=1, largest=False)

    assert ["a"] == [s.series.host.name for s in digest.stats]


def test_stats_skip_nan_and_a_series_without_finite_values_has_none() -> None:
    stats = series_stats(_series("a", [math.nan, 2.0, 4.0, math.nan]))

    assert stats is not None
    assert (2.0, 4.0, 3.0, 4.0, 2) == (stats.minimum, stats.maximum, stats.mean, stats.last, stats.points)
    assert series_stats(_series("b", [math.nan])) is None
