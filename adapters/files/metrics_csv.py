"""Metric history as a wide CSV: one row per UTC timestamp, one column per metric per host.

Columns are named ``<metric>@<instance>`` (``cpu@10.0.1.11:9100``); an empty cell is a missing
sample. ``smartcloudops export`` writes this format and ``smartcloudops train --input`` reads it.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from domain.errors import InputError
from domain.models import HostRef, MetricKind, Series

TIME_COLUMN = "timestamp"


def column_name(series: Series) -> str:
    """The column of one host's metric."""
    return f"{series.metric.value}@{series.host.instance}"


def write_wide_csv(series: Iterable[Series], out: TextIO) -> int:
    """Write ``series`` as a wide CSV; returns the number of rows.

    Args:
        series: any number of series; samples are aligned on their exact timestamps.
        out: a text stream opened with ``newline=""``.
    """
    columns: dict[str, dict[float, float]] = {}
    for s in series:
        values = columns.setdefault(column_name(s), {})
        values.update(zip(s.timestamps, s.values, strict=True))
    names = sorted(columns)
    stamps = sorted({t for values in columns.values() for t in values})
    writer = csv.writer(out)
    writer.writerow([TIME_COLUMN, *names])
    for t in stamps:
        cells = [columns[name].get(t) for name in names]
        writer.writerow(
            [
                datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                *("" if v is None or not math.isfinite(v) else f"{v:.6g}" for v in cells),
            ]
        )
    return len(stamps)


def _parse_column(name: str, path: Path) -> tuple[MetricKind, str]:
    metric, sep, instance = name.partition("@")
    try:
        kind = MetricKind(metric)
    except ValueError:
        kind = None
    if not sep or not instance or kind is None:
        known = ", ".join(m.value for m in MetricKind)
        raise InputError(f"{path}:1: column '{name[:60]}' is not <metric>@<instance> with a metric of {known}")
    return kind, instance


def read_wide_csv(path: Path) -> list[Series]:
    """Read a wide CSV back into series.

    Raises:
        InputError: missing file, bad header, ragged row, bad timestamp or a value that is not a number.
    """
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header or header[0] != TIME_COLUMN or len(header) < 2:
            raise InputError(f"{path}:1: expected the header {TIME_COLUMN},<metric>@<instance>,...")
        columns = [_parse_column(name, path) for name in header[1:]]
        stamps: list[float] = []
        values: list[list[float]] = [[] for _ in columns]
        for n, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise InputError(f"{path}:{n}: {len(row)} cells where the header has {len(header)}")
            try:
                stamps.append(datetime.fromisoformat(row[0].replace("Z", "+00:00")).timestamp())
                for i, cell in enumerate(row[1:]):
                    values[i].append(float(cell) if cell else math.nan)
            except ValueError as exc:
                raise InputError(f"{path}:{n}: bad timestamp or value ({exc})") from exc
    if not stamps:
        raise InputError(f"{path}: no rows")
    return [
        Series(host=HostRef(instance=instance), metric=metric, timestamps=tuple(stamps), values=tuple(col))
        for (metric, instance), col in zip(columns, values, strict=True)
    ]
