"""The fleet model: daily shape within bounds and each incident kind's signature."""

from __future__ import annotations

import numpy as np
import pytest

from domain.models import MetricKind
from simulator.fleet import FleetModel, Incident, IncidentKind

T = 1_780_000_000.0


def _model(kind: IncidentKind) -> FleetModel:
    return FleetModel(10, (Incident(kind, "db-1", T, 1800),))


def _row(model: FleetModel, metric: MetricKind, times: list[float]) -> np.ndarray:
    return model.rates(metric, np.array(times))[model.index_of("db-1")]


def test_percentages_stay_within_bounds_over_a_day() -> None:
    model = FleetModel(200)
    times = np.arange(T, T + 86400, 900.0)

    for metric in (MetricKind.CPU, MetricKind.MEMORY, MetricKind.DISK):
        values = model.rates(metric, times)
        assert values.min() >= 0.5
        assert values.max() <= 99.9


def test_cpu_saturation_holds_cpu_near_97_percent_only_while_it_lasts() -> None:
    before, during, after = _row(_model(IncidentKind.CPU_SATURATION), MetricKind.CPU, [T - 60, T + 600, T + 1900])

    assert before < 60
    assert during == pytest.approx(97.0, abs=2.5)
    assert after < 60


def test_memory_leak_climbs_towards_98_percent() -> None:
    values = _row(_model(IncidentKind.MEMORY_LEAK), MetricKind.MEMORY, [T + 60, T + 900, T + 1790])

    assert values[0] < values[1] < values[2]
    assert values[2] > 95


def test_disk_fill_climbs_towards_99_percent() -> None:
    values = _row(_model(IncidentKind.DISK_FILL), MetricKind.DISK, [T + 60, T + 900, T + 1790])

    assert values[0] < values[1] < values[2]
    assert values[2] > 95


def test_network_spike_multiplies_inbound_traffic() -> None:
    quiet, spike = _row(_model(IncidentKind.NETWORK_SPIKE), MetricKind.NETWORK_IN, [T - 60, T + 60])

    assert spike > 10 * quiet + 30


def test_host_down_turns_up_to_zero_for_that_host_only() -> None:
    model = _model(IncidentKind.HOST_DOWN)

    assert [model.index_of("db-1")] == list(np.flatnonzero(model.down_mask(T + 60)))
    assert not model.down_mask(T + 1800 + 15).any()


def test_an_incident_on_an_unknown_host_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown host"):
        FleetModel(3, (Incident(IncidentKind.HOST_DOWN, "web-9", T, 60),))
