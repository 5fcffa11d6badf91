"""Metric kinds: which are percentages, and how their values read."""

from __future__ import annotations

import pytest

from domain.models import MetricKind, format_value


@pytest.mark.parametrize(
    ("metric", "is_percent"),
    [
        (MetricKind.CPU, True),
        (MetricKind.MEMORY, True),
        (MetricKind.DISK, True),
        (MetricKind.DISK_IO, False),
        (MetricKind.NETWORK_IN, False),
        (MetricKind.NETWORK_OUT, False),
        (MetricKind.LOAD, False),
        (MetricKind.UP, False),
    ],
)
def test_percent_metrics(metric: MetricKind, is_percent: bool) -> None:
    assert is_percent == metric.is_percent


@pytest.mark.parametrize(
    ("metric", "value", "text"),
    [
        (MetricKind.CPU, 97.26, "97.3%"),
        (MetricKind.NETWORK_IN, 12.34, "12.3 MB/s"),
        (MetricKind.LOAD, 0.523, "0.52"),
        (MetricKind.UP, 1.0, "up"),
        (MetricKind.UP, 0.0, "down"),
    ],
)
def test_format_value(metric: MetricKind, value: float, text: str) -> None:
    assert text == format_value(metric, value)
