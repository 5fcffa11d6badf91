"""Chart rendering: a PNG with the unit on the y axis, UTC times and the anomaly window shaded."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from matplotlib import image as mpimg

from domain.errors import InputError
from domain.models import HostRef, MetricKind, Series
from tools.charts import MAX_LINES, render_series_png

T0 = datetime(2026, 3, 10, 14, 0, tzinfo=UTC).timestamp()
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _series(name: str, metric: MetricKind = MetricKind.CPU, n: int = 60, level: float = 40.0) -> Series:
    return Series(
        host=HostRef(instance=f"{name}:9100", host=name),
        metric=metric,
        timestamps=tuple(T0 + 60 * i for i in range(n)),
        values=tuple(level + (i % 7) for i in range(n)),
    )


def _pixels(png: bytes):  # type: ignore[no-untyped-def]
    return mpimg.imread(io.BytesIO(png), format="png")


def test_renders_a_png_of_the_expected_size() -> None:
    png = render_series_png([_series("web-1"), _series("db-1", level=70)], "CPU, last hour")

    assert PNG_MAGIC == png[:8]
    assert (450, 1000) == _pixels(png).shape[:2]


def test_the_shaded_window_changes_the_image_where_it_is() -> None:
    plain = _pixels(render_series_png([_series("web-1")], "CPU"))
    shade = (datetime.fromtimestamp(T0 + 1200, UTC), datetime.fromtimestamp(T0 + 2400, UTC))
    shaded = _pixels(render_series_png([_series("web-1")], "CPU", shade=shade))

    differs = (abs(plain - shaded).sum(axis=2) > 0.05).any(axis=0)
    columns = differs.nonzero()[0]
    assert len(columns) > 100
    # The band sits in the middle third of the plot, not across all of it.
    inside = [c for c in columns if 300 < c < 700]
    assert len(inside) > 0.6 * len(columns)


@pytest.mark.parametrize("metric", [MetricKind.NETWORK_IN, MetricKind.LOAD, MetricKind.UP, MetricKind.MEMORY])
def test_every_metric_kind_renders(metric: MetricKind) -> None:
    assert PNG_MAGIC == render_series_png([_series("web-1", metric, level=0.5)], metric.label)[:8]


def test_many_hosts_are_cut_to_the_highest_peaks() -> None:
    many = [_series(f"h{i}", level=float(i)) for i in range(25)]
    title = f"CPU (top {MAX_LINES} of 25 hosts by peak)"

    cut = _pixels(render_series_png(many, "CPU"))

    # The chart of all 25 is the chart of the 10 highest alone, under the title that says so.
    highest = _pixels(render_series_png(many[-MAX_LINES:], title))
    lowest = _pixels(render_series_png(many[:MAX_LINES], title))
    assert (highest == cut).all()
    assert not (lowest == cut).all()


def test_no_points_is_an_input_error() -> None:
    with pytest.raises(InputError):
        render_series_png([_series("web-1", n=0)], "CPU")


def test_mixed_units_are_an_input_error() -> None:
    with pytest.raises(InputError):
        render_series_png([_series("a"), _series("b", MetricKind.NETWORK_IN)], "mixed")
