"""SCO_PROMETHEUS__NODE_SELECTOR takes PromQL label matchers and nothing else."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config.settings import PrometheusSettings


@pytest.mark.parametrize(
    ("given", "kept"),
    [('job="node"', 'job="node"'), (' job=~"node|hosts", env!="dev" ', 'job=~"node|hosts", env!="dev"')],
)
def test_label_matchers_are_accepted(given: str, kept: str) -> None:
    assert kept == PrometheusSettings(node_selector=given).node_selector


@pytest.mark.parametrize("given", ["job=node", 'job="x"} or vector(1)', 'job="a",', "", '{job="node"}'])
def test_anything_else_is_refused(given: str) -> None:
    with pytest.raises(ValidationError):
        PrometheusSettings(node_selector=given)
