"""A fleet written apart from ``simulator/``: its own noise, labels, scrape interval and incidents.

Detection is tuned and tested mostly on the project's simulator, whose rates are constant within
5-minute buckets. This fleet is built differently, the way a node_exporter fleet looks to
Prometheus: scraped every 30 s, a third of its hosts without a ``host`` label, CPU as a daily
cycle plus autocorrelated noise, hourly cron bursts on two hosts, a garbage-collected heap, ``/``,
``/data`` and a ``/run`` tmpfs, Gaussian noise on disk I/O and network, and one host rebooted
(its counters start again from 0). It is written as OpenMetrics for ``promtool tsdb
create-blocks-from openmetrics``. Times are taken from the period's start, so the same fleet is
written whatever the hour.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

SCRAPE_SECONDS = 30.0
CPUS = 4
MEMORY_BYTES = 16e9
_DAY = 86400.0
_FILESYSTEMS = (("/", "/dev/nvme0n1p1", "ext4", 100e9), ("/data", "/dev/nvme1n1", "xfs", 500e9))


@dataclass(frozen=True)
class NoisyHost:
    """One host: its friendly name (None when it has no ``host`` label) and ``instance``."""

    name: str
    instance: str
    labelled: bool

    @property
    def labels(self) -> str:
        """The labels on every series of the host."""
        own = f'instance="{self.instance}",job="node"'
        return f'host="{self.name}",{own}' if self.labelled else own

    @property
    def shown(self) -> str:
        """How the product names it: its ``host`` label, else its ``instance``."""
        return self.name if self.labelled else self.instance


@dataclass(frozen=True)
class Injected:
    """An incident written into the fleet: on which host and signal, the engine kind expected, its span."""

    what: str
    host: NoisyHost
    signal: str
    kind: str
    start: float
    end: float


HOSTS = tuple(NoisyHost(f"node-{chr(97 + i)}", f"10.0.2.{10 + i}:9100", i % 3 != 2) for i in range(12))
#: The host restarted a hundred minutes into the replay: its counters start again from 0, and nothing is an incident.
REBOOTED = HOSTS[6]
#: (what, host, signal, engine kind, minutes into the replay it starts, minutes it lasts; None: until the end).
INCIDENTS = (
    ("cpu saturation at 95%", 0, "cpu", "anomaly", 40, 60),
    ("cpu at 78% on a quiet host", 9, "cpu", "anomaly", 200, 40),
    ("memory leak, 8 points an hour", 2, "memory", "memory_leak", 30, None),
    ("/data filling, 6 points an hour", 5, "disk", "disk_fill", 60, None),
    ("network in at 6x", 4, "network_in", "anomaly", 90, 20),
    ("host down", 7, "up", "host_down", 120, 12),
    ("disk I/O at 8x", 8, "disk_io", "anomaly", 150, 25),
    ("load at 3x the CPUs", 10, "load", "anomaly", 170, 25),
    ("memory at 93%", 1, "memory", "anomaly", 240, 30),
    ("network out at 6x", 3, "network_out", "anomaly", 280, 20),
)


def _autoregressive(rng: np.random.Generator, n: int, sd: float, phi: float = 0.8) -> Floats:
    shocks = rng.normal(0.0, sd, n)
    out = np.empty(n)
    out[0] = shocks[0]
    for k in range(1, n):
        out[k] = phi * out[k - 1] + shocks[k]
    return out


class NoisyFleet:
    """Every host's gauges and rates from ``start`` to ``end``; the incidents begin after ``replay_from``."""

    def __init__(self, *, start: float, end: float, replay_from: float, seed: int = 11) -> None:
        rng = np.random.default_rng(seed)
        self.times = np.arange(start, end + 1e-6, SCRAPE_SECONDS)
        self.replay_from = replay_from
        n, count = self.times.size, len(HOSTS)
        phase = (self.times - start) / _DAY
        self.cpu, self.memory, self.load = np.zeros((count, n)), np.zeros((count, n)), np.zeros((count, n))
        self.used = {mount: np.zeros((count, n)) for mount, *_ in _FILESYSTEMS}
        self.disk_io, self.net_in, self.net_out = np.zeros((count, n)), np.zeros((count, n)), np.zeros((count, n))
        self.up = np.ones((count, n), dtype=bool)
        for i in range(count):
            offset = rng.uniform(0, 1)
            cycle = np.sin(2 * np.pi * (phase + offset))
            cpu = rng.uniform(10, 45) + rng.uniform(3, 15) * cycle + _autoregressive(rng, n, rng.uniform(2, 6))
            if i in (1, 11):  # an hourly cron job
                cpu += np.where(((self.times - start) % 3600) < 240, 30.0, 0.0)
            self.cpu[i] = np.clip(cpu, 1, 99)
            walk = np.cumsum(rng.normal(0, 0.05, n))
            memory = rng.uniform(30, 70) + np.clip(walk - np.linspace(0, walk[-1], n), -5, 5)
            if i == 4:  # a garbage-collected heap
                memory += 8 * (((self.times - start) % 1200) / 1200)
            self.memory[i] = np.clip(memory + rng.normal(0, 0.5, n), 1, 99)
            self.used["/"][i] = rng.uniform(20, 70) + 0.05 * (self.times - start) / 3600
            self.used["/data"][i] = rng.uniform(30, 60) + 0.12 * ((self.times - start) % _DAY) / 3600
            self.disk_io[i] = rng.uniform(1, 30) * (1 + np.clip(rng.normal(0, 0.25, n), -0.9, None))
            base = rng.uniform(0.5, 20) * (1 + 0.4 * cycle)
            self.net_in[i] = base * (1 + np.clip(rng.normal(0, 0.15, n), -0.9, None))
            self.net_out[i] = 0.6 * base * (1 + np.clip(rng.normal(0, 0.15, n), -0.9, None))
            self.load[i] = CPUS * self.cpu[i] / 100 * rng.uniform(0.8, 1.2) + np.abs(rng.normal(0, 0.2, n))
        self.injected = tuple(self._inject(rng, *incident) for incident in INCIDENTS)
        self.reboot_at = replay_from + 100 * 60

    def _inject(
        self, rng: np.random.Generator, what: str, host: int, signal: str, kind: str, minutes: int, length: int | None
    ) -> Injected:
        begins = self.replay_from + 60 * minutes
        ends = float(self.times[-1]) if length is None else begins + 60 * length
        during = (self.times >= begins) & (self.times < ends)
        since = np.maximum(self.times - begins, 0.0) / 3600 * (self.times >= begins)
        size = int(during.sum())
        if what.startswith("cpu saturation"):
            self.cpu[host, during] = np.clip(95 + rng.normal(0, 1.5, size), 1, 100)
            self.load[host, during] = CPUS * 0.95 + 0.5
        elif what.startswith("cpu at"):
            self.cpu[host, during] = np.clip(78 + rng.normal(0, 2, size), 1, 100)
        elif kind == "memory_leak":
            self.memory[host] = np.minimum(self.memory[host] + 8 * since, 97)
        elif kind == "disk_fill":
            self.used["/data"][host] = np.minimum(self.used["/data"][host] + 6 * since, 100)
        elif signal == "network_in":
            self.net_in[host, during] *= 6
        elif signal == "network_out":
            self.net_out[host, during] *= 6
        elif signal == "up":
            self.up[host, during] = False
        elif signal == "disk_io":
            self.disk_io[host, during] *= 8
        elif signal == "load":
            self.load[host, during] = CPUS * 3 + rng.normal(0, 0.3, size)
        else:
            self.memory[host, during] = 93 + rng.normal(0, 0.5, size)
        return Injected(what, HOSTS[host], signal, kind, begins, ends)

    def _counter(self, host: int, rate: Floats, offset: float) -> Floats:
        total: Floats = np.cumsum(rate * SCRAPE_SECONDS) + offset
        if HOSTS[host] is REBOOTED:
            k = int(np.searchsorted(self.times, self.reboot_at))
            total[k:] = np.cumsum(rate[k:] * SCRAPE_SECONDS)
        return total

    def _families(self) -> Iterator[tuple[str, str, list[tuple[int, str, Floats]]]]:
        hosts = range(len(HOSTS))
        cpu_rows = []
        for i in hosts:
            busy = self.cpu[i] / 100
            for c in range(CPUS):
                for mode, rate in (
                    ("idle", 1 - busy),
                    ("user", 0.7 * busy),
                    ("system", 0.2 * busy),
                    ("iowait", 0.1 * busy),
                ):
                    cpu_rows.append((i, f'cpu="{c}",mode="{mode}"', self._counter(i, rate, 1e6 * (i + 1))))
        yield "node_cpu_seconds_total", "counter", cpu_rows
        yield "node_memory_MemTotal_bytes", "gauge", [(i, "", np.full(self.times.size, MEMORY_BYTES)) for i in hosts]
        available = [(i, "", MEMORY_BYTES * (1 - self.memory[i] / 100)) for i in hosts]
        yield "node_memory_MemAvailable_bytes", "gauge", available
        sizes, free = [], []
        for i in hosts:
            for mount, device, fstype, size in (*_FILESYSTEMS, ("/run", "tmpfs", "tmpfs", 1e9)):
                labels = f'device="{device}",fstype="{fstype}",mountpoint="{mount}"'
                used = self.used[mount][i] if mount in self.used else np.full(self.times.size, 5.0)
                sizes.append((i, labels, np.full(self.times.size, size)))
                free.append((i, labels, size * (1 - np.clip(used, 0, 100) / 100)))
        yield "node_filesystem_size_bytes", "gauge", sizes
        yield "node_filesystem_avail_bytes", "gauge", free
        for name, share in (("node_disk_read_bytes_total", 0.4e6), ("node_disk_written_bytes_total", 0.6e6)):
            rows = [(i, 'device="nvme0n1"', self._counter(i, self.disk_io[i] * share, 1e9)) for i in hosts]
            yield name, "counter", rows
        received = [(i, 'device="eth0"', self._counter(i, self.net_in[i] * 1e6, 1e9)) for i in hosts]
        loopback = [(i, 'device="lo"', self._counter(i, np.full(self.times.size, 3e6), 1e9)) for i in hosts]
        yield "node_network_receive_bytes_total", "counter", received + loopback
        sent = [(i, 'device="eth0"', self._counter(i, self.net_out[i] * 1e6, 1e9)) for i in hosts]
        yield "node_network_transmit_bytes_total", "counter", sent
        yield "node_load1", "gauge", [(i, "", self.load[i]) for i in hosts]
        booted = [
            (i, "", np.where(self.times >= self.reboot_at, self.reboot_at, self.times[0] - 30 * _DAY))
            if HOSTS[i] is REBOOTED
            else (i, "", np.full(self.times.size, self.times[0] - 30 * _DAY))
            for i in hosts
        ]
        yield "node_boot_time_seconds", "gauge", booted
        yield "node_uname_info", "gauge", [(i, f'nodename="{HOSTS[i].name}"', np.ones(self.times.size)) for i in hosts]

    def write_openmetrics(self, out: TextIO) -> None:
        """The whole history, family by family; a down host's series are missing, its ``up`` is 0."""
        stamps = [f"{t:.3f}" for t in self.times.tolist()]
        for name, kind, rows in self._families():
            out.write(f"# TYPE {name} {kind}\n")
            for host, extra, values in rows:
                series = f"{name}{{{HOSTS[host].labels}{',' + extra if extra else ''}}}"
                up = self.up[host].tolist()
                out.writelines(
                    f"{series} {v:.4f} {t}\n" for v, t, u in zip(values.tolist(), stamps, up, strict=True) if u
                )
        out.write("# TYPE up gauge\n")
        for host, ref in enumerate(HOSTS):
            out.writelines(
                f"up{{{ref.labels}}} {int(u)} {t}\n" for u, t in zip(self.up[host].tolist(), stamps, strict=True)
            )
        out.write("# EOF\n")
