"""Side-by-side quality of the product detector, IsolationForest and random scores on labelled cases.

The product is the streaming engine that runs live (``evaluation.batch.detect_train_test``);
``batch_scorer`` is the former batch scorer. The comparison scorers share one threshold rule
(``PRODUCT_RULE``, thresholds from their own training scores). Under that rule uniform random
scores never alarm (the "never alarm" floor), so one more baseline, ``random_at_rate``, raises
independent random alarms at exactly the product's alarm rate on each case: what chance alone
scores at the same alarm budget (point adjustment rewards it generously). Pure: cases in,
scores out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from detectors.model.scoring import AlarmRule, BoolArray, FloatArray, run_stream
from evaluation.baselines import IsolationForestScorer, RandomScorer
from evaluation.batch import PRODUCT_RULE, batch_scorer_train_test, detect_train_test
from evaluation.metrics import Scores, mean_scores, score_all

METHODS = ("product", "isolation_forest", "random", "random_at_rate", "batch_scorer", "engine")
"""Every method ``eval`` can measure; ``engine`` is another name for ``product``, the live streaming engine."""


@dataclass(frozen=True)
class Case:
    """One labelled file: training rows, test rows and one label per test row."""

    name: str
    train: FloatArray
    test: FloatArray
    labels: BoolArray
    step_seconds: float


@dataclass(frozen=True)
class QualityTable:
    """Scores per method, per case, and their means."""

    cases: tuple[str, ...]
    per_case: dict[str, tuple[Scores, ...]]

    def means(self) -> dict[str, Scores]:
        """Mean scores per method."""
        return {m: mean_scores(s) for m, s in self.per_case.items()}

    def as_dict(self) -> dict[str, object]:
        """Plain data for JSON output."""
        return {
            "cases": list(self.cases),
            "per_case": {m: [s.as_dict() for s in v] for m, v in self.per_case.items()},
            "mean": {m: s.as_dict() for m, s in self.means().items()},
        }


def alarms_for(
    method: str, case: Case, *, rule: AlarmRule, salt: int = 0, product: BoolArray | None = None
) -> BoolArray:
    """The alarms of one method on one case (``product``: the product's alarms there, when already known)."""
    if method in ("product", "engine"):
        return detect_train_test(case.train, case.test, step_seconds=case.step_seconds).alarms
    if method == "batch_scorer":
        return batch_scorer_train_test(case.train, case.test, step_seconds=case.step_seconds).alarms
    if method == "isolation_forest":
        forest = IsolationForestScorer.fit(case.train)
        return run_stream(
            forest.scores(case.train), forest.scores(case.test), rule=rule, step_seconds=case.step_seconds
        ).alarms
    if method == "random_at_rate":
        rate = float(np.mean(product if product is not None else alarms_for("product", case, rule=rule)))
        return np.random.default_rng(salt).random(len(case.test)) < rate
    if method == "random":
        rand = RandomScorer()
        train, test = rand.scores(case.train, salt=salt), rand.scores(case.test, salt=salt + 1)
        return run_stream(train, test, rule=rule, step_seconds=case.step_seconds).alarms
    raise ValueError(f"unknown method {method!r}")


def evaluate(
    cases: Sequence[Case],
    *,
    rule: AlarmRule | None = None,
    methods: Sequence[str] = METHODS,
    progress: Callable[[str], None] | None = None,
) -> QualityTable:
    """Score every method on every case.

    Args:
        cases: the labelled cases.
        rule: the alarm rule shared by all methods (``PRODUCT_RULE`` when None).
        methods: which methods to run.
        progress: called with ``"method case"`` after each run.

    Returns:
        The quality table.
    """
    rule = rule or PRODUCT_RULE
    per_case: dict[str, list[Scores]] = {m: [] for m in methods}
    for n, case in enumerate(cases):
        product: BoolArray | None = None
        for method in methods:
            alarms = alarms_for(method, case, rule=rule, salt=2 * n, product=product)
            if method in ("product", "engine"):
                product = alarms
            per_case[method].append(score_all(case.labels, np.asarray(alarms), step_seconds=case.step_seconds))
            if progress is not None:
                progress(f"{method} {case.name}")
    return QualityTable(cases=tuple(c.name for c in cases), per_case={m: tuple(v) for m, v in per_case.items()})
