"""SimulatedMetrics: the MetricsSource port answered straight from a FleetModel, for the demo.

It answers as ``PrometheusMetrics`` would over the simulator's scrapes: the same host
labels, the same units, the same step cap, the same validation of user input, and a
down host is still a known host but has no series except ``up`` (0).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from adapters.prometheus import promql
from domain.models import Filesystem, HostCapacity, HostRef, HostState, MetricKind, Sample, Series
from domain.ports import Clock
from simulator.exposition import step_times
from simulator.fleet import (
    CPUS_PER_HOST,
    DATA_DISK_SIZE_BYTES,
    DISK_SIZE_BYTES,
    MEMORY_TOTAL_BYTES,
    FleetModel,
    IncidentKind,
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
        """Every simulated host, up or down, sorted by name."""
        return sorted(self.model.refs, key=lambda h: h.name)

    def host_states(self) -> list[HostState]:
        """Every simulated host with whether it is up; a down host was last seen when its outage began."""
        now = self.clock.now().timestamp()
        down = self.model.down_mask(now)
        states = []
        for i, ref in enumerate(self.model.refs):
            if not down[i]:
                states.append(HostState(ref=ref, up=True))
                continue
            began = [
                x.start
                for x in self.model.incidents
                if x.kind is IncidentKind.HOST_DOWN and x.host == ref.name and x.start <= now < x.start + x.duration
            ]
            states.append(HostState(ref=ref, up=False, last_seen=utc(max(began)) if began else None))
        return sorted(states, key=lambda s: s.ref.name)

    def capacity(self, host: HostRef) -> HostCapacity:
        """What a simulated host has: the simulator's fixed sizes, and nothing while it is down."""
        now = self.clock.now()
        t = now.timestamp()
        rows = self._rows([host], t=t)
        if not rows:
            return HostCapacity(host=host, at=now)
        i = rows[0]
        memory = float(self.model.rates(MetricKind.MEMORY, np.array([t]))[i, 0])
        root = float(self.model.rates(MetricKind.DISK, np.array([t]))[i, 0])
        data = float(self.model.data_disk(np.array([t]))[i, 0])
        io = float(self.model.average(MetricKind.DISK_IO, t, 60.0)[i])
        return HostCapacity(
            host=self.model.refs[i],
            at=now,
            memory_total_bytes=float(MEMORY_TOTAL_BYTES),
            memory_available_bytes=MEMORY_TOTAL_BYTES * (1.0 - memory / 100.0),
            cpus=CPUS_PER_HOST,
            filesystems=tuple(
                Filesystem(
                    mountpoint=mount,
                    device=device,
                    fstype=fstype,
                    size_bytes=float(total),
                    avail_bytes=total * (1 - used / 100),
                )
                for mount, device, fstype, total, used in (
                    ("/", "/dev/nvme0n1p1", "ext4", DISK_SIZE_BYTES, root),
                    ("/data", "/dev/nvme1n1", "xfs", DATA_DISK_SIZE_BYTES, data),
                )
            ),
            disk_read_mb_s=io * 0.4,
            disk_write_mb_s=io * 0.6,
        )

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
        window = promql.sample_window(metric, past=at is not None)
        rows = self._rows(hosts, t=when.timestamp(), include_down=metric is MetricKind.UP)
        return [
            Sample(host=self.model.refs[i], metric=metric, value=float(values[i]), timestamp=when, window=window)
            for i in rows
        ]

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
            for i in self._rows(hosts, t=end.timestamp(), include_down=metric is MetricKind.UP)
        ]


def utc(ts: float) -> datetime:
    """Epoch seconds to an aware UTC datetime."""
    return datetime.fromtimestamp(ts, UTC)
