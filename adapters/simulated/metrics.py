"""SimulatedMetrics: the MetricsSource port answered straight from a FleetModel, for the demo.

It answers as ``PrometheusMetrics`` would over the simulator's scrapes: the same host
labels, the same units, the same step cap, the same validation of user input, and a
down host has no series but ``up`` (0).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from adapters.prometheus import promql
from adapters.prometheus.hosts import match_host_label
from domain.errors import UnknownHost
from domain.models import DiskUsage, HostRef, MetricKind, Sample, Series
from domain.ports import Clock
from simulator.exposition import step_times
from simulator.fleet import DATA_DISK_SIZE_BYTES, DISK_SIZE_BYTES, FleetModel

_FILESYSTEMS = (
    ("/", "/dev/nvme0n1p1", "ext4", DISK_SIZE_BYTES),
    ("/data", "/dev/nvme1n1", "xfs", DATA_DISK_SIZE_BYTES),
)


class SimulatedMetrics:
    """Metrics of a simulated fleet at the clock's time, as Prometheus would report them."""

    def __init__(self, model: FleetModel, clock: Clock) -> None:
        self.model = model
        self.clock = clock

    def _rows(self, hosts: Sequence[HostRef] | None, *, t: float, include_down: bool = False) -> list[int]:
        up = ~self.model.down_mask(t)
        if hosts:  # the same checks of the selected instances as the Prometheus adapter makes
            promql.host_selector([h.instance for h in hosts])
        wanted = None if hosts is None else {h.instance for h in hosts}
        return [
            i
            for i, ref in enumerate(self.model.refs)
            if (wanted is None or ref.instance in wanted) and (include_down or up[i])
        ]

    def hosts(self) -> list[HostRef]:
        """Hosts that are up, sorted by name."""
        now = self.clock.now().timestamp()
        return sorted((self.model.refs[i] for i in self._rows(None, t=now)), key=lambda h: h.name)

    def _values_at(self, metric: MetricKind, t: float) -> np.ndarray:
        if metric in promql.RATE_METRICS:
            return self.model.average(metric, t, 60.0)
        return self.model.rates(metric, np.array([t]))[:, 0]

    def current(
        self, metric: MetricKind, hosts: Sequence[HostRef] | None = None, *, at: datetime | None = None
    ) -> list[Sample]:
        """Latest value per host (1-minute average for rates), now or at ``at``."""
        when = at or self.clock.now()
        values = self._values_at(metric, when.timestamp())
        window = f"{promql.RATE_WINDOW} average" if metric in promql.RATE_METRICS else "latest"
        rows = self._rows(hosts, t=when.timestamp(), include_down=metric is MetricKind.UP)
        return [
            Sample(host=self.model.refs[i], metric=metric, value=float(values[i]), timestamp=when, window=window)
            for i in rows
        ]

    def top(self, metric: MetricKind, n: int, *, largest: bool = True) -> list[Sample]:
        """The ``n`` hosts with the highest (or lowest) current ``metric``, best first."""
        promql.top_query(metric, n, largest=largest)
        samples = self.current(metric)
        samples.sort(key=lambda s: (-s.value if largest else s.value, s.host.name))
        return samples[:n]

    def disk_usage(self, hosts: Sequence[HostRef] | None = None, *, mountpoint: str | None = None) -> list[DiskUsage]:
        """Size, available space and used % of each host's filesystems."""
        promql.disk_usage_query(None, mountpoint=mountpoint)
        now = self.clock.now()
        times = np.array([now.timestamp()])
        used = {"/": self.model.rates(MetricKind.DISK, times)[:, 0], "/data": self.model.data_disk(times)[:, 0]}
        out = [
            DiskUsage(
                host=self.model.refs[i],
                mountpoint=mount,
                device=device,
                fstype=fstype,
                size_bytes=float(size),
                avail_bytes=float(size * (1.0 - used[mount][i] / 100.0)),
                timestamp=now,
            )
            for i in self._rows(hosts, t=now.timestamp())
            for mount, device, fstype, size in _FILESYSTEMS
            if mountpoint is None or mountpoint == mount
        ]
        return sorted(out, key=lambda d: (d.host.name, d.mountpoint))

    def label_values(self, label: str) -> list[str]:
        """Values of a host label across all hosts (a down host still has its ``up`` series), sorted."""
        name = promql.label_name(label)
        refs = self.model.refs
        by_label: dict[str, list[str | None]] = {
            "instance": [r.instance for r in refs],
            "host": [r.host for r in refs],
            "nodename": [r.host for r in refs],
            "instance_id": [r.instance_id for r in refs],
            "job": ["node"] if refs else [],
        }
        return sorted({v for v in by_label.get(name, []) if v})

    def resolve_host(self, name: str) -> HostRef:
        """The host a user means by ``name``, matched as label-value lookups would match it."""
        values = {label: self.label_values(label) for label in ("host", "instance_id", "instance")}
        label, value = match_host_label(name, values)
        for ref in self.model.refs:
            if getattr(ref, label) == value:
                return ref
        raise UnknownHost(name.strip()[:80], [value])  # pragma: no cover - values come from hosts()

    def range(
        self,
        metric: MetricKind,
        hosts: Sequence[HostRef] | None,
        *,
        start: datetime,
        end: datetime,
        step_seconds: float,
    ) -> list[Series]:
        """Values per host at each step between ``start`` and ``end`` (step capped as for Prometheus)."""
        step = promql.range_step(start.timestamp(), end.timestamp(), step_seconds)
        times = step_times(start.timestamp(), end.timestamp(), step)
        values = self.model.rates(metric, times)
        stamps = tuple(float(t) for t in times)
        return [
            Series(
                host=self.model.refs[i],
                metric=metric,
                timestamps=stamps,
                values=tuple(float(v) for v in values[i]),
            )
            for i in self._rows(hosts, t=end.timestamp())
        ]

    def ranges(
        self,
        metrics: Sequence[MetricKind],
        hosts: Sequence[HostRef] | None,
        *,
        start: datetime,
        end: datetime,
        step_seconds: float,
    ) -> dict[MetricKind, list[Series]]:
        """Several metrics for many hosts at once."""
        return {
            m: self.range(m, hosts, start=start, end=end, step_seconds=step_seconds) for m in dict.fromkeys(metrics)
        }


def utc(ts: float) -> datetime:
    """Epoch seconds to an aware UTC datetime."""
    return datetime.fromtimestamp(ts, UTC)
