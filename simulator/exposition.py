"""node_exporter-format text for a simulated fleet: live scrapes and history for backfill.

One simulator stands in for N node_exporter targets behind a single scrape target, so
Prometheus' own ``up`` series (one per target) cannot say which simulated host is down.
The simulator therefore exports, for every host, the ``up`` series Prometheus would have
recorded had it scraped that host's own node_exporter (1, or 0 while a ``host_down``
incident lasts), and leaves out every other series of a down host, as a failed scrape
would. Scrape it with ``honor_labels: true`` so those ``instance``/``job`` labels are kept.

History is written family by family and, inside a family, time-major (every series in
time order), in chunks, so hours of a 1,000-host fleet stream out in bounded memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, TextIO

import numpy as np

from domain.models import HostRef, MetricKind
from simulator.fleet import (
    BUCKET_SECONDS,
    CPUS_PER_HOST,
    DATA_DISK_SIZE_BYTES,
    DISK_SIZE_BYTES,
    MEMORY_TOTAL_BYTES,
    FleetModel,
    FloatArray,
)

_MB = 1_000_000.0
_MAX_BUCKETS_PER_CHUNK = 2048
_MAX_TIMES_PER_CHUNK = 120
HistoryFormat = Literal["openmetrics", "prometheus"]


def step_times(start: float, end: float, step: float) -> FloatArray:
    """``start``, ``start + step``, ... up to and including ``end`` (exact for epoch-sized floats)."""
    count = int(np.floor((end - start) / step + 1e-6)) + 1
    return start + step * np.arange(count, dtype=np.float64)


def host_labels(ref: HostRef) -> str:
    """The identifying labels every series of a host carries."""
    return f'host="{ref.host}",instance="{ref.instance}",instance_id="{ref.instance_id}",job="node"'


class RunningIntegral:
    """The integral of one metric's bucketed rate (or of ``100 - rate`` for CPU idle) from ``origin``."""

    def __init__(self, model: FleetModel, metric: MetricKind, origin: float, *, complement: bool = False) -> None:
        self.model = model
        self.metric = metric
        self.complement = complement
        self._next_bucket = FleetModel.bucket_start(origin)
        self.origin = self._next_bucket
        self._total = np.zeros(model.size)

    def _rates(self, starts: FloatArray) -> FloatArray:
        rates = self.model.rates(self.metric, starts)
        return 100.0 - rates if self.complement else rates

    def _advance(self, until_bucket: float) -> None:
        while self._next_bucket < until_bucket:
            stop = min(until_bucket, self._next_bucket + _MAX_BUCKETS_PER_CHUNK * BUCKET_SECONDS)
            starts = np.arange(self._next_bucket, stop, BUCKET_SECONDS, dtype=np.float64)
            self._total += self._rates(starts).sum(axis=1) * BUCKET_SECONDS
            self._next_bucket = float(stop)

    def at(self, times: FloatArray) -> FloatArray:
        """Integrals at each of ``times`` (non-decreasing, and not before earlier calls' last bucket).

        Returns:
            An array of hosts (rows) by times (columns).
        """
        times = np.asarray(times, dtype=np.float64)
        if times.size == 0:
            return np.zeros((self.model.size, 0))
        if times[0] < self._next_bucket:
            raise ValueError("times must not go back before the integrator's position")
        self._advance(FleetModel.bucket_start(float(times[0])))
        buckets = np.floor(times / BUCKET_SECONDS) * BUCKET_SECONDS
        grid = np.arange(self._next_bucket, buckets[-1] + BUCKET_SECONDS / 2, BUCKET_SECONDS, dtype=np.float64)
        rates = self._rates(grid)
        before = np.concatenate([np.zeros((self.model.size, 1)), np.cumsum(rates, axis=1)[:, :-1]], axis=1)
        cumulative = self._total[:, None] + before * BUCKET_SECONDS
        idx = np.rint((buckets - self._next_bucket) / BUCKET_SECONDS).astype(np.int64)
        out = cumulative[:, idx] + rates[:, idx] * (times - buckets)[None, :]
        self._total = cumulative[:, -1]
        self._next_bucket = float(grid[-1])
        return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True)
