"""How results write times and sizes: UTC times to the second or the minute, windows with their length, binary units."""

from __future__ import annotations

from datetime import datetime

from domain.durations import format_duration


def at(moment: datetime) -> str:
    """A time as tools report it: ``2026-03-10 14:05:00 UTC``."""
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def minute(moment: datetime) -> str:
    """A time to the minute: ``2026-03-10 14:05 UTC``."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def look_back(start: datetime, end: datetime, *, until_now: bool = True) -> str:
    """A window with its length: ``2026-03-10 13:05 UTC – 2026-03-10 14:05 UTC (last 1h)``, or ``(1h)``
    for one that ended before now."""
    length = format_duration(end - start)
    return f"{minute(start)} – {minute(end)} ({'last ' if until_now else ''}{length})"


def size(num_bytes: float) -> str:
    """Bytes in binary units, as ``free`` and ``df -h`` write them: ``7.8 GiB``."""
    value = float(num_bytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"  # pragma: no cover - the loop returns
