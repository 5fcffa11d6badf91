"""SimulatedMetrics: the MetricsSource port answered straight from a FleetModel, for the demo."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from domain.models import HostRef, MetricKind, Sample, Series
from domain.ports import Clock
from simulator.fleet import FleetModel

_RATE_METRICS = frozenset({MetricKind.CPU, MetricKind.DISK_IO, MetricKind.NETWORK_IN, MetricKind.NETWORK_OUT})


class SimulatedMetrics:
    """Metrics of a simulated fleet at the clock's time, as Prometheus would report them."""

    def __init__(self, model: FleetModel, clock: Clock) -> None:
        self.model = model
        self.clock = clock

    def _rows(self, hosts: Sequence[HostRef] | None) -> list[int]:
        up = ~self.model.down_mask(self.clock.now().timestamp())
        if hosts is None:
            return [i for i in range(self.model.size) if up[i]]
        wanted = {h.instance for h in hosts}
        return [i for i, ref in enumerate(self.model.refs) if ref.instance in wanted and up[i]]

    def hosts(self) -> list[HostRef]:
        """Hosts that are up, sorted by name."""
        return sorted((self.model.refs[i] for i in self._rows(None)), key=lambda h: h.name)

    def _values_at(self, metric: MetricKind, t: float) -> np.ndarray:
        if metric in _RATE_METRICS:
            return self.model.average(metric, t, 60.0)
        return self.model.rates(metric, np.array([t]))[:, 0]

    def current(self, metric: MetricKind, hosts: Sequence[HostRef] | None = None) -> list[Sample]:
        """Latest value per host (1-minute average for rates)."""
        now = self.clock.now()
        values = self._values_at(metric, now.timestamp())
        window = "1m average" if metric in _RATE_METRICS else "latest"
        return [
            Sample(host=self.model.refs[i], metric=metric, value=float(values[i]), timestamp=now, window=window)
            for i in self._rows(hosts)
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
        """Values per host at each step between ``start`` and ``end``."""
        times = np.arange(start.timestamp(), end.timestamp() + 1e-9, step_seconds)
        values = self.model.rates(metric, times)
        stamps = tuple(float(t) for t in times)
        return [
            Series(
                host=self.model.refs[i],
                metric=metric,
                timestamps=stamps,
                values=tuple(float(v) for v in values[i]),
            )
            for i in self._rows(hosts)
        ]


def utc(ts: float) -> datetime:
    """Epoch seconds to an aware UTC datetime."""
    return datetime.fromtimestamp(ts, UTC)
