"""The streaming engine's incident semantics, on a simulated fleet fed minute by minute."""

from __future__ import annotations

import numpy as np

from detectors.engine.config import EngineConfig
from detectors.engine.events import EventKind, IncidentEvent, IncidentKind
from detectors.engine.fleet import FleetEngine
from domain.models import MetricKind
from simulator.fleet import FleetModel, Incident
from simulator.fleet import IncidentKind as Injected

START = 1_800_000_000.0
HOUR = 3600.0
SIGNALS = (MetricKind.CPU, MetricKind.MEMORY, MetricKind.DISK, MetricKind.NETWORK_IN, MetricKind.UP)


def _run(
    incidents: tuple[Incident, ...], hours: float, *, config: EngineConfig | None = None, hosts: int = 10
) -> list[IncidentEvent]:
    model = FleetModel(hosts, incidents)
    engine = FleetEngine(config or EngineConfig())
    history = np.arange(START - 24 * HOUR, START, 300.0)
    for signal in SIGNALS:
        engine.bootstrap(signal, model.refs, history, model.rates(signal, history))
    events: list[IncidentEvent] = []
    for t in np.arange(START, START + hours * HOUR, 60.0):
        down = model.down_mask(float(t))
        for signal in SIGNALS:
            values = model.rates(signal, np.array([t]))[:, 0]
            if signal is not MetricKind.UP:
                values = np.where(down, np.nan, values)
            events += engine.observe(float(t), signal, model.refs, values)
    return events


def _of(events: list[IncidentEvent], host: str, signal: MetricKind, kind: IncidentKind) -> list[IncidentEvent]:
    return [
        e for e in events if e.incident.host.name == host and e.incident.signal is signal and e.incident.kind is kind
    ]


def test_a_two_hour_saturation_stays_open_and_resolves_after_the_recovery_time() -> None:
    saturation = Incident(Injected.CPU_SATURATION, "web-1", START + HOUR, 2 * HOUR)
    events = _of(_run((saturation,), 4), "web-1", MetricKind.CPU, IncidentKind.ANOMALY)

    opened = [e for e in events if e.kind is EventKind.OPENED]
    ended = [e for e in events if e.kind in (EventKind.RESOLVED, EventKind.BASELINE_CHANGED)]
    assert len(opened) == 1
    assert opened[0].at - saturation.start <= 5 * 60
    assert len(ended) == 1
    assert ended[0].kind is EventKind.RESOLVED
    assert saturation.start + saturation.duration <= ended[0].at <= saturation.start + saturation.duration + 15 * 60


def test_a_level_shift_is_accepted_after_the_horizon_with_a_note() -> None:
    shift = Incident(Injected.CPU_SATURATION, "web-1", START + HOUR, 10 * HOUR)
    config = EngineConfig(horizon_seconds=2 * HOUR)
    events = _of(_run((shift,), 5, config=config), "web-1", MetricKind.CPU, IncidentKind.ANOMALY)

    changed = [e for e in events if e.kind is EventKind.BASELINE_CHANGED]
    assert len(changed) == 1
    assert changed[0].at - shift.start >= 2 * HOUR
    assert "new normal" in changed[0].note
    assert "new normal" in changed[0].incident.summary
    assert [e.kind for e in events if e.kind is EventKind.OPENED] == [EventKind.OPENED]


def test_a_memory_leak_is_flagged_before_memory_runs_out() -> None:
    leak = Incident(Injected.MEMORY_LEAK, "api-1", START + HOUR, 3 * HOUR)
    events = _of(_run((leak,), 4), "api-1", MetricKind.MEMORY, IncidentKind.MEMORY_LEAK)

    opened = [e for e in events if e.kind is EventKind.OPENED]
    assert opened
    # The leak reaches 98% at its end: the incident must come well before.
    assert opened[0].at < leak.start + leak.duration / 2
    assert "memory on api-1" in opened[0].incident.summary
    assert ", full in ~" in opened[0].incident.summary


def test_a_filling_disk_is_flagged_before_it_is_full() -> None:
    fill = Incident(Injected.DISK_FILL, "db-1", START + HOUR, 3 * HOUR)
    events = _of(_run((fill,), 4), "db-1", MetricKind.DISK, IncidentKind.DISK_FILL)

    opened = [e for e in events if e.kind is EventKind.OPENED]
    assert opened
    assert opened[0].at < fill.start + fill.duration / 2


