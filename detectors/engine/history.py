"""Fitting the engine on history: which history a bootstrap reads, how finely, and the fit itself.

A bootstrap reads reachability (``up``) first, coarsely, to find the hosts and where their
history begins, then every other signal from there at the finest whole-minute step that keeps
hosts × points per signal within a budget, so start-up stays bounded as the fleet grows.
Each signal is read while the one before it is fitted, so the server's evaluation and the fit overlap.
History read more coarsely than the live feed is fitted on the live clock (``FleetEngine.bootstrap``).
Recorded history (a file) is laid on its own grid and fitted the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from detectors.engine.blocks import Block, block_of, fetch_block
from detectors.engine.events import iso
from detectors.engine.fleet import FleetEngine
from domain.models import MetricKind, Series
from domain.ports import MetricsSource

SIGNALS = (
    MetricKind.CPU,
    MetricKind.MEMORY,
    MetricKind.DISK,
    MetricKind.DISK_IO,
    MetricKind.NETWORK_IN,
    MetricKind.NETWORK_OUT,
    MetricKind.LOAD,
    MetricKind.UP,
)


#: A bootstrap reads each signal at about this many host × time points at most. Its cost grows with
#: hosts × points, so a large fleet's history is read at a coarser step and start-up stays bounded:
#: from 24 h, 1,000 hosts are read every minute and 10,000 hosts every 8 minutes.
BOOTSTRAP_BUDGET = 2_000_000
#: Reachability is read first, at about this many points per host, to find the hosts and where their history begins.
SURVEY_POINTS = 360


def bootstrap_step(start: float, end: float, points: int = 1440) -> float:
    """The sampling step (whole minutes) that reads about ``points`` per series between ``start`` and ``end``."""
    return max(60.0, math.ceil((end - start) / max(points, 2) / 60.0) * 60.0)


def history_step(
    start: float, end: float, hosts: int, *, live_step: float = 60.0, budget: int = BOOTSTRAP_BUDGET
) -> float:
    """The finest step that reads ``hosts``' history between ``start`` and ``end`` within ``budget``.

    Whole minutes, and a whole number of ``live_step``: each sample of the history then stands for
    a whole number of the live feed's.
    """
    return on_live_grid(bootstrap_step(start, end, max(2, budget // max(hosts, 1))), live_step)


def on_live_grid(step: float, live_step: float) -> float:
    """``step`` rounded up to a whole number of ``live_step``."""
    return max(1, math.ceil(step / live_step - 1e-9)) * live_step


def bootstrap(
    engine: FleetEngine,
    metrics: MetricsSource,
    *,
    start: float,
    end: float,
    signals: Sequence[MetricKind] = SIGNALS,
    step: float | None = None,
    budget: int = BOOTSTRAP_BUDGET,
    progress: Callable[[str], None] | None = None,
    survey: Block | None = None,
) -> int:
    """Fit the engine on the history between ``start`` and ``end``.

    Without ``step``, reachability (``up``) is read first, coarsely: it names the hosts and shows
    where their history begins. The other signals are then read from there, at the finest
    whole-minute step within ``budget`` host × time points (``history_step``), so 24 h of history
    is read at the same resolution whether 24 h or 7 days were asked for. A ``survey`` of reachability
    read already (``survey_of``, possibly beyond ``end``) is used instead of reading it again.

    Returns:
        The number of hosts fitted.
    """
    hosts: set[str] = set()
    up: Block | None = None
    if step is None:
        step = on_live_grid(bootstrap_step(start, end), engine.step_seconds)
        if MetricKind.UP in signals:
            up = until(survey, end) if survey is not None else survey_of(metrics, MetricKind.UP, start, end)
            every = float(up.times[1] - up.times[0]) if up.times.size > 1 else bootstrap_step(start, end, SURVEY_POINTS)
            reported, span = reporting(up, end)
            if reported:
                begins = max(start, end - span - every)
                step = history_step(begins, end, len(up.hosts), live_step=engine.step_seconds, budget=budget)
                start = end - math.floor((end - begins) / step) * step
                if progress is not None:
                    progress(f"bootstrap history from {iso(start)}, every {step / 60:.0f} min")

    def read(signal: MetricKind) -> Block:
        return up if signal is MetricKind.UP and up is not None else fetch_block(metrics, signal, start, end, step)

    # The next signal is read while this one is fitted: the server evaluates while the product fits,
    # and at most two signals' history is held at once.
    order = list(signals)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bootstrap-read") as reads:
        pending = reads.submit(read, order[0]) if order else None
        for following in [*order[1:], None]:
            if pending is None:
                break
            block = pending.result()
            pending = reads.submit(read, following) if following is not None else None
            _fit_block(engine, block, hosts, progress)
    return len(hosts)


def survey_of(metrics: MetricsSource, signal: MetricKind, start: float, end: float) -> Block:
    """``signal`` between ``start`` and ``end`` at about ``SURVEY_POINTS`` per host: who reports, since when."""
    return fetch_block(metrics, signal, start, end, bootstrap_step(start, end, SURVEY_POINTS))


def reporting(survey: Block, end: float) -> tuple[int, float]:
    """The hosts a survey saw report, and how long before ``end`` the first sample of any was."""
    seen = np.isfinite(survey.values)
    if not seen.any():
        return 0, 0.0
    first = float(survey.times[np.flatnonzero(seen.any(axis=0))[0]])
    return int(seen.any(axis=1).sum()), end - first


def until(block: Block, end: float) -> Block:
    """``block``'s samples up to ``end``."""
    keep = block.times <= end + 1e-6
    return Block(block.signal, block.hosts, block.times[keep], block.values[:, keep], block.mounts)


def _fit_block(engine: FleetEngine, block: Block, hosts: set[str], progress: Callable[[str], None] | None) -> None:
    if block.hosts:
        engine.bootstrap(block.signal, block.hosts, block.times, block.values, block.mounts)
    hosts.update(h.instance for h in block.hosts)
    if progress is not None:
        progress(f"bootstrap {block.signal.value}: {len(block.hosts)} rows")


def bootstrap_series(engine: FleetEngine, series: Iterable[Series], *, start: float, end: float, step: float) -> int:
    """Fit the engine on recorded series (a history file) laid on a grid every ``step`` seconds; hosts fitted."""
    times = np.arange(start, end + step / 2, step)
    by_signal: dict[MetricKind, list[Series]] = {}
    for one in series:
        by_signal.setdefault(one.metric, []).append(one)
    hosts: set[str] = set()
    for signal, group in by_signal.items():
        block = block_of(signal, group, times)
        engine.bootstrap(signal, block.hosts, block.times, block.values, block.mounts)
        hosts.update(h.instance for h in block.hosts)
    return len(hosts)
