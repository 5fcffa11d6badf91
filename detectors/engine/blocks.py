"""Range reads laid out for the engine: one signal for many lanes on one time grid (rows × times).

Range queries go through the ``MetricsSource`` port, one batched query per signal for every host
and at most ``MAX_POINTS`` points per series. Disk is read per filesystem, one row per host ×
mountpoint, from a source that implements ``FilesystemSource`` (still one query for the fleet).
A source that implements ``GridSource`` (the Prometheus adapter) lays the answer on the grid
itself, so no ``Series`` is built per host; its reads are also cut so that one answer holds at
most about ``SAMPLE_BUDGET`` samples, which bounds the memory a bootstrap of a large fleet needs.
A source that implements ``BlockSource.range_blocks`` hands the grid over as arrays.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from detectors.engine.baseline import FloatArray
from detectors.model.cycle import BlockSource
from domain.models import HostRef, MetricKind, Series
from domain.ports import MetricsSource

MAX_POINTS = 1000
# Short reads (a live cycle's minutes) of a grid source are sent this many at a time: the server
# evaluates one while the answer of another is decoded here.
CONCURRENT_READS = 3
# Samples per answer, and the points of the first read of a signal, which tells how many rows it has.
SAMPLE_BUDGET = 1_000_000
_FIRST_READ_POINTS = 60


@runtime_checkable
class FilesystemSource(Protocol):
    """A metrics source that reads disk used % per filesystem."""

    def filesystem_range(
        self, hosts: Sequence[HostRef] | None, *, start: datetime, end: datetime, step_seconds: float
    ) -> list[Series]:
        """Used % of every real filesystem of the hosts (all when None), one series per host × mountpoint.

        Each series carries its mountpoint in ``labels["mountpoint"]``.
        """
        ...


@dataclass(frozen=True)
class Block:
    """One signal for many rows on one time grid (NaN where a row had no sample).

    A row is a host, or for disk a host's filesystem: ``mounts`` holds each row's mountpoint
    (``""`` for a signal that is not per filesystem).
    """

    signal: MetricKind
    hosts: tuple[HostRef, ...]
    times: FloatArray
    values: FloatArray
    mounts: tuple[str, ...] = ()

    def only(self, keep: npt.NDArray[np.bool_]) -> Block:
        """The rows where ``keep`` is set."""
        picked = np.flatnonzero(keep).tolist()
        mounts = self.mounts or ("",) * len(self.hosts)
        return Block(
            signal=self.signal,
            hosts=tuple(self.hosts[n] for n in picked),
            times=self.times,
            values=self.values[keep],
            mounts=tuple(mounts[n] for n in picked),
        )


@runtime_checkable
class GridSource(Protocol):
    """A metrics source that reads one signal for every host straight onto a time grid."""

    def signal_grid(self, signal: MetricKind, times: FloatArray) -> Block:
        """``signal`` for every host (disk: each filesystem) at each of ``times`` (evenly spaced), in one query."""
        ...


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class ReadRange(Protocol):
    """Series between two times at a step."""

    def __call__(self, start: datetime, end: datetime, step: float, /) -> list[Series]: ...


def _reader(metrics: MetricsSource, signal: MetricKind, hosts: Sequence[HostRef] | None) -> ReadRange:
    if signal is MetricKind.DISK and isinstance(metrics, FilesystemSource):
        source = metrics

        def filesystems(start: datetime, end: datetime, step: float) -> list[Series]:
            return source.filesystem_range(hosts, start=start, end=end, step_seconds=step)

        return filesystems

    def series(start: datetime, end: datetime, step: float) -> list[Series]:
        return metrics.range(signal, hosts, start=start, end=end, step_seconds=step)

    return series


def fetch_block(
    metrics: MetricsSource,
    signal: MetricKind,
    start: float,
    end: float,
    step: float,
    hosts: Sequence[HostRef] | None = None,
) -> Block:
    """``signal`` for ``hosts`` (every host when None) at ``start``, ``start + step``, … ≤ ``end``.

    In queries of at most ``MAX_POINTS`` points per series.
    """
    times = np.arange(start, end + step / 2, step)
    if isinstance(metrics, GridSource) and hosts is None:
        return _from_grids(metrics, signal, times)
    if isinstance(metrics, BlockSource) and hosts is None:
        return _from_blocks(metrics, signal, times, step)
    read = _reader(metrics, signal, hosts)

    def chunks() -> Iterator[Series]:
        for first in range(0, times.size, MAX_POINTS):
            chunk = times[first : first + MAX_POINTS]
            # A range needs two ends: one timestamp is asked as the step before it up to it.
            low = float(chunk[0]) if chunk.size > 1 else float(chunk[0]) - step
            yield from read(_utc(low), _utc(float(chunk[-1])), step)

    return block_of(signal, chunks(), times)


def fetch_blocks(
    metrics: MetricsSource, signals: Sequence[MetricKind], start: float, end: float, step: float
) -> list[Block]:
    """Every signal in ``signals`` for every host at ``start``, ``start + step``, … ≤ ``end``, in that order.

    A grid source's short reads go ``CONCURRENT_READS`` at a time; long ones one after the other,
    so a catch-up never holds more than one large answer.
    """

    def one(signal: MetricKind) -> Block:
        return fetch_block(metrics, signal, start, end, step)

    points = math.floor((end - start) / step) + 1
    if isinstance(metrics, GridSource) and len(signals) > 1 and points <= _FIRST_READ_POINTS:
        with ThreadPoolExecutor(max_workers=min(len(signals), CONCURRENT_READS)) as pool:
            return list(pool.map(one, signals))
    return [one(signal) for signal in signals]


def block_of(signal: MetricKind, series: Iterable[Series], times: FloatArray) -> Block:
    """Series of ``signal`` laid out on the grid ``times`` (evenly spaced), one row per host × mountpoint."""
    start = float(times[0]) if times.size else 0.0
    step = float(times[1] - times[0]) if times.size > 1 else 1.0
    rows: dict[tuple[str, str], tuple[HostRef, FloatArray]] = {}
    # Series of one query mostly share one timestamps tuple: place each distinct tuple on the grid once.
    placed: dict[int, tuple[tuple[float, ...], npt.NDArray[np.int64], npt.NDArray[np.bool_]]] = {}
    for one in series:
        key = (one.host.instance, one.labels.get("mountpoint", ""))
        _, row = rows.setdefault(key, (one.host, np.full(times.size, np.nan)))
        where = placed.get(id(one.timestamps))
        if where is None or where[0] is not one.timestamps:
            slots = np.rint((np.asarray(one.timestamps, dtype=np.float64) - start) / step).astype(np.int64)
            keep = (slots >= 0) & (slots < times.size)
            where = (one.timestamps, slots[keep], keep)
            placed[id(one.timestamps)] = where
        row[where[1]] = np.asarray(one.values, dtype=np.float64)[where[2]]
    values = np.stack([r for _, r in rows.values()]) if rows else np.zeros((0, times.size))
    return Block(
        signal=signal,
        hosts=tuple(h for h, _ in rows.values()),
        times=times,
        values=values,
        mounts=tuple(mount for _, mount in rows),
    )


def _from_grids(metrics: GridSource, signal: MetricKind, times: FloatArray) -> Block:
    """The grid read in parts of at most about ``SAMPLE_BUDGET`` samples each (the first part is short)."""
    parts: list[tuple[Block, int]] = []
    first, points = 0, min(_FIRST_READ_POINTS, MAX_POINTS)
    while first < times.size:
        part = metrics.signal_grid(signal, times[first : first + points])
        parts.append((part, first))
        first += points
        points = max(1, min(MAX_POINTS, SAMPLE_BUDGET // max(len(part.hosts), 1)))
    return _merged(signal, times, parts)


def _from_blocks(metrics: BlockSource, signal: MetricKind, times: FloatArray, step: float) -> Block:
    """The same grid from a source that hands over arrays (no ``Series`` per host)."""
    start = float(times[0])
    parts: list[tuple[Block, int]] = []
    for first in range(0, times.size, MAX_POINTS):
        chunk = times[first : first + MAX_POINTS]
        low = float(chunk[0]) if chunk.size > 1 else float(chunk[0]) - step
        block = metrics.range_blocks([signal], start=_utc(low), end=_utc(float(chunk[-1])), step_seconds=step)[signal]
        offset = round((block.start - start) / step)
        part = Block(
            signal=signal, hosts=block.hosts, times=chunk, values=block.values, mounts=("",) * len(block.hosts)
        )
        parts.append((part, offset))
    return _merged(signal, times, parts)


def _merged(signal: MetricKind, times: FloatArray, parts: Sequence[tuple[Block, int]]) -> Block:
    """Parts of one grid, each with the column its values start at, as one block (rows by host × mountpoint)."""
    if len(parts) == 1 and parts[0][1] == 0 and parts[0][0].values.shape[1] == times.size:
        only = parts[0][0]
        return Block(signal=signal, hosts=only.hosts, times=times, values=only.values, mounts=only.mounts)
    order: dict[tuple[str, str], int] = {}
    hosts: list[HostRef] = []
    mounts: list[str] = []
    placed: list[tuple[npt.NDArray[np.intp], int, FloatArray]] = []
    for part, offset in parts:
        rows = np.empty(len(part.hosts), dtype=np.intp)
        for n, (host, mount) in enumerate(zip(part.hosts, part.mounts or ("",) * len(part.hosts), strict=True)):
            key = (host.instance, mount)
            if key not in order:
                order[key] = len(hosts)
                hosts.append(host)
                mounts.append(mount)
            rows[n] = order[key]
        placed.append((rows, offset, part.values))
    values = np.full((len(hosts), times.size), np.nan)
    for rows, offset, part_values in placed:
        lo, hi = max(offset, 0), min(offset + part_values.shape[1], times.size)
        if hi > lo:
            values[rows, lo:hi] = part_values[:, lo - offset : hi - offset]
    return Block(signal=signal, hosts=tuple(hosts), times=times, values=values, mounts=tuple(mounts))
