"""One detection cycle of the trained model: series of many hosts in, one verdict per host out. Pure.

Series arrive in one of two shapes: as ``Series`` objects (one per host and metric, what every
``MetricsSource`` returns), or as ``MetricBlock`` arrays (hosts × time per metric) from a source
that also implements ``BlockSource``. Blocks skip building and unpacking thousands of Python
tuples, so a cycle over them is array operations end to end.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

import numpy as np

from detectors.model.fleet_model import FleetBaselineModel
from detectors.model.scoring import FloatArray
from detectors.model.severity import incident_severity
from domain.models import HostRef, MetricKind, Series, Severity


@dataclass(frozen=True)
class ModelVerdict:
    """The model's view of one host at the end of a window."""

    host: HostRef
    alarm: bool
    ratio: float
    metric: MetricKind
    value: float
    started: float
    baseline: str

    def severity_since(self, started: datetime, now: datetime) -> Severity:
        """Severity from the score ratio, the incident's duration and the culprit metric."""
        minutes = max((now - started).total_seconds(), 0.0) / 60.0
        value = self.value if math.isfinite(self.value) else None
        return incident_severity(ratio=self.ratio, duration_minutes=minutes, metric=self.metric, value=value)


@dataclass(frozen=True)
class MetricBlock:
    """One metric for many hosts on a shared time grid.

    Args:
        hosts: the hosts, one per row of ``values``.
        start: timestamp of the first column (epoch seconds).
        step: seconds between columns.
        values: hosts × time, NaN where a value is missing.
    """

    hosts: tuple[HostRef, ...]
    start: float
    step: float
    values: FloatArray

    def __post_init__(self) -> None:
        if self.values.ndim != 2 or self.values.shape[0] != len(self.hosts):
            raise ValueError(f"values must be hosts × time with {len(self.hosts)} rows, got {self.values.shape}")


@runtime_checkable
class BlockSource(Protocol):
    """A metrics source that can hand over ranges as arrays, one block per metric."""

    def range_blocks(
        self, metrics: Sequence[MetricKind], *, start: datetime, end: datetime, step_seconds: float
    ) -> Mapping[MetricKind, MetricBlock]:
        """Every host's values of each metric between ``start`` and ``end``."""
        ...


def cube_from_blocks(
    blocks: Mapping[MetricKind, MetricBlock], features: Sequence[str], *, start: float, step: float, rows: int
) -> tuple[list[HostRef], FloatArray]:
    """Arrange metric blocks on a hosts × time × features grid (NaN where a value is missing).

    When every block has the same hosts in the same order on the same grid (what a batched
    range query returns), this is one ``np.stack``; otherwise rows and columns are placed by index.

    Args:
        blocks: one block per metric (metrics the model does not use are ignored).
        features: metric names in column order.
        start: timestamp of the first grid row.
        step: seconds between rows.
        rows: number of grid rows.

    Returns:
        The hosts (by first appearance) and the cube.
    """
    chosen = [(i, blocks[k]) for i, k in enumerate(MetricKind(f) for f in features) if k in blocks]
    if not chosen:
        return [], np.full((0, rows, len(features)), np.nan)
    first = chosen[0][1]
    same_grid = all(
        b.hosts == first.hosts and b.start == start and b.step == step and b.values.shape[1] == rows for _, b in chosen
    )
    if same_grid and len(chosen) == len(features):
        planes = np.stack([b.values for _, b in chosen]).astype(np.float64, copy=False)
        return list(first.hosts), np.moveaxis(planes, 0, -1)
    index: dict[str, int] = {}
    refs: list[HostRef] = []
    for _, block in chosen:
        for ref in block.hosts:
            if ref.instance not in index:
                index[ref.instance] = len(refs)
                refs.append(ref)
    cube = np.full((len(refs), rows, len(features)), np.nan)
    for col, block in chosen:
        t = np.rint((block.start + np.arange(block.values.shape[1]) * block.step - start) / step).astype(np.int64)
        keep = (t >= 0) & (t < rows)
        host_idx = np.fromiter((index[r.instance] for r in block.hosts), dtype=np.int64, count=len(block.hosts))
        cube[host_idx[:, None], t[keep][None, :], col] = block.values[:, keep]
    return refs, cube


