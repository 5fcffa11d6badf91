"""One detection cycle of the trained model: series of many hosts in, one verdict per host out. Pure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from detectors.fleet_model import FleetBaselineModel
from detectors.scoring import FloatArray
from detectors.severity import incident_severity
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
) -> list[ModelVerdict]:
    """Score every host in ``series`` at once.

    Args:
        model: the trained model.
        series: the window's series, every feature of every host.
        open_instances: hosts that already have an open incident (the alarm holds until the score
            falls below the off-threshold).
        start: timestamp of the window's first row.
        step: seconds between rows.

    Returns:
        One verdict per host that has data.
    """
    last = max((s.timestamps[-1] for s in series if s.timestamps), default=start)
    rows = round((last - start) / step) + 1
    refs, cube = build_cube(series, model.features, start=start, step=step, rows=rows)
    if not refs:
        return []
    active = np.array([r.instance in open_instances for r in refs])
    scores = model.score_cycle([r.instance for r in refs], cube, active=active)
    quiet = ~scores.alarm_rows
    n_rows = quiet.shape[1]
    last_quiet = np.where(quiet.any(axis=1), n_rows - 1 - np.argmax(quiet[:, ::-1], axis=1), -1)
    first_alarm = (start + (last_quiet + 1) * step).tolist()
    alarms = scores.alarm_rows[:, -1].tolist()
    ratios = scores.ratio.tolist()
    culprits = scores.culprit.tolist()
    values = scores.latest[np.arange(len(refs)), scores.culprit].tolist()
    kinds = [MetricKind(f) for f in model.features]
    verdicts = [
        ModelVerdict(
            host=ref,
            alarm=bool(alarms[h]),
            ratio=float(ratios[h]),
            metric=kinds[culprits[h]],
            value=float(values[h]),
            started=float(first_alarm[h]),
            baseline="its own" if ref.instance in model.hosts else "the fleet",
        )
        for h, ref in enumerate(refs)
    ]
    return verdicts
