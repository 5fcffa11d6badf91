"""Open incidents handed from one engine to another (a re-bootstrap after a gap). Pure."""

from __future__ import annotations

from collections.abc import Sequence

from detectors.engine.events import Incident, IncidentKind
from detectors.engine.fleet import FleetEngine


def carry_over(engine: FleetEngine, incidents: Sequence[Incident], at: float) -> None:
    """Keep incidents another engine had open: same start, held from ``at``.

    Called before ``engine`` bootstraps: the bootstrap then fits their lanes on the history from
    before each incident opened, and sets the level they are held against from that fit. Their
    lanes are frozen again, so they end as any incident does; their stored anomalies keep their ids.
    """
    for incident in incidents:
        lane = int(engine.lanes(incident.signal, [incident.host], [incident.mountpoint or ""])[0])
        tracker = engine.tracker(incident.kind)
        tracker.open[lane] = True
        tracker.opened_at[lane] = incident.opened_at
        tracker.last_abnormal[lane] = at
        tracker.peak[lane] = incident.score if incident.kind is IncidentKind.ANOMALY else incident.value
        tracker.peak_value[lane] = incident.value
        level = engine.peaks.level[lane] if incident.kind is IncidentKind.ANOMALY else 1.0
        tracker.level_at_open[lane] = level
        engine.open[(lane, incident.kind)] = incident
