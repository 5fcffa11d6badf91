"""A deterministic model of a fleet's host metrics, vectorised over hosts.

Every value is a pure function of (host, time): a daily cycle, a weekly tilt and
hash noise, held constant within ``BUCKET_SECONDS`` buckets, plus injected incidents.
Counters (CPU seconds, bytes) are exact integrals of those bucketed rates, so a
Prometheus ``rate()`` over them returns the bucket averages the model knows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from domain.models import HostRef, MetricKind

BUCKET_SECONDS = 15
CPUS_PER_HOST = 2
MEMORY_TOTAL_BYTES = 8 * 1024**3
DISK_SIZE_BYTES = 100 * 1024**3
DATA_DISK_SIZE_BYTES = 500 * 1024**3
DAY = 86_400.0

FloatArray = npt.NDArray[np.float64]


class IncidentKind(StrEnum):
    """Incidents the simulator can inject."""

    CPU_SATURATION = "cpu_saturation"
    MEMORY_LEAK = "memory_leak"
    DISK_FILL = "disk_fill"
    NETWORK_SPIKE = "network_spike"
    HOST_DOWN = "host_down"
    NETWORK_OUT_SPIKE = "network_out_spike"
    DISK_IO_SPIKE = "disk_io_spike"
    LOAD_SPIKE = "load_spike"
    MEMORY_SPIKE = "memory_spike"


@dataclass(frozen=True)
class Incident:
    """An incident on one host between ``start`` and ``start + duration`` (epoch seconds)."""

    kind: IncidentKind
    host: str
    start: float
    duration: float

    def active(self, t: FloatArray) -> npt.NDArray[np.bool_]:
        """Mask of the times at which the incident is under way."""
        return (t >= self.start) & (t < self.start + self.duration)

    def progress(self, t: FloatArray) -> FloatArray:
        """0 → 1 across the incident, clipped outside it."""
        return np.clip((t - self.start) / max(self.duration, 1.0), 0.0, 1.0)


def _hash_noise(host_index: npt.NDArray[np.int64], bucket: npt.NDArray[np.int64], salt: int) -> FloatArray:
    """Uniform noise in [-1, 1) from an integer hash of (host, bucket, salt)."""
    x = (host_index.astype(np.uint64) * np.uint64(0x9E3779B1)) ^ (
        bucket.astype(np.uint64) * np.uint64(0x85EBCA77) + np.uint64(salt * 0xC2B2AE3D)
    )
    x ^= x >> np.uint64(15)
    x *= np.uint64(0x2C1B3C6D)
    x ^= x >> np.uint64(12)
    x *= np.uint64(0x297A2D39)
    x ^= x >> np.uint64(15)
    return (x % np.uint64(1 << 24)).astype(np.float64) / float(1 << 23) - 1.0


class FleetModel:
    """Hosts and their metric rates at any time.

    Args:
        hosts: number of hosts.
        incidents: incidents to inject.
        seed: changes every host's baseline levels.
    """

    def __init__(self, hosts: int, incidents: tuple[Incident, ...] = (), seed: int = 7) -> None:
        if hosts < 1:
            raise ValueError("a fleet needs at least one host")
        self.size = hosts
        self.incidents = incidents
        rng = np.random.default_rng(seed)
        self.refs = tuple(_host_ref(i) for i in range(hosts))
        self._index = {ref.name: i for i, ref in enumerate(self.refs)}
        self._cpu_base = rng.uniform(12.0, 40.0, hosts)
        self._cpu_amp = rng.uniform(5.0, 18.0, hosts)
        self._phase = rng.uniform(0.0, 1.0, hosts)
        self._mem_base = rng.uniform(35.0, 65.0, hosts)
        self._disk_base = rng.uniform(20.0, 60.0, hosts)
        self._net_base = rng.uniform(0.5, 6.0, hosts)
        self._data_base = rng.uniform(10.0, 80.0, hosts)
        for incident in incidents:
            if incident.host not in self._index:
                raise ValueError(f"incident on unknown host {incident.host}")

    def index_of(self, name: str) -> int:
        """Row of a host by its friendly name."""
        return self._index[name]

    @staticmethod
    def bucket_start(t: float) -> float:
        """Start of the bucket holding time ``t``."""
        return math.floor(t / BUCKET_SECONDS) * BUCKET_SECONDS

    def rates(self, metric: MetricKind, times: FloatArray) -> FloatArray:
        """Values of ``metric`` for every host (rows) at the bucket of each time (columns)."""
        t = np.floor(np.asarray(times, dtype=np.float64) / BUCKET_SECONDS) * BUCKET_SECONDS
        bucket = (t / BUCKET_SECONDS).astype(np.int64)[None, :]
        hosts = np.arange(self.size, dtype=np.int64)[:, None]
        day = np.sin(2 * math.pi * (t[None, :] / DAY + self._phase[:, None]))
        salt = list(MetricKind).index(metric) + 1
        noise = _hash_noise(hosts, bucket, salt)
        if metric is MetricKind.CPU:
            values = self._cpu_base[:, None] + self._cpu_amp[:, None] * day + 4.0 * noise
        elif metric is MetricKind.MEMORY:
            values = self._mem_base[:, None] + 3.0 * day + 1.0 * noise
        elif metric is MetricKind.DISK:
            values = self._disk_base[:, None] + 0.5 * noise + 0.0 * day
        elif metric in (MetricKind.NETWORK_IN, MetricKind.NETWORK_OUT):
            scale = 1.0 if metric is MetricKind.NETWORK_IN else 0.6
            values = scale * self._net_base[:, None] * (1.0 + 0.5 * day + 0.2 * noise)
        elif metric is MetricKind.DISK_IO:
            values = 0.3 * self._net_base[:, None] * (1.0 + 0.3 * day + 0.3 * noise)
        elif metric is MetricKind.LOAD:
            cpu = self.rates(MetricKind.CPU, times)
            values = cpu / 100.0 * CPUS_PER_HOST + 0.1 * (noise + 1.0)
        elif metric is MetricKind.UP:
            values = np.ones((self.size, t.size))
        else:  # pragma: no cover - exhaustive over MetricKind
            raise ValueError(metric)
        values = np.array(values, dtype=np.float64, copy=True)
        self._apply_incidents(metric, t, values)
        if metric.is_percent:
            np.clip(values, 0.5, 99.9, out=values)
        else:
            np.clip(values, 0.0, None, out=values)
        return values

    def _apply_incidents(self, metric: MetricKind, t: FloatArray, values: FloatArray) -> None:
        for incident in self.incidents:
            row = self._index[incident.host]
            active = incident.active(t)
            if not active.any():
                continue
            kind = incident.kind
            if kind is IncidentKind.CPU_SATURATION and metric in (MetricKind.CPU, MetricKind.LOAD):
                target = 97.0 if metric is MetricKind.CPU else 2.2 * CPUS_PER_HOST
                values[row, active] = target + 0.02 * target * np.sin(t[active])
            elif kind is IncidentKind.MEMORY_LEAK and metric is MetricKind.MEMORY:
                base = values[row, active]
                values[row, active] = base + (98.0 - base) * incident.progress(t[active])
            elif kind is IncidentKind.DISK_FILL and metric is MetricKind.DISK:
                base = values[row, active]
                values[row, active] = base + (99.0 - base) * incident.progress(t[active])
            elif kind is IncidentKind.NETWORK_SPIKE and metric is MetricKind.NETWORK_IN:
                values[row, active] = values[row, active] * 12.0 + 40.0
            elif kind is IncidentKind.HOST_DOWN and metric is MetricKind.UP:
                values[row, active] = 0.0
            elif kind is IncidentKind.NETWORK_OUT_SPIKE and metric is MetricKind.NETWORK_OUT:
                values[row, active] = values[row, active] * 10.0 + 30.0
            elif kind is IncidentKind.DISK_IO_SPIKE and metric is MetricKind.DISK_IO:
                values[row, active] = values[row, active] * 10.0 + 60.0
            elif kind is IncidentKind.LOAD_SPIKE and metric is MetricKind.LOAD:
                # Tasks blocked on I/O: the load climbs while the CPU stays where it was.
                values[row, active] = 3.0 * CPUS_PER_HOST + 0.05 * CPUS_PER_HOST * np.sin(t[active])
            elif kind is IncidentKind.MEMORY_SPIKE and metric is MetricKind.MEMORY:
                values[row, active] = 94.0 + np.sin(t[active] / 60.0)

    def data_disk(self, times: FloatArray) -> FloatArray:
        """Used % of each host's second filesystem (``/data``): slow growth over days, no incidents."""
        t = np.floor(np.asarray(times, dtype=np.float64) / BUCKET_SECONDS) * BUCKET_SECONDS
        growth = 2.0 * np.sin(2 * math.pi * (t[None, :] / (7 * DAY) + self._phase[:, None]))
        return np.clip(self._data_base[:, None] + growth, 0.5, 99.9)

    def down_mask(self, t: float) -> npt.NDArray[np.bool_]:
        """Hosts that are down at time ``t``."""
        return self.rates(MetricKind.UP, np.array([t]))[:, 0] < 0.5

    def average(self, metric: MetricKind, end: float, window: float = 60.0) -> FloatArray:
        """Mean of ``metric`` over ``(end - window, end]`` for every host, as ``rate()`` would see it."""
        times = np.arange(end - window, end, 1.0) + 1.0
        return np.asarray(self.rates(metric, times).mean(axis=1), dtype=np.float64)


def _host_ref(i: int) -> HostRef:
    roles = ("web", "api", "db", "cache", "worker")
    role = roles[i % len(roles)]
    number = i // len(roles) + 1
    octet3, octet4 = divmod(10 + i, 250)
    return HostRef(
        instance=f"10.0.{1 + octet3}.{octet4 + 1}:9100",
        host=f"{role}-{number}",
        instance_id=f"i-{(0x0A000000 + i * 7919):017x}",
    )
