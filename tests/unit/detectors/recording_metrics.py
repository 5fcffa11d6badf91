"""A metrics source over the simulated fleet that records what it was asked, and can be switched off."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.simulated.metrics import SimulatedMetrics
from domain.errors import MetricsUnavailable
from domain.models import HostCapacity, HostRef, HostState, MetricKind, Sample, Series


@dataclass
class RecordingMetrics:
    """The simulated fleet behind the metrics port, recording every range asked; it can be switched off.

    ``spans``: the length of each range read; ``reads``: (metric, start, step) of each; ``windows``:
    (start, end) of each. With ``down_after``, reads after that many raise ``MetricsUnavailable``;
    with ``born``, the fleet began reporting then: no sample is older.
    """

    inner: SimulatedMetrics
    spans: list[float] = field(default_factory=list)
    down_after: int | None = None
    born: float | None = None
    reads: list[tuple[MetricKind, float, float]] = field(default_factory=list)
    windows: list[tuple[datetime, datetime]] = field(default_factory=list)

    def hosts(self) -> list[HostRef]:
        return self.inner.hosts()

    def host_states(self) -> list[HostState]:
        return self.inner.host_states()

    def capacity(self, host: HostRef) -> HostCapacity:
        return self.inner.capacity(host)

    def current(
        self, metric: MetricKind, hosts: Sequence[HostRef] | None = None, *, at: datetime | None = None
    ) -> list[Sample]:
        return self.inner.current(metric, hosts, at=at)

    def range(self, metric: MetricKind, hosts: Sequence[HostRef] | None, **window: Any) -> list[Series]:
        """The simulated fleet's range (``start``, ``end``, ``step_seconds``), recorded."""
        if self.down_after is not None and len(self.spans) >= self.down_after:
            raise MetricsUnavailable("http://prometheus.test", "connection refused")
        self.record(metric, window["start"], window["end"], window["step_seconds"])
        answer = self.inner.range(metric, hosts, **window)
        return answer if self.born is None else [s for s in map(self._since_born, answer) if s.timestamps]

    def record(self, metric: MetricKind, start: datetime, end: datetime, step_seconds: float) -> None:
        """Note one range read."""
        self.spans.append((end - start).total_seconds())
        self.reads.append((metric, start.timestamp(), step_seconds))
        self.windows.append((start, end))

    def _since_born(self, one: Series) -> Series:
        kept = [(t, v) for t, v in zip(one.timestamps, one.values, strict=True) if t >= (self.born or 0.0)]
        return Series(
            host=one.host, metric=one.metric, timestamps=tuple(t for t, _ in kept), values=tuple(v for _, v in kept)
        )
