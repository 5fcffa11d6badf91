"""Detection quality metrics: point-wise, point-adjusted and event-wise F1, and false-alarm rates. Pure.

Conventions, used the same way by every metric here:
- ``labels`` and ``alarms`` are equal-length sequences of 0/1 (or booleans), one per row.
- A *segment* is a maximal run of labelled rows; an *alarm run* is a maximal run of alarm rows.
- Precision with nothing predicted is 1.0 (no false alarm was raised); recall with nothing to find
  is 1.0; F1 is 0.0 when precision and recall are both 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]
DAY_SECONDS = 86_400.0


@dataclass(frozen=True)
class Scores:
    """Every quality figure for one series (or a mean over several)."""

    precision: float
    recall: float
    f1: float
    pa_f1: float
    event_precision: float
    event_recall: float
    event_f1: float
    alarm_rate: float
    false_runs_per_day: float

    def as_dict(self) -> dict[str, float]:
        """The figures by name."""
        return asdict(self)


def _as_bool(values: Sequence[int] | Sequence[bool] | npt.ArrayLike) -> BoolArray:
    return np.asarray(values).astype(bool)


def _check(labels: BoolArray, alarms: BoolArray) -> None:
    if labels.shape != alarms.shape or labels.ndim != 1:
        raise ValueError(f"labels and alarms must be 1-D and equal in length ({labels.shape} vs {alarms.shape})")


def runs(mask: Sequence[int] | Sequence[bool] | npt.ArrayLike) -> list[tuple[int, int]]:
    """Maximal runs of true values as ``(start, end)`` pairs, end exclusive.

    Args:
        mask: one truth value per row.

    Returns:
        The runs in order.
    """
    m = _as_bool(mask).astype(np.int8)
    if m.size == 0:
        return []
    edges = np.diff(np.concatenate(([0], m, [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def point_prf(labels: npt.ArrayLike, alarms: npt.ArrayLike) -> tuple[float, float, float]:
    """Point-wise precision, recall and F1.

    Args:
        labels: 1 where a row is anomalous.
        alarms: 1 where the detector alarmed.

    Returns:
        ``(precision, recall, f1)``.
    """
    y, p = _as_bool(labels), _as_bool(alarms)
    _check(y, p)
    tp = int(np.sum(y & p))
    predicted, actual = int(p.sum()), int(y.sum())
    precision = tp / predicted if predicted else 1.0
    recall = tp / actual if actual else 1.0
    return precision, recall, _f1(precision, recall)


def point_adjust(labels: npt.ArrayLike, alarms: npt.ArrayLike) -> BoolArray:
    """Alarms with every labelled segment filled in where any of its rows alarmed."""
    y, p = _as_bool(labels), _as_bool(alarms).copy()
    _check(y, p)
    for start, end in runs(y):
        if p[start:end].any():
            p[start:end] = True
    return p


def point_adjusted_f1(labels: npt.ArrayLike, alarms: npt.ArrayLike) -> float:
    """Point-adjusted F1: a labelled segment counts as fully found when any of its rows alarmed."""
    return point_prf(labels, point_adjust(labels, alarms))[2]


def event_prf(labels: npt.ArrayLike, alarms: npt.ArrayLike) -> tuple[float, float, float]:
    """Event-wise precision, recall and F1.

    Recall is the share of labelled segments with at least one alarm; precision is the share
    of alarm runs that overlap a labelled segment.

    Returns:
        ``(precision, recall, f1)``.
    """
    y, p = _as_bool(labels), _as_bool(alarms)
    _check(y, p)
    segments, alarm_runs = runs(y), runs(p)
    found = sum(1 for s, e in segments if p[s:e].any())
    true_runs = sum(1 for s, e in alarm_runs if y[s:e].any())
    recall = found / len(segments) if segments else 1.0
    precision = true_runs / len(alarm_runs) if alarm_runs else 1.0
    return precision, recall, _f1(precision, recall)


def false_alarm_runs(labels: npt.ArrayLike, alarms: npt.ArrayLike) -> int:
    """Alarm runs that touch no labelled row."""
    y, p = _as_bool(labels), _as_bool(alarms)
    _check(y, p)
    return sum(1 for s, e in runs(p) if not y[s:e].any())


def score_all(labels: npt.ArrayLike, alarms: npt.ArrayLike, *, step_seconds: float) -> Scores:
    """Every figure for one series.

    Args:
        labels: 1 where a row is anomalous.
        alarms: 1 where the detector alarmed.
        step_seconds: time between rows, for the per-day rate.

    Returns:
        The scores.
    """
    y, p = _as_bool(labels), _as_bool(alarms)
    _check(y, p)
    precision, recall, f1 = point_prf(y, p)
    ep, er, ef = event_prf(y, p)
    days = y.size * step_seconds / DAY_SECONDS
    return Scores(
        precision=precision,
        recall=recall,
        f1=f1,
        pa_f1=point_adjusted_f1(y, p),
        event_precision=ep,
        event_recall=er,
        event_f1=ef,
        alarm_rate=float(p.mean()) if p.size else 0.0,
        false_runs_per_day=false_alarm_runs(y, p) / days if days > 0 else 0.0,
    )


def mean_scores(scores: Sequence[Scores]) -> Scores:
    """The figure-by-figure mean over several series."""
    if not scores:
        raise ValueError("no scores to average")
    keys = scores[0].as_dict().keys()
    return Scores(**{k: float(np.mean([s.as_dict()[k] for s in scores])) for k in keys})