class _Family:
    name: str
    kind: str
    variants: tuple[str, ...]  # extra labels of each series of a host
    values: Callable[[FloatArray], list[FloatArray]]  # one (hosts x times) array per variant
    always: bool = False  # also written for down hosts


class CounterIntegrator:
    """Cumulative counters and gauges of every host, from ``origin`` on; one per scrape stream."""

    def __init__(self, model: FleetModel, origin: float) -> None:
        self.model = model
        self.origin = FleetModel.bucket_start(origin)
        self.families = _families(model, self.origin)
        self.prefixes = [_prefixes(model, f) for f in self.families]


def _families(model: FleetModel, origin: float) -> tuple[_Family, ...]:
    cpu = RunningIntegral(model, MetricKind.CPU, origin)
    idle = RunningIntegral(model, MetricKind.CPU, origin, complement=True)
    net_in = RunningIntegral(model, MetricKind.NETWORK_IN, origin)
    net_out = RunningIntegral(model, MetricKind.NETWORK_OUT, origin)
    disk_io = RunningIntegral(model, MetricKind.DISK_IO, origin)
    # Families are written one after another over the whole time span, so each keeps its own integral.
    disk_written = RunningIntegral(model, MetricKind.DISK_IO, origin)
    modes = [(c, m) for c in range(CPUS_PER_HOST) for m in ("idle", "user", "system")]
    share = {"user": 0.007, "system": 0.003}

    def cpu_values(t: FloatArray) -> list[FloatArray]:
        busy, free = cpu.at(t), idle.at(t) * 0.01
        return [free if m == "idle" else busy * share[m] for _, m in modes]

    def const(value: float) -> Callable[[FloatArray], list[FloatArray]]:
        return lambda t: [np.full((model.size, t.size), value)]

    def rate(metric: MetricKind, fn: Callable[[FloatArray], FloatArray]) -> Callable[[FloatArray], list[FloatArray]]:
        return lambda t: [fn(model.rates(metric, t))]

    root = 'device="/dev/nvme0n1p1",fstype="ext4",mountpoint="/"'
    data = 'device="/dev/nvme1n1",fstype="xfs",mountpoint="/data"'
    return (
        _Family(
            "node_cpu_seconds_total",
            "counter",
            tuple(f'cpu="{c}",mode="{m}"' for c, m in modes),
            cpu_values,
        ),
        _Family("node_network_receive_bytes_total", "counter", ('device="eth0"',), lambda t: [net_in.at(t) * _MB]),
        _Family("node_network_transmit_bytes_total", "counter", ('device="eth0"',), lambda t: [net_out.at(t) * _MB]),
        _Family("node_disk_read_bytes_total", "counter", ('device="nvme0n1"',), lambda t: [disk_io.at(t) * _MB * 0.4]),
        _Family(
            "node_disk_written_bytes_total",
            "counter",
            ('device="nvme0n1"',),
            lambda t: [disk_written.at(t) * _MB * 0.6],
        ),
        _Family("node_memory_MemTotal_bytes", "gauge", ("",), const(float(MEMORY_TOTAL_BYTES))),
        _Family(
            "node_memory_MemAvailable_bytes",
            "gauge",
            ("",),
            rate(MetricKind.MEMORY, lambda v: MEMORY_TOTAL_BYTES * (1.0 - v / 100.0)),
        ),
        _Family(
            "node_filesystem_size_bytes",
            "gauge",
            (root, data),
            lambda t: [np.full((model.size, t.size), float(s)) for s in (DISK_SIZE_BYTES, DATA_DISK_SIZE_BYTES)],
        ),
        _Family(
            "node_filesystem_avail_bytes",
            "gauge",
            (root, data),
            lambda t: [
                DISK_SIZE_BYTES * (1.0 - model.rates(MetricKind.DISK, t) / 100.0),
                DATA_DISK_SIZE_BYTES * (1.0 - model.data_disk(t) / 100.0),
            ],
        ),
        _Family("node_load1", "gauge", ("",), rate(MetricKind.LOAD, lambda v: v)),
        _Family("node_uname_info", "gauge", ("nodename",), const(1.0)),
        _Family("up", "gauge", ("",), rate(MetricKind.UP, lambda v: v), always=True),
    )


