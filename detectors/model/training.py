"""Turning recorded history into training rows for the fleet model. Pure."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from detectors.model.cycle import build_cube
from detectors.model.fleet_model import FleetBaselineModel
from detectors.model.scoring import FloatArray
from domain.models import Series


def history_rows(
    series: Sequence[Series], features: Sequence[str], *, start: float, end: float, step: float
) -> dict[str, FloatArray]:
    """Per host instance, its rows (time × features) between ``start`` and ``end``."""
    rows = round((end - start) / step) + 1
    refs, cube = build_cube(series, features, start=start, step=step, rows=rows)
    return {ref.instance: cube[i] for i, ref in enumerate(refs)}


def fit_from_series(
    series: Sequence[Series], features: Sequence[str], *, start: float, end: float, step: float
) -> FleetBaselineModel:
    """Fit the fleet model on recorded series (the series' own sampling interval wins over ``step``).

    Raises:
        ValueError: there are no complete rows to learn from.
    """
    gaps = [b - a for s in series for a, b in itertools.pairwise(s.timestamps)]
    step = float(np.median(gaps)) if gaps else step
    history = history_rows(series, features, start=start, end=end, step=step)
    stamps = [t for s in series for t in (s.timestamps[:1] + s.timestamps[-1:])]
    first, last = (float(np.min(stamps)), float(np.max(stamps))) if stamps else (start, end)
    return FleetBaselineModel.fit(history, features=features, trained_from=first, trained_to=last)
