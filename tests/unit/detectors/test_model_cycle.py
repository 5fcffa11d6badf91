"""One model cycle from metric blocks (arrays) and from Series: the same verdicts either way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from adapters.clock import ManualClock
from adapters.memory.anomalies import InMemoryAnomalyStore
from adapters.simulated.metrics import SimulatedMetrics
from detectors.model.cycle import BlockSource, MetricBlock, block_verdicts, build_cube, cube_from_blocks, model_verdicts
from detectors.model.fleet_model import FEATURES, FleetBaselineModel, _top_k_mean_planes
from detectors.model.training import fit_from_series
from detectors.service import DetectionService
from domain.models import HostRef, MetricKind, Series
from simulator.fleet import FleetModel, Incident, IncidentKind

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
KINDS = tuple(MetricKind(f) for f in FEATURES)


class BlockMetrics(SimulatedMetrics):
    """The simulated source, also answering with one array per metric, built from its own Series."""

    def range_blocks(
        self, metrics: Sequence[MetricKind], *, start: datetime, end: datetime, step_seconds: float
    ) -> Mapping[MetricKind, MetricBlock]:
        out = {}
        for m in metrics:
            series = self.range(m, None, start=start, end=end, step_seconds=step_seconds)
            out[m] = MetricBlock(
                hosts=tuple(s.host for s in series),
                start=series[0].timestamps[0],
                step=series[0].timestamps[1] - series[0].timestamps[0],
                values=np.array([s.values for s in series]),
            )
        return out


@pytest.fixture(scope="module")
def trained() -> FleetBaselineModel:
    end = NOW - timedelta(hours=1)
    metrics = SimulatedMetrics(FleetModel(6), ManualClock(end))
    start = end - timedelta(hours=24)
    series = [s for k in KINDS for s in metrics.range(k, None, start=start, end=end, step_seconds=60)]
    return fit_from_series(series, FEATURES, start=start.timestamp(), end=end.timestamp(), step=60)


def _incident_fleet() -> FleetModel:
    return FleetModel(6, (Incident(IncidentKind.CPU_SATURATION, "web-2", NOW.timestamp() - 600, 3600),))


def test_top_k_of_feature_planes_matches_a_sort() -> None:
    z = np.random.default_rng(1).random((5, 7, 11))
    z[:, 0, 0] = 3.0  # ties
    for k in (1, 2, 3, 5):
        expected = np.sort(z, axis=0)[-k:].mean(axis=0)
        assert np.allclose(expected, _top_k_mean_planes(z, k))


def test_blocks_and_series_give_the_same_cube() -> None:
    metrics = BlockMetrics(_incident_fleet(), ManualClock(NOW))
    start = NOW - timedelta(minutes=30)
    series = [s for k in KINDS for s in metrics.range(k, None, start=start, end=NOW, step_seconds=60)]
    blocks = metrics.range_blocks(KINDS, start=start, end=NOW, step_seconds=60)

    refs_a, cube_a = build_cube(series, FEATURES, start=start.timestamp(), step=60, rows=31)
    refs_b, cube_b = cube_from_blocks(blocks, FEATURES, start=start.timestamp(), step=60, rows=31)

    assert refs_a == refs_b
    assert np.array_equal(cube_a, cube_b)


def test_blocks_on_other_grids_and_host_orders_are_placed_by_index() -> None:
    a, b = HostRef(instance="a:9100", name="a"), HostRef(instance="b:9100", name="b")
    blocks = {
        MetricKind.CPU: MetricBlock(hosts=(a, b), start=0.0, step=60.0, values=np.array([[1.0, 2.0], [3.0, 4.0]])),
        MetricKind.MEMORY: MetricBlock(hosts=(b,), start=60.0, step=60.0, values=np.array([[5.0]])),
    }

    refs, cube = cube_from_blocks(blocks, ("cpu", "memory"), start=0.0, step=60.0, rows=2)

    assert [a, b] == refs
    assert [[1.0, 2.0], [3.0, 4.0]] == cube[:, :, 0].tolist()
    assert [[False, False], [False, True]] == np.isfinite(cube[:, :, 1]).tolist()
    assert 5.0 == cube[1, 1, 1]


def test_a_block_must_have_one_row_per_host() -> None:
    with pytest.raises(ValueError, match="hosts × time"):
        MetricBlock(hosts=(HostRef(instance="a:9100", name="a"),), start=0.0, step=60.0, values=np.zeros((2, 3)))


def test_block_verdicts_are_the_actionable_series_verdicts(trained: FleetBaselineModel) -> None:
    metrics = BlockMetrics(_incident_fleet(), ManualClock(NOW))
    start = NOW - timedelta(minutes=30)
    series: list[Series] = [s for k in KINDS for s in metrics.range(k, None, start=start, end=NOW, step_seconds=60)]
    blocks = metrics.range_blocks(KINDS, start=start, end=NOW, step_seconds=60)
    kwargs = {"open_instances": frozenset({"web-5:9100"}), "start": start.timestamp(), "step": 60.0}

    every = model_verdicts(trained, series, **kwargs)  # type: ignore[arg-type]
    from_blocks = block_verdicts(trained, blocks, **kwargs)  # type: ignore[arg-type]

    assert 6 == len(every)
    assert [v for v in every if v.alarm or v.host.instance == "web-5:9100"] == from_blocks
    assert ["web-2"] == [v.host.name for v in from_blocks if v.alarm]


def test_service_reads_blocks_from_a_block_source(trained: FleetBaselineModel) -> None:
    blocks = BlockMetrics(_incident_fleet(), ManualClock(NOW))
    plain = SimulatedMetrics(_incident_fleet(), ManualClock(NOW))
    assert isinstance(blocks, BlockSource)
    assert not isinstance(plain, BlockSource)

    def run(source: SimulatedMetrics) -> tuple[list[str], list[object]]:
        service = DetectionService(
            metrics=source, store=InMemoryAnomalyStore(), detectors=(), metric_kinds=(), model=trained
        )
        report = service.run_once(NOW)
        assert 6 * len(FEATURES) == report.series_checked
        return [a.host.name for a in report.opened], [a.model_dump() for a in report.opened]

    names, from_blocks = run(blocks)
    assert ["web-2"] == names
    assert run(plain)[1] == from_blocks
