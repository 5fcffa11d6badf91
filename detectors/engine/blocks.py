"""Range reads laid out for the engine: one signal for many lanes on one time grid (rows × times).

Range queries go through the ``MetricsSource`` port, one batched query per signal for every host
and at most ``MAX_POINTS`` points per series. Disk is read per filesystem, one row per host ×
mountpoint, from a source that implements ``FilesystemSource`` (still one query for the fleet);
a source that also implements ``BlockSource.range_blocks`` hands the grid over as arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
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


def _from_blocks(metrics: BlockSource, signal: MetricKind, times: FloatArray, step: float) -> Block:
    """The same grid from a source that hands over arrays (no ``Series`` per host)."""
    start = float(times[0])
    order: dict[str, int] = {}
    hosts: list[HostRef] = []
    parts: list[tuple[npt.NDArray[np.intp], int, FloatArray]] = []
    for first in range(0, times.size, MAX_POINTS):
        chunk = times[first : first + MAX_POINTS]
        low = float(chunk[0]) if chunk.size > 1 else float(chunk[0]) - step
        block = metrics.range_blocks([signal], start=_utc(low), end=_utc(float(chunk[-1])), step_seconds=step)[signal]
        rows = np.empty(len(block.hosts), dtype=np.intp)
        for n, host in enumerate(block.hosts):
            if host.instance not in order:
                order[host.instance] = len(hosts)
                hosts.append(host)
            rows[n] = order[host.instance]
        offset = round((block.start - start) / step)
        parts.append((rows, offset, block.values))
    values = np.full((len(hosts), times.size), np.nan)
    for rows, offset, part in parts:
        lo, hi = max(offset, 0), min(offset + part.shape[1], times.size)
        if hi > lo:
            values[rows, lo:hi] = part[:, lo - offset : hi - offset]
    return Block(signal=signal, hosts=tuple(hosts), times=times, values=values, mounts=("",) * len(hosts))
