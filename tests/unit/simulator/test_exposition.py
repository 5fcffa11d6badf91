"""Exposition text and streamed history: parseable, consistent with the model, in the right order."""

from __future__ import annotations

import io
import re
from collections import defaultdict

import numpy as np
import pytest

from domain.models import MetricKind
from simulator.exposition import CounterIntegrator, RunningIntegral, render_exposition, write_history
from simulator.fleet import BUCKET_SECONDS, FleetModel, Incident, IncidentKind

T = 1_780_000_020.0
_LINE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?P<labels>[^}]*)\} (?P<value>\S+)(?: (?P<ts>\S+))?$")


def _parse(text: str) -> tuple[list[str], dict[tuple[str, str], list[tuple[float, float]]]]:
    families: list[str] = []
    series: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            families.append(line.split()[2])
            continue
        if line.startswith("#") or not line:
            continue
        m = _LINE.match(line)
        assert m is not None, line
        series[(m["name"], m["labels"])].append((float(m["ts"] or 0), float(m["value"])))
    return families, series


def test_a_scrape_has_every_family_for_every_host() -> None:
    model = FleetModel(5)
    families, series = _parse(render_exposition(model, CounterIntegrator(model, T - 3600), T))

    assert "up" in families
    assert "node_uname_info" in families
    assert 5 * 6 == sum(1 for name, _ in series if name == "node_cpu_seconds_total")
    assert 5 * 2 == sum(1 for name, _ in series if name == "node_filesystem_avail_bytes")


def test_a_down_host_keeps_only_its_up_series_at_zero() -> None:
    model = FleetModel(5, (Incident(IncidentKind.HOST_DOWN, "api-1", T - 60, 600),))
    _, series = _parse(render_exposition(model, CounterIntegrator(model, T - 3600), T))

    api = {(name, v[0][1]) for (name, labels), v in series.items() if 'host="api-1"' in labels}
    assert {("up", 0.0)} == api
    assert 4 == sum(1 for (name, _), v in series.items() if name == "up" and v[0][1] == 1.0)


def test_counter_increase_over_a_minute_matches_the_models_average() -> None:
    model = FleetModel(4)
    integrator = CounterIntegrator(model, T - 3600)
    _, first = _parse(render_exposition(model, integrator, T))
    _, second = _parse(render_exposition(model, integrator, T + 60))
    key = next(k for k in first if k[0] == "node_cpu_seconds_total" and 'mode="idle"' in k[1] and "web-1" in k[1])

    idle_per_second = (second[key][0][1] - first[key][0][1]) / 60
    midpoints = T + 0.5 + np.arange(60.0)
    cpu = model.rates(MetricKind.CPU, midpoints)[model.index_of("web-1")].mean()

    assert 100 * (1 - idle_per_second) == pytest.approx(cpu, abs=0.01)


def test_running_integral_gives_the_same_values_in_chunks_or_at_once() -> None:
    model = FleetModel(3)
    times = np.arange(T, T + 3600, 7.0)
    whole = RunningIntegral(model, MetricKind.NETWORK_IN, T - 100).at(times)
    chunked = RunningIntegral(model, MetricKind.NETWORK_IN, T - 100)
    parts = np.concatenate([chunked.at(times[i : i + 50]) for i in range(0, times.size, 50)], axis=1)

    assert np.allclose(whole, parts)
    assert (np.diff(whole, axis=1) >= 0).all()


def test_running_integral_refuses_to_go_back() -> None:
    integral = RunningIntegral(FleetModel(1), MetricKind.CPU, T)
    integral.at(np.array([T + 10 * BUCKET_SECONDS]))

    with pytest.raises(ValueError, match="go back"):
        integral.at(np.array([T]))


@pytest.mark.parametrize(("fmt", "scale"), [("openmetrics", 1.0), ("prometheus", 1000.0)])
def test_history_keeps_families_contiguous_and_each_series_in_time_order(fmt: str, scale: float) -> None:
    model = FleetModel(3, (Incident(IncidentKind.HOST_DOWN, "api-1", T + 600, 300),))
    out = io.StringIO()

    count = write_history(model, start=T, end=T + 1800, step=15, out=out, fmt=fmt)  # type: ignore[arg-type]

    text = out.getvalue()
    families, series = _parse(text)
    assert len(families) == len(set(families))
    assert count == sum(len(v) for v in series.values())
    assert text.endswith("# EOF\n") == (fmt == "openmetrics")
    for samples in series.values():
        stamps = [t for t, _ in samples]
        assert stamps == sorted(stamps)
    up_api = next(v for (name, labels), v in series.items() if name == "up" and "api-1" in labels)
    assert 121 == len(up_api)
    assert (T + 600) * scale == next(t for t, v in up_api if v == 0.0)
    load_api = next(v for (name, labels), v in series.items() if name == "node_load1" and "api-1" in labels)
    assert 121 - 20 == len(load_api)


def test_history_counters_continue_into_live_scrapes_from_the_same_origin() -> None:
    model = FleetModel(2)
    origin = T - 3600
    out = io.StringIO()
    write_history(model, start=T, end=T + 300, step=60, out=out, origin=origin)
    _, history = _parse(out.getvalue())
    _, live = _parse(render_exposition(model, CounterIntegrator(model, origin), T + 300))

    for key, samples in live.items():
        assert samples[0][1] == pytest.approx(history[key][-1][1], rel=1e-9)


def test_history_refuses_a_bad_step() -> None:
    with pytest.raises(ValueError, match="positive step"):
        write_history(FleetModel(1), start=T, end=T + 60, step=0, out=io.StringIO())
