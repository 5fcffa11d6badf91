"""The windows duration rules judge, kept between detection passes: each pass reads only its new minutes.

A rule needs the last ``duration`` (and a few samples more) of its metric for every host. Reading
that whole window each minute costs, at 10,000 hosts, what the old full-window cycle cost for
that metric. ``RollingWindows`` keeps the samples of the previous pass and asks the metrics source
only for the minutes after them (one step earlier too, so a sample the server completed late is
replaced), on the same time grid. It reads the whole window again when it has none for the
metric yet, when the window asked for starts earlier than the one kept, or when the pass comes
later than a window's length after the previous one (a gap).

A pass that already read the new minutes of a metric for every host (the engine's block of the
same signal) hands them over with ``offer``: the window is extended from them, and the next
``range`` of that metric reads nothing more when they reach its end.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from detectors.engine.blocks import Block
from domain.models import HostRef, MetricKind, Series
from domain.ports import MetricsSource

# Samples re-read at the start of each short read: the last minute may have been completed late.
_OVERLAP_STEPS = 1


@dataclass
class _HostWindow:
    host: HostRef
    labels: dict[str, str]
    times: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)


@dataclass
class _Kept:
    start: float
    end: float
    # The time grid of the reads: the first timestamp of the full read.
    origin: float
    hosts: dict[str, _HostWindow] = field(default_factory=dict)


@dataclass
class RollingWindows:
    """Windows of metrics for every host, extended pass by pass.

    Args:
        metrics: where samples come from.
    """

    metrics: MetricsSource
    _kept: dict[tuple[MetricKind, float], _Kept] = field(default_factory=dict, repr=False)

    def range(self, metric: MetricKind, *, start: datetime, end: datetime, step_seconds: float) -> list[Series]:
        """What ``metrics.range(metric, None, ...)`` answers, reading only what the last pass did not."""
        first, last = start.timestamp(), end.timestamp()
        key = (metric, step_seconds)
        kept = self._kept.get(key)
        if kept is None or first < kept.start or last < kept.end or last - kept.end > last - first:
            series = self.metrics.range(metric, None, start=start, end=end, step_seconds=step_seconds)
            kept = _Kept(
                start=first, end=last, origin=min((s.timestamps[0] for s in series if s.timestamps), default=first)
            )
            self._kept[key] = kept
            self._merge(kept, series, since=-math.inf)
            return series
        # The last point of the kept grid the previous read reached, and the overlap before it.
        latest = _latest(kept, step_seconds)
        since = max(first, latest - (_OVERLAP_STEPS - 1) * step_seconds)
        if since < last:
            fresh = self.metrics.range(
                metric, None, start=datetime.fromtimestamp(since, UTC), end=end, step_seconds=step_seconds
            )
            # Half a step of slack: the server's timestamps and the grid's arithmetic may differ in the last digit.
            self._merge(kept, fresh, since=since - step_seconds / 2)
        kept.start, kept.end = first, last
        return self._window(kept, metric, first)

    def offer(self, block: Block) -> None:
        """Extend the kept windows of ``block.signal`` with its samples, read by another pass of this cycle.

        A block is taken when it continues a kept window on that window's own time grid (its first
        time at most one step after the window's end) and its rows are whole hosts: disk blocks,
        one row per filesystem, are not what a read of the disk metric answers, and are left out.
        """
        times = block.times
        if block.signal is MetricKind.DISK or not block.hosts or times.size == 0 or any(block.mounts):
            return
        for (metric, step), kept in self._kept.items():
            if metric is not block.signal or float(times[-1]) <= kept.end:
                continue
            if times.size > 1 and not math.isclose(float(times[1] - times[0]), step):
                continue
            on_grid = (times - kept.origin) / step
            if not np.allclose(on_grid, np.rint(on_grid), atol=1e-6):
                continue
            if float(times[0]) > _latest(kept, step) + step * 1.5:
                continue
            self._lay(kept, block, since=float(times[0]) - step / 2)
            kept.end = float(times[-1])

    @staticmethod
    def _lay(kept: _Kept, block: Block, *, since: float) -> None:
        """Lay ``block``'s rows over the kept samples from ``since`` on; a host keeps the labels it has.

        A row without a finite sample leaves the host's window as it is.
        """
        times = block.times.tolist()
        finite = np.isfinite(block.values)
        whole = (np.count_nonzero(finite, axis=1) == len(times)).tolist()
        for host, values, row, full in zip(block.hosts, block.values.tolist(), finite.tolist(), whole, strict=True):
            stamps = times
            if not full:
                stamps = [t for t, ok in zip(times, row, strict=True) if ok]
                values = [v for v, ok in zip(values, row, strict=True) if ok]
                if not stamps:
                    continue
            _replace_from(kept, host, None, since, stamps, values)

    @staticmethod
    def _merge(kept: _Kept, series: list[Series], *, since: float) -> None:
        """Lay ``series`` over the kept samples: from ``since`` on, a host's samples are the new read's."""
        for s in series:
            _replace_from(kept, s.host, s.labels, since, s.timestamps, s.values)

    @staticmethod
    def _window(kept: _Kept, metric: MetricKind, first: float) -> list[Series]:
        """The kept samples from ``first`` on, one series per host that has any; hosts with none are dropped."""
        out: list[Series] = []
        for instance in list(kept.hosts):
            held = kept.hosts[instance]
            cut = bisect.bisect_left(held.times, first)
            del held.times[:cut], held.values[:cut]
            if not held.times:
                del kept.hosts[instance]
                continue
            out.append(Series(held.host, metric, tuple(held.times), tuple(held.values), held.labels))
        return out


def _replace_from(
    kept: _Kept,
    host: HostRef,
    labels: dict[str, str] | None,
    since: float,
    times: Sequence[float],
    values: Sequence[float],
) -> None:
    """A host's kept samples from ``since`` on become ``times`` and ``values``; ``labels`` None keeps its own."""
    held = kept.hosts.get(host.instance)
    if held is None:
        held = kept.hosts[host.instance] = _HostWindow(host, labels or {})
    else:
        held.host = host
        if labels is not None:
            held.labels = labels
        cut = bisect.bisect_left(held.times, since)
        del held.times[cut:], held.values[cut:]
    held.times.extend(times)
    held.values.extend(values)


def _latest(kept: _Kept, step: float) -> float:
    """The last point of the kept window's grid that its reads reached."""
    return kept.origin + math.floor((kept.end - kept.origin) / step + 1e-9) * step
