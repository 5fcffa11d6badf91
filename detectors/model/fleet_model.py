"""The trained model of live detection: a robust baseline per host and one for the whole fleet. Pure.

Each host with enough history gets its own per-metric medians, spreads and alarm thresholds;
hosts without history are judged against the fleet baseline, fitted on every host's rows.
Scoring is vectorised over hosts: one cycle is a few array operations on a
hosts × time × metrics cube.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from detectors.model.scoring import AlarmRule, FloatArray, RobustZScorer, Thresholds

FEATURES = ("cpu", "memory", "disk", "load", "network_in")
MODEL_VERSION = 1
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Baseline:
    """Per-metric centre and spread, and the alarm thresholds calibrated on the same rows."""

    median: FloatArray
    scale: FloatArray
    on: float
    off: float


def fit_baseline(rows: FloatArray, *, rule: AlarmRule, top_k: int) -> Baseline:
    """A baseline from training rows (rows × metrics, NaN for missing values)."""
    complete = rows[np.isfinite(rows).all(axis=1)]
    if complete.shape[0] < 2:
        raise ValueError("at least two complete rows are needed to fit a baseline")
    scorer = RobustZScorer.fit(complete, top_k=top_k)
    thresholds = rule.calibrate(scorer.scores(complete))
    return Baseline(median=scorer.median, scale=scorer.scale, on=thresholds.on, off=thresholds.off)


@dataclass(frozen=True)
class CycleScores:
    """What a model says about every host at the end of a window."""

    score: FloatArray
    ratio: FloatArray
    alarm_rows: npt.NDArray[np.bool_]
    culprit: IntArray
    latest: FloatArray


@dataclass(frozen=True)
class FleetBaselineModel:
    """Baselines per host (by ``instance``) and for the fleet.

    Args:
        features: metric names, in column order.
        hosts: baselines of hosts that had enough history.
        fleet: the baseline for every other host.
        rule: the alarm rule the thresholds were calibrated with.
        top_k: how many of the largest per-metric z-scores make a row score.
        trained_from: first training timestamp (epoch seconds).
        trained_to: last training timestamp (epoch seconds).
    """

    features: tuple[str, ...]
    hosts: Mapping[str, Baseline]
    fleet: Baseline
    rule: AlarmRule = field(default_factory=AlarmRule)
    top_k: int = 2
    trained_from: float = 0.0
    trained_to: float = 0.0

    @classmethod
    def fit(
        cls,
        history: Mapping[str, FloatArray],
        *,
        features: Sequence[str] = FEATURES,
        trained_from: float,
        trained_to: float,
        min_rows: int = 60,
        rule: AlarmRule | None = None,
        top_k: int = 2,
    ) -> FleetBaselineModel:
        """Fit on each host's rows (time × features).

        Args:
            history: training rows per host instance.
            features: names of the columns.
            trained_from: start of the training range (epoch seconds).
            trained_to: end of the training range (epoch seconds).
            min_rows: complete rows a host needs for its own baseline.
            rule: the alarm rule (product default when None).
            top_k: see the class.

        Returns:
            The fitted model.
        """
        rule = rule or AlarmRule()
        per_host: dict[str, Baseline] = {}
        pooled: list[FloatArray] = []
        for instance, rows in history.items():
            x = np.asarray(rows, dtype=np.float64)
            if x.ndim != 2 or x.shape[1] != len(features):
                raise ValueError(f"{instance}: expected rows × {len(features)} features, got {x.shape}")
            complete = x[np.isfinite(x).all(axis=1)]
            if complete.shape[0] >= min_rows:
                per_host[instance] = fit_baseline(complete, rule=rule, top_k=top_k)
            pooled.append(complete)
        every = np.concatenate(pooled) if pooled else np.empty((0, len(features)))
        if every.shape[0] < 2:
            raise ValueError("no usable training rows: every host's history is empty or incomplete")
        return cls(
            features=tuple(features),
            hosts=per_host,
            fleet=fit_baseline(every, rule=rule, top_k=top_k),
            rule=rule,
            top_k=top_k,
            trained_from=trained_from,
            trained_to=trained_to,
        )

    @cached_property
    def _stacked(self) -> tuple[dict[str, int], FloatArray, FloatArray, FloatArray, FloatArray]:
        """Every baseline stacked once (the fleet's last), with each host's row."""
        chosen = [*self.hosts.values(), self.fleet]
        width = len(self.features)
        return (
            {instance: n for n, instance in enumerate(self.hosts)},
            np.array([b.median for b in chosen]).reshape(len(chosen), width),
            np.array([b.scale for b in chosen]).reshape(len(chosen), width),
            np.array([b.on for b in chosen]),
            np.array([b.off for b in chosen]),
        )

    def baselines_for(self, instances: Sequence[str]) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Stacked medians, scales, on and off thresholds for these hosts (fleet baseline where unknown)."""
        index, median, scale, on, off = self._stacked
        fleet_row = len(index)
        rows = np.fromiter((index.get(i, fleet_row) for i in instances), dtype=np.int64, count=len(instances))
        return median[rows], scale[rows], on[rows], off[rows]

    def score_cycle(
        self, instances: Sequence[str], cube: FloatArray, *, active: npt.NDArray[np.bool_] | None = None
    ) -> CycleScores:
        """Score a window for many hosts at once.

        Args:
            instances: host instances, one per cube row.
            cube: values, hosts × time × features, NaN where missing.
            active: per host, whether an incident is already open (hysteresis carries over).

        Returns:
            Per host: last smoothed score, its ratio to the on-threshold, the alarm state at every
            row of the window, the culprit feature at the last row and the latest values.
        """
        n_hosts, n_rows, n_features = cube.shape
        median, scale, on, off = self.baselines_for(instances)
        # feature-major: each feature's hosts × time plane is contiguous, so every step below is a
        # handful of whole-plane operations (a cube built from metric blocks already lies this way)
        planes = np.ascontiguousarray(np.moveaxis(cube, -1, 0))
        z = np.abs(planes - median.T[:, :, None]) / scale.T[:, :, None]
        np.nan_to_num(z, copy=False, nan=0.0, posinf=0.0)
        raw = _top_k_mean_planes(z, min(max(self.top_k, 1), n_features))
        width = self.rule.smoothing
        csum = np.concatenate((np.zeros((n_hosts, 1)), np.cumsum(raw, axis=1)), axis=1)
        idx = np.arange(n_rows)
        lo = np.maximum(0, idx - width + 1)
        smoothed = (csum[:, idx + 1] - csum[:, lo]) / (idx + 1 - lo)
        state = np.zeros(n_hosts, dtype=bool) if active is None else active.copy()
        above_on, above_off = smoothed > on[:, None], smoothed > off[:, None]
        alarm_rows = np.zeros((n_hosts, n_rows), dtype=bool)
        for t in range(n_rows):
            state = np.where(state, above_off[:, t], above_on[:, t])
            alarm_rows[:, t] = state
        last = smoothed[:, -1] if n_rows else np.zeros(n_hosts)
        return CycleScores(
            score=last,
            ratio=last / np.maximum(on, 1e-9),
            alarm_rows=alarm_rows,
            culprit=np.argmax(z[:, :, -1], axis=0) if n_rows else np.zeros(n_hosts, dtype=np.int64),
            latest=_last_finite(planes),
        )

    def thresholds(self) -> Thresholds:
        """The fleet baseline's thresholds."""
        return Thresholds(on=self.fleet.on, off=self.fleet.off)


def _top_k_mean_planes(z: FloatArray, k: int) -> FloatArray:
    """Mean of the ``k`` largest values across the first axis (features × hosts × time → hosts × time).

    Keeps the k largest so far per cell and inserts each feature plane with elementwise
    maximum/minimum, so the work is a few whole-plane operations per feature.
    """
    tops = [np.full(z.shape[1:], -np.inf) for _ in range(k)]
    for plane in z:
        carry = plane
        for j in range(k):
            higher = np.maximum(tops[j], carry)
            carry = np.minimum(tops[j], carry)
            tops[j] = higher
    out: FloatArray = np.sum(tops, axis=0) / k
    return out


def _last_finite(planes: FloatArray) -> FloatArray:
    """Per host and feature, the last finite value in the window (NaN if none), from features × hosts × time."""
    finite = np.isfinite(planes)
    n_rows = planes.shape[2]
    if n_rows == 0:
        return np.full(planes.shape[1::-1], np.nan)
    last_idx = n_rows - 1 - np.argmax(finite[:, :, ::-1], axis=2)
    values = np.take_along_axis(planes, last_idx[:, :, None], axis=2)[:, :, 0]
    out: FloatArray = np.where(finite.any(axis=2), values, np.nan).T
    return out
