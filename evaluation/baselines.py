"""Baseline scorers every reported figure is compared with: IsolationForest and uniform random scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import IsolationForest

from detectors.model.scoring import FloatArray


@dataclass(frozen=True)
class IsolationForestScorer:
    """IsolationForest on the raw features (200 trees); higher score = more anomalous."""

    forest: IsolationForest

    @classmethod
    def fit(cls, train: FloatArray, *, seed: int = 0) -> IsolationForestScorer:
        """Fit the forest on the training rows."""
        forest = IsolationForest(n_estimators=200, random_state=seed, n_jobs=1)
        forest.fit(np.asarray(train, dtype=np.float64))
        return cls(forest=forest)

    def scores(self, rows: FloatArray) -> FloatArray:
        """One score per row."""
        out: FloatArray = -self.forest.score_samples(np.asarray(rows, dtype=np.float64))
        return out


@dataclass(frozen=True)
class RandomScorer:
    """Uniform random scores, the floor every detector must clear."""

    seed: int = 0

    def scores(self, rows: FloatArray, *, salt: int = 0) -> FloatArray:
        """One uniform score in [0, 1) per row."""
        rng = np.random.default_rng(self.seed + salt)
        out: FloatArray = rng.random(len(rows))
        return out
