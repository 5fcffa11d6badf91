"""NAB's standard-profile score, with one detection per incident (the first row of each run of alarm rows). Pure.

As NAB's sweeper (``nab/sweeper.py``): a detection inside a labelled window earns
tp·(2·sigmoid(−5x) − 1), x from −1 at the window's left edge to 0 at its right edge, and only
the best (earliest) detection of a window counts; a detection outside every window costs
fp·that sigmoid of its distance past the previous window in that window's widths (the full fp
before the first window); a window without a detection costs fn. Rows of the probationary
period are not scored. The corpus score is 100·(raw − null)/(perfect − null) over all files
summed, null being the detector that never fires and perfect one detection at every window's
left edge. Standard profile: tp 1.0, fp 0.11, fn 1.0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from evaluation.metrics import runs

TP_WEIGHT, FP_WEIGHT, FN_WEIGHT = 1.0, 0.11, 1.0


@dataclass(frozen=True)
class NabParts:
    """One file's raw score beside the null and perfect detectors' scores."""

    raw: float
    null: float
    perfect: float


def _scaled_sigmoid(position: float) -> float:
    if position > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def onsets(alarms: npt.ArrayLike) -> list[int]:
    """The first row of each run of alarm rows: what a person is notified of."""
    return [start for start, _ in runs(alarms)]


def nab_parts(labels: npt.ArrayLike, alarms: npt.ArrayLike, *, probation: int) -> NabParts:
    """Raw, null and perfect standard-profile scores of one file (labels and alarms over every row)."""
    y = np.asarray(labels).astype(bool)
    windows = runs(y)
    best: dict[int, float] = {}
    raw = 0.0
    for i in onsets(alarms):
        if i < probation:
            continue
        inside = next((n for n, (s, e) in enumerate(windows) if s <= i < e), None)
        if inside is not None:
            s, e = windows[inside]
            score = TP_WEIGHT * _scaled_sigmoid(-(e - i) / (e - s))
            best[inside] = max(best.get(inside, -math.inf), score)
            continue
        before = [(s, e) for s, e in windows if e <= i]
        if not before:
            raw -= FP_WEIGHT
            continue
        s, e = before[-1]
        raw += FP_WEIGHT * _scaled_sigmoid((i - (e - 1)) / max(e - s - 1, 1))
    raw += sum(best.values()) - FN_WEIGHT * (len(windows) - len(best))
    perfect = TP_WEIGHT * _scaled_sigmoid(-1.0) * len(windows)
    return NabParts(raw=raw, null=-FN_WEIGHT * len(windows), perfect=perfect)


def corpus_score(parts: Iterable[NabParts]) -> float:
    """The normalised score over several files (0 = never fire, 100 = perfect)."""
    items = list(parts)
    raw = sum(p.raw for p in items)
    null = sum(p.null for p in items)
    perfect = sum(p.perfect for p in items)
    return 100.0 * (raw - null) / (perfect - null) if perfect > null else 0.0