def test_a_host_that_is_down_is_a_host_down_incident_until_it_is_back() -> None:
    outage = Incident(Injected.HOST_DOWN, "worker-1", START + HOUR, 20 * 60)
    events = _run((outage,), 2)
    down = _of(events, "worker-1", MetricKind.UP, IncidentKind.HOST_DOWN)

    assert [e.kind for e in down] == [EventKind.OPENED, EventKind.RESOLVED]
    assert down[0].at - outage.start <= 2 * 60
    assert down[0].incident.severity.value == "critical"
    assert down[1].at >= outage.start + outage.duration
    # The missing samples of the other signals while it was down open nothing.
    assert not [e for e in events if e.incident.host.name == "worker-1" and e.incident.kind is IncidentKind.ANOMALY]


def test_nan_inf_and_gaps_open_nothing() -> None:
    model = FleetModel(5)
    engine = FleetEngine()
    history = np.arange(START - 24 * HOUR, START, 300.0)
    engine.bootstrap(MetricKind.CPU, model.refs, history, model.rates(MetricKind.CPU, history))
    events: list[IncidentEvent] = []
    for n, t in enumerate(np.arange(START, START + HOUR, 60.0)):
        values = model.rates(MetricKind.CPU, np.array([t]))[:, 0]
        values[0] = [np.nan, np.inf, -np.inf][n % 3]
        if 20 <= n < 40:
            values[:] = np.nan
        events += engine.observe(float(t), MetricKind.CPU, model.refs, values)

    assert [e for e in events if e.incident.host.name == model.refs[0].name] == []


def test_a_new_host_starts_from_the_fleet_prior_and_stays_quiet_during_warm_up() -> None:
    model = FleetModel(6)
    engine = FleetEngine()
    history = np.arange(START - 24 * HOUR, START, 300.0)
    engine.bootstrap(MetricKind.CPU, model.refs[:5], history, model.rates(MetricKind.CPU, history)[:5])
    events: list[IncidentEvent] = []
    for t in np.arange(START, START + 20 * 60, 60.0):
        events += engine.observe(float(t), MetricKind.CPU, model.refs, model.rates(MetricKind.CPU, np.array([t]))[:, 0])

    newcomer = engine.lanes(MetricKind.CPU, model.refs[5:])[0]
    assert events == []
    assert np.isfinite(engine.baselines.centre[newcomer])


def _spiky_cpu(times: np.ndarray, rng: np.random.Generator, shift: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """CPU at 30% with 2-minute spikes to 95% every 40 minutes, 15 points higher between ``shift``'s bounds."""
    values = 30.0 + rng.normal(0.0, 1.5, times.size)
    values = np.where((times // 60) % 40 < 2, 95.0, values)
    return np.where((times >= shift[0]) & (times < shift[1]), values + 15.0, values)


def _spiky_lane(config: EngineConfig, shift: tuple[float, float]) -> list[IncidentEvent]:
    rng = np.random.default_rng(3)
    host = FleetModel(1, ()).refs
    engine = FleetEngine(config)
    history = np.arange(START - 24 * HOUR, START, 60.0)
    engine.bootstrap(MetricKind.CPU, host, history, _spiky_cpu(history, rng)[None, :])
    events: list[IncidentEvent] = []
    for t in np.arange(START, START + 5 * HOUR, 60.0):
        events += engine.observe(float(t), MetricKind.CPU, host, _spiky_cpu(np.array([t]), rng, shift))
    return events


def test_a_moderate_shift_that_lasts_under_a_spiky_level_is_one_incident_from_the_slow_stream() -> None:
    shift = (START + 2 * HOUR, START + 4 * HOUR)
    events = _spiky_lane(EngineConfig(), shift)
    without = _spiky_lane(EngineConfig(slow_smoothing=0), shift)

    opened = [e for e in events if e.kind is EventKind.OPENED]
    ended = [e for e in events if e.kind in (EventKind.RESOLVED, EventKind.BASELINE_CHANGED)]
    assert not [e for e in without if e.kind is EventKind.OPENED]
    assert len(opened) == 1
    assert shift[0] <= opened[0].at <= shift[0] + 30 * 60
    assert opened[0].incident.opened_at == opened[0].at
    assert [e.kind for e in ended] == [EventKind.RESOLVED]
    assert shift[1] <= ended[0].at <= shift[1] + 30 * 60
    assert ended[0].incident.opened_at == opened[0].at
