"""Metric history as CSV, in the two layouts ``smartcloudops train --file`` reads.

- Wide: one row per UTC timestamp, one column per metric per host, named ``<metric>@<instance>``
  (``cpu@10.0.1.11:9100``). ``smartcloudops export`` writes this layout.
- Long: one row per sample, ``timestamp,instance,metric,value[,mountpoint]``; timestamps in epoch
  seconds or ISO 8601.

In both an empty value is a missing sample. Timestamps must fall between 1970 and the year 9999.
Files are read as UTF-8, with or without a byte-order mark; every reader raises ``InputError``
naming the file and line at fault. A reader given ``max_span_seconds`` refuses a file whose
earliest and latest rows are further apart, naming both rows (a stray row from another year).
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from domain.errors import InputError
from domain.models import HostRef, MetricKind, Series

TIME_COLUMN = "timestamp"
LONG_COLUMNS = ("timestamp", "instance", "metric", "value")
LATEST_TIMESTAMP = 253_402_300_799.0
"""9999-12-31T23:59:59Z, the last second a timestamp may name."""


class _Span:
    """The earliest and latest timestamps read so far, with their line numbers."""

    def __init__(self) -> None:
        self.first = (math.inf, 0)
        self.last = (-math.inf, 0)

    def add(self, stamp: float, line: int) -> None:
        if stamp < self.first[0]:
            self.first = (stamp, line)
        if stamp > self.last[0]:
            self.last = (stamp, line)

    def check(self, path: Path, max_span_seconds: float | None) -> None:
        if max_span_seconds is None or self.last[0] - self.first[0] <= max_span_seconds:
            return
        (lo, lo_line), (hi, hi_line) = self.first, self.last
        raise InputError(
            f"{path}: the rows span {(hi - lo) / 3600:,.0f} h, from line {lo_line} ({_iso(lo)}) to line "
            f"{hi_line} ({_iso(hi)}), more than {max_span_seconds / 3600:,.0f} h: remove the stray rows"
        )


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _in_range(stamp: float, cell: str) -> float:
    if not (math.isfinite(stamp) and 0 <= stamp <= LATEST_TIMESTAMP):
        raise ValueError(f"timestamp {cell.strip()[:40]!r} is not between 1970 and 9999")
    return stamp


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


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The file's non-blank CSV rows with their line numbers."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with handle:
        reader = csv.reader(handle)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}: is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
            except csv.Error as exc:
                raise InputError(f"{path}:{reader.line_num}: not a CSV row ({exc})") from exc
            if any(cell.strip() for cell in row):
                yield reader.line_num, row


def _timestamp(cell: str) -> float:
    try:
        stamp = float(cell)
    except ValueError:
        stamp = _iso_timestamp(cell)
    return _in_range(stamp, cell)


def _iso_timestamp(cell: str) -> float:
    when = datetime.fromisoformat(cell.strip().replace("Z", "+00:00"))
    return (when if when.tzinfo is not None else when.replace(tzinfo=UTC)).timestamp()


def _value(cell: str) -> float:
    return float(cell) if cell.strip() else math.nan


def read_wide_csv(path: Path, *, max_span_seconds: float | None = None) -> list[Series]:
    """Read a wide CSV back into series.

    Raises:
        InputError: missing or non-text file, bad header, ragged row, bad timestamp or a value that
            is not a number, or rows further apart than ``max_span_seconds``.
    """
    rows = _rows(path)
    _, header = next(rows, (1, []))
    if not header or header[0] != TIME_COLUMN or len(header) < 2:
        raise InputError(f"{path}:1: expected the header {TIME_COLUMN},<metric>@<instance>,...")
    columns = [_parse_column(name, path) for name in header[1:]]
    stamps: list[float] = []
    values: list[list[float]] = [[] for _ in columns]
    span = _Span()
    for n, row in rows:
        if len(row) != len(header):
            raise InputError(f"{path}:{n}: {len(row)} cells where the header has {len(header)}")
        try:
            stamps.append(_in_range(_iso_timestamp(row[0]), row[0]))
            span.add(stamps[-1], n)
            for i, cell in enumerate(row[1:]):
                values[i].append(_value(cell))
        except ValueError as exc:
            raise InputError(f"{path}:{n}: bad timestamp or value ({exc})") from exc
    if not stamps:
        raise InputError(f"{path}: no rows")
    span.check(path, max_span_seconds)
    return [
        Series(host=HostRef(instance=instance), metric=metric, timestamps=tuple(stamps), values=tuple(col))
        for (metric, instance), col in zip(columns, values, strict=True)
    ]


def read_history_csv(path: Path, *, max_span_seconds: float | None = None) -> list[Series]:
    """Read history in either layout (told apart by the header); rows of unknown metrics are skipped.

    Raises:
        InputError: the file cannot be read, its header is neither layout, a row is malformed, no
            row is of a known metric, or rows of known metrics are further apart than ``max_span_seconds``.
    """
    rows = _rows(path)
    first = next(rows, None)
    if first is None:
        raise InputError(f"{path}: file is empty")
    header = [cell.strip() for cell in first[1]]
    if header[0] == TIME_COLUMN and len(header) > 1 and "@" in header[1]:
        return read_wide_csv(path, max_span_seconds=max_span_seconds)
    if not set(LONG_COLUMNS) <= set(header):
        raise InputError(f"{path}:1: expected the header {','.join(LONG_COLUMNS)}[,mountpoint]")
    at = {name: header.index(name) for name in (*LONG_COLUMNS, "mountpoint") if name in header}
    width = max(at[name] for name in LONG_COLUMNS) + 1
    known = {m.value: m for m in MetricKind}
    points: dict[tuple[str, MetricKind, str], list[tuple[float, float]]] = defaultdict(list)
    span = _Span()
    for n, row in rows:
        if len(row) < width or not all(row[at[name]].strip() for name in ("timestamp", "instance", "metric")):
            raise InputError(f"{path}:{n}: a row needs timestamp, instance, metric and value")
        metric = known.get(row[at["metric"]].strip())
        if metric is None:
            continue
        mountpoint = row[at["mountpoint"]].strip() if "mountpoint" in at and at["mountpoint"] < len(row) else ""
        try:
            sample = (_timestamp(row[at["timestamp"]]), _value(row[at["value"]]))
        except ValueError as exc:
            raise InputError(f"{path}:{n}: bad timestamp or value ({exc})") from exc
        points[(row[at["instance"]].strip(), metric, mountpoint)].append(sample)
        span.add(sample[0], n)
    if not points:
        raise InputError(f"{path}: no rows of {', '.join(known)}")
    span.check(path, max_span_seconds)
    out = []
    for (instance, metric, mountpoint), samples in points.items():
        samples.sort()
        out.append(
            Series(
                HostRef(instance=instance),
                metric,
                tuple(t for t, _ in samples),
                tuple(v for _, v in samples),
                labels={"mountpoint": mountpoint} if mountpoint else {},
            )
        )
    return out