def _prefixes(model: FleetModel, family: _Family) -> list[list[str]]:
    """``name{labels}`` of each variant (outer) for each host (inner)."""
    out = []
    for extra in family.variants:
        if extra == "nodename":
            out.append([f'{family.name}{{{host_labels(r)},nodename="{r.host}"}}' for r in model.refs])
        else:
            sep = "," if extra else ""
            out.append([f"{family.name}{{{host_labels(r)}{sep}{extra}}}" for r in model.refs])
    return out


def _family_lines(
    model: FleetModel, family: _Family, prefixes: list[list[str]], times: FloatArray, stamps: list[str]
) -> Iterator[str]:
    """Text lines of one family for every time in ``times`` (time-major), ``stamps`` appended."""
    matrices = [m.tolist() for m in family.values(times)]
    down = model.rates(MetricKind.UP, times) < 0.5
    for j, stamp in enumerate(stamps):
        rows = range(model.size) if family.always else np.flatnonzero(~down[:, j]).tolist()
        for v, values in enumerate(matrices):
            names = prefixes[v]
            yield "".join(f"{names[i]} {values[i][j]:.3f}{stamp}\n" for i in rows)


def render_exposition(model: FleetModel, integrator: CounterIntegrator, t: float) -> str:
    """The Prometheus text format of every host's metrics at time ``t`` (down hosts: only ``up``)."""
    parts: list[str] = []
    times = np.array([t], dtype=np.float64)
    for family, prefixes in zip(integrator.families, integrator.prefixes, strict=True):
        parts.append(f"# TYPE {family.name} {family.kind}\n")
        parts.extend(_family_lines(model, family, prefixes, times, [""]))
    return "".join(parts)


def write_history(
    model: FleetModel,
    *,
    start: float,
    end: float,
    step: float,
    out: TextIO,
    origin: float | None = None,
    fmt: HistoryFormat = "openmetrics",
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Stream the fleet's history from ``start`` to ``end`` every ``step`` seconds.

    Args:
        model: the fleet.
        start: first sample time (epoch seconds).
        end: last sample time, inclusive.
        step: seconds between samples.
        out: where the text goes.
        origin: where counters start from; pass a live simulator's origin so its scrapes continue this history.
        fmt: ``openmetrics`` (timestamps in seconds, ``# EOF``; for ``promtool tsdb create-blocks-from
            openmetrics``) or ``prometheus`` (text format with millisecond timestamps; for
            VictoriaMetrics' ``/api/v1/import/prometheus``).
        progress: called with (families done, families in all) after each family.

    Returns:
        The number of samples written.
    """
    if step <= 0 or end < start:
        raise ValueError("history needs a positive step and end >= start")
    integrator = CounterIntegrator(model, start if origin is None else origin)
    times = step_times(start, end, step)
    # Bounded memory: a chunk of times holds hosts x variants x chunk values as Python floats.
    chunk = max(1, min(_MAX_TIMES_PER_CHUNK, int(_MAX_BUCKETS_PER_CHUNK * BUCKET_SECONDS // step)))
    count = 0
    for n, (family, prefixes) in enumerate(zip(integrator.families, integrator.prefixes, strict=True), 1):
        out.write(f"# TYPE {family.name} {family.kind}\n")
        for i in range(0, times.size, chunk):
            part = times[i : i + chunk]
            if fmt == "openmetrics":
                stamps = [f" {t:.3f}" for t in part.tolist()]
            else:
                stamps = [f" {round(t * 1000)}" for t in part.tolist()]
            for block in _family_lines(model, family, prefixes, part, stamps):
                out.write(block)
                count += block.count("\n")
        if progress is not None:
            progress(n, len(integrator.families))
    if fmt == "openmetrics":
        out.write("# EOF\n")
    return count


def write_openmetrics(
    model: FleetModel, *, start: float, end: float, step: float, out: TextIO, origin: float | None = None
) -> int:
    """Write the fleet's history as OpenMetrics for ``promtool tsdb create-blocks-from openmetrics``.

    Returns:
        The number of samples written.
    """
    return write_history(model, start=start, end=end, step=step, out=out, origin=origin, fmt="openmetrics")