def build_cube(
    series: Sequence[Series], features: Sequence[str], *, start: float, step: float, rows: int
) -> tuple[list[HostRef], FloatArray]:
    """Arrange series on a hosts × time × features grid (NaN where a value is missing).

    Args:
        series: series of any hosts and of the model's features.
        features: metric names in column order.
        start: timestamp of the first grid row.
        step: seconds between rows.
        rows: number of grid rows.

    Returns:
        The hosts (by first appearance) and the cube.
    """
    column = {name: i for i, name in enumerate(features)}
    hosts: dict[str, int] = {}
    refs: list[HostRef] = []
    for s in series:
        if s.metric.value in column and s.host.instance not in hosts:
            hosts[s.host.instance] = len(refs)
            refs.append(s.host)
    cube = np.full((len(refs), rows, len(features)), np.nan)
    aligned = [s for s in series if s.metric.value in column and s.timestamps]
    stamps = aligned[0].timestamps if aligned else ()
    if aligned and all(s.timestamps == stamps for s in aligned):
        # the common case (one range query per metric): every series on the same grid, filled in one go
        idx = np.rint((np.asarray(stamps) - start) / step).astype(np.int64)
        keep = (idx >= 0) & (idx < rows)
        host_idx = np.fromiter((hosts[s.host.instance] for s in aligned), dtype=np.int64, count=len(aligned))
        col_idx = np.fromiter((column[s.metric.value] for s in aligned), dtype=np.int64, count=len(aligned))
        values = np.array([s.values for s in aligned], dtype=np.float64)[:, keep]
        cube[host_idx[:, None], idx[keep][None, :], col_idx[:, None]] = values
        return refs, cube
    for s in series:
        col = column.get(s.metric.value)
        if col is None or not s.timestamps:
            continue
        idx = np.rint((np.asarray(s.timestamps) - start) / step).astype(np.int64)
        keep = (idx >= 0) & (idx < rows)
        cube[hosts[s.host.instance], idx[keep], col] = np.asarray(s.values, dtype=np.float64)[keep]
    return refs, cube


def model_verdicts(
    model: FleetBaselineModel,
    series: Sequence[Series],
    *,
    open_instances: frozenset[str],
    start: float,
    step: float,
    actionable_only: bool = False,
) -> list[ModelVerdict]:
    """Score every host in ``series`` at once.

    Args:
        model: the trained model.
        series: the window's series, every feature of every host.
        open_instances: hosts that already have an open incident (the alarm holds until the score
            falls below the off-threshold).
        start: timestamp of the window's first row.
        step: seconds between rows.
        actionable_only: only hosts that alarm or have an open incident (the ones a cycle acts on).

    Returns:
        One verdict per host that has data (or per actionable host).
    """
    last = max((s.timestamps[-1] for s in series if s.timestamps), default=start)
    rows = round((last - start) / step) + 1
    refs, cube = build_cube(series, model.features, start=start, step=step, rows=rows)
    return cube_verdicts(
        model, refs, cube, open_instances=open_instances, start=start, step=step, actionable_only=actionable_only
    )


def block_verdicts(
    model: FleetBaselineModel,
    blocks: Mapping[MetricKind, MetricBlock],
    *,
    open_instances: frozenset[str],
    start: float,
    step: float,
    actionable_only: bool = True,
) -> list[ModelVerdict]:
    """Like ``model_verdicts``, from metric blocks; by default only hosts that alarm or have an open incident."""
    used = [b for k, b in blocks.items() if k.value in model.features]
    rows = max((round((b.start + (b.values.shape[1] - 1) * b.step - start) / step) + 1 for b in used), default=0)
    refs, cube = cube_from_blocks(blocks, model.features, start=start, step=step, rows=max(rows, 0))
    return cube_verdicts(
        model, refs, cube, open_instances=open_instances, start=start, step=step, actionable_only=actionable_only
    )


def cube_verdicts(
    model: FleetBaselineModel,
    refs: Sequence[HostRef],
    cube: FloatArray,
    *,
    open_instances: frozenset[str],
    start: float,
    step: float,
    actionable_only: bool = False,
) -> list[ModelVerdict]:
    """Verdicts for the hosts of a hosts × time × features cube, scored in one batch.

    Args:
        model: the trained model.
        refs: the hosts, one per cube row.
        cube: the values.
        open_instances: hosts with an open incident.
        start: timestamp of the first row.
        step: seconds between rows.
        actionable_only: only hosts that alarm or have an open incident.

    Returns:
        The verdicts, in cube order.
    """
    if not refs or cube.shape[1] == 0:
        return []
    active = np.fromiter((r.instance in open_instances for r in refs), dtype=bool, count=len(refs))
    scores = model.score_cycle([r.instance for r in refs], cube, active=active)
    alarm_now = scores.alarm_rows[:, -1]
    chosen = np.flatnonzero(alarm_now | active) if actionable_only else np.arange(len(refs))
    quiet = ~scores.alarm_rows[chosen]
    n_rows = quiet.shape[1]
    last_quiet = np.where(quiet.any(axis=1), n_rows - 1 - np.argmax(quiet[:, ::-1], axis=1), -1)
    first_alarm = (start + (last_quiet + 1) * step).tolist()
    culprits = scores.culprit[chosen]
    values = scores.latest[chosen, culprits].tolist()
    kinds = [MetricKind(f) for f in model.features]
    return [
        ModelVerdict(
            host=refs[h],
            alarm=bool(alarm_now[h]),
            ratio=float(scores.ratio[h]),
            metric=kinds[int(culprits[n])],
            value=float(values[n]),
            started=float(first_alarm[n]),
            baseline="its own" if refs[h].instance in model.hosts else "the fleet",
        )
        for n, h in enumerate(chosen.tolist())
    ]
