"""The side-by-side quality table: every method on the same cases, under the same rule."""

from __future__ import annotations

import numpy as np

from evaluation.batch import PRODUCT_RULE
from evaluation.quality import METHODS, Case, alarms_for, evaluate


def _case(seed: int) -> Case:
    rng = np.random.default_rng(seed)
    train = rng.normal(0.5, 0.05, size=(3000, 4))
    test = rng.normal(0.5, 0.05, size=(3000, 4))
    labels = np.zeros(3000, dtype=bool)
    for start in (500, 1500, 2500):
        test[start : start + 20, start % 4] += 1.0
        labels[start : start + 20] = True
    return Case(name=f"case-{seed}", train=train, test=test, labels=labels, step_seconds=60.0)


def test_random_at_rate_alarms_as_often_as_the_product() -> None:
    case = _case(1)
    product = alarms_for("product", case, rule=PRODUCT_RULE)
    chance = alarms_for("random_at_rate", case, rule=PRODUCT_RULE, salt=3)

    assert 0 < int(product.sum())
    assert abs(int(chance.sum()) - int(product.sum())) <= 3 * np.sqrt(product.sum()) + 1
    assert chance.tolist() == alarms_for("random_at_rate", case, rule=PRODUCT_RULE, salt=3).tolist()


def test_table_has_every_method_per_case_and_a_mean() -> None:
    seen: list[str] = []
    table = evaluate([_case(2), _case(3)], progress=seen.append)

    assert set(METHODS) == set(table.per_case)
    assert 2 * len(METHODS) == len(seen)
    assert 1.0 == table.means()["product"].event_recall
    assert table.means()["product"].event_f1 > table.means()["random_at_rate"].event_f1
    assert 0 == table.means()["random"].alarm_rate
