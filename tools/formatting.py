"""How tools write numbers and times: always with their unit, and with the window or time they belong to."""

from __future__ import annotations

from datetime import datetime

from domain.models import MetricKind, format_value


def at(moment: datetime) -> str:
    """A time as tools report it: ``2026-03-10 14:05:00 UTC``."""
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def minute(moment: datetime) -> str:
    """A time to the minute: ``2026-03-10 14:05 UTC``."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def quantity(metric: MetricKind, value: float) -> str:
    """A value with its unit (``42.7%``, ``12.3 MB/s``)."""
    return format_value(metric, value)
