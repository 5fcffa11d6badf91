"""node_exporter-format text for a simulated fleet: live scrapes and OpenMetrics history for backfill."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from domain.models import HostRef, MetricKind
from simulator.fleet import (
    BUCKET_SECONDS,
    CPUS_PER_HOST,
    DISK_SIZE_BYTES,
    MEMORY_TOTAL_BYTES,
    FleetModel,
    FloatArray,
)

_MB = 1_000_000.0


@dataclass(frozen=True)
class _Counter:
    name: str
    extra: str
    metric: MetricKind
    scale: float
    idle: bool = False


def _counters() -> tuple[_Counter, ...]:
    counters = []
    for cpu in range(CPUS_PER_HOST):
        counters.append(_Counter("node_cpu_seconds_total", f'cpu="{cpu}",mode="idle"', MetricKind.CPU, 0.01, True))
        counters.append(_Counter("node_cpu_seconds_total", f'cpu="{cpu}",mode="user"', MetricKind.CPU, 0.007))
        counters.append(_Counter("node_cpu_seconds_total", f'cpu="{cpu}",mode="system"', MetricKind.CPU, 0.003))
    counters += [
        _Counter("node_network_receive_bytes_total", 'device="eth0"', MetricKind.NETWORK_IN, _MB),
        _Counter("node_network_transmit_bytes_total", 'device="eth0"', MetricKind.NETWORK_OUT, _MB),
        _Counter("node_disk_read_bytes_total", 'device="nvme0n1"', MetricKind.DISK_IO, _MB * 0.4),
        _Counter("node_disk_written_bytes_total", 'device="nvme0n1"', MetricKind.DISK_IO, _MB * 0.6),
    ]
    return tuple(counters)


COUNTERS = _counters()
_FS = 'device="/dev/nvme0n1p1",fstype="ext4",mountpoint="/"'


def host_labels(ref: HostRef) -> str:
    """The identifying labels every series of a host carries."""
    return f'host="{ref.host}",instance="{ref.instance}",instance_id="{ref.instance_id}",job="node"'


class CounterIntegrator:
    """Cumulative counters for every host, integrated bucket by bucket from ``origin``."""

    def __init__(self, model: FleetModel, origin: float) -> None:
        self.model = model
        self.origin = FleetModel.bucket_start(origin)
        self._next_bucket = self.origin
        self._totals = {m: np.zeros(model.size) for m in {c.metric for c in COUNTERS}}
        self._idle = np.zeros(model.size)

    def _advance(self, until_bucket: float) -> None:
        if until_bucket <= self._next_bucket:
            return
        starts = np.arange(self._next_bucket, until_bucket, BUCKET_SECONDS, dtype=np.float64)
        for metric in self._totals:
            rates = self.model.rates(metric, starts)
            self._totals[metric] += rates.sum(axis=1) * BUCKET_SECONDS
            if metric is MetricKind.CPU:
                self._idle += (100.0 - rates).sum(axis=1) * BUCKET_SECONDS
        self._next_bucket = until_bucket

    def values(self, t: float) -> dict[MetricKind | str, FloatArray]:
        """Integrals of each counted metric from ``origin`` to ``t`` for every host (``"idle"`` for CPU idle)."""
        if t < self.origin:
            raise ValueError("time before the integrator's origin")
        bucket = FleetModel.bucket_start(t)
        self._advance(bucket)
        partial = t - bucket
        here = np.array([bucket])
        out: dict[MetricKind | str, FloatArray] = {}
        for metric, total in self._totals.items():
            rate = self.model.rates(metric, here)[:, 0]
            out[metric] = total + rate * partial
            if metric is MetricKind.CPU:
                out["idle"] = self._idle + (100.0 - rate) * partial
        return out


def _series_lines(model: FleetModel, integrator: CounterIntegrator, t: float) -> Iterator[tuple[str, str, list[str]]]:
    """(family, type, lines) for every metric family at time ``t``; down hosts are left out."""
    totals = integrator.values(t)
    here = np.array([t])
    up = ~model.down_mask(t)
    labels = [host_labels(ref) for ref in model.refs]
    rows = [i for i in range(model.size) if up[i]]

    by_family: dict[str, list[str]] = {}
    for counter in COUNTERS:
        source = totals["idle"] if counter.idle else totals[counter.metric]
        values = source * counter.scale
        lines = by_family.setdefault(counter.name, [])
        lines.extend(f"{counter.name}{{{labels[i]},{counter.extra}}} {values[i]:.3f}" for i in rows)
    yield from ((name, "counter", lines) for name, lines in by_family.items())

    memory = model.rates(MetricKind.MEMORY, here)[:, 0]
    disk = model.rates(MetricKind.DISK, here)[:, 0]
    load = model.rates(MetricKind.LOAD, here)[:, 0]
    gauges = {
        "node_memory_MemTotal_bytes": ("", np.full(model.size, float(MEMORY_TOTAL_BYTES))),
        "node_memory_MemAvailable_bytes": ("", MEMORY_TOTAL_BYTES * (1.0 - memory / 100.0)),
        "node_filesystem_size_bytes": (_FS, np.full(model.size, float(DISK_SIZE_BYTES))),
        "node_filesystem_avail_bytes": (_FS, DISK_SIZE_BYTES * (1.0 - disk / 100.0)),
        "node_load1": ("", load),
    }
    for name, (extra, values) in gauges.items():
        sep = "," if extra else ""
        yield name, "gauge", [f"{name}{{{labels[i]}{sep}{extra}}} {values[i]:.3f}" for i in rows]
    yield (
        "node_uname_info",
        "gauge",
        [f'node_uname_info{{{labels[i]},nodename="{model.refs[i].host}"}} 1' for i in rows],
    )


def render_exposition(model: FleetModel, integrator: CounterIntegrator, t: float) -> str:
    """The Prometheus text format of every host's metrics at time ``t``."""
    parts: list[str] = []
    for family, kind, lines in _series_lines(model, integrator, t):
        parts.append(f"# TYPE {family} {kind}")
        parts.extend(lines)
    parts.append("")
    return "\n".join(parts)


def write_openmetrics(
    model: FleetModel, *, start: float, end: float, step: float, out: TextIO, origin: float | None = None
) -> int:
    """Write the fleet's history from ``start`` to ``end`` as OpenMetrics for ``promtool tsdb create-blocks-from``.

    Args:
        origin: where counters start from; pass a live simulator's origin so its scrapes continue this history.

    Returns:
        The number of samples written.
    """
    integrator = CounterIntegrator(model, start if origin is None else origin)
    times = np.arange(start, end + 1e-9, step)
    # OpenMetrics wants each family contiguous and each series in time order, so collect
    # per (family, series) first.
    families: dict[str, tuple[str, dict[str, list[str]]]] = {}
    for t in times:
        for family, kind, lines in _series_lines(model, integrator, float(t)):
            series = families.setdefault(family, (kind, {}))[1]
            for line in lines:
                key, value = line.rsplit(" ", 1)
                series.setdefault(key, []).append(f"{key} {value} {t:.3f}")
    count = 0
    for family, (kind, series) in families.items():
        out.write(f"# TYPE {family} {kind}\n")
        for samples in series.values():
            out.write("\n".join(samples))
            out.write("\n")
            count += len(samples)
    out.write("# EOF\n")
    return count
