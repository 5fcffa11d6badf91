"""How tools write numbers and times: always with their unit, and with the window or time they belong to."""

from __future__ import annotations

from datetime import datetime

from domain.durations import format_duration
from domain.models import MetricKind, format_value


def at(moment: datetime) -> str:
    """A time as tools report it: ``2026-03-10 14:05:00 UTC``."""
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def minute(moment: datetime) -> str:
    """A time to the minute: ``2026-03-10 14:05 UTC``."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def look_back(start: datetime, end: datetime) -> str:
    """A window ending now, with its length: ``2026-03-10 13:05 UTC – 2026-03-10 14:05 UTC (last 1h)``."""
    return f"{minute(start)} – {minute(end)} (last {format_duration(end - start)})"


def quantity(metric: MetricKind, value: float) -> str:
    """A value with its unit (``42.7%``, ``12.3 MB/s``)."""
    return format_value(metric, value)
