"""DetectionService: feeds the streaming engine, runs the rule detectors, and keeps one anomaly per incident.

The engine (``detectors.engine``) is fed incrementally by its ``LiveFeed``: one anomaly per engine
incident, opened, escalated and resolved as the incident is (a level shift accepted as the new
normal resolves it with a note in its summary). Detectors over windows (the rules) judge windows
kept between passes (``detectors.windows``: each pass reads only the new minutes), and a trained
model, when one is loaded, scores its window too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from detectors.detector import Detector, Finding
from detectors.engine.events import EventKind
from detectors.engine.feed import LiveFeed
from detectors.incident_continuity import IncidentContinuity, closed_at_restart, left_open
from detectors.incident_records import anomaly_id_for, engine_anomaly, engine_anomaly_id, with_stored
from detectors.model.cycle import BlockSource, ModelVerdict, block_verdicts, model_verdicts
from detectors.model.fleet_model import FleetBaselineModel
from detectors.windows import RollingWindows
from domain.models import Anomaly, AnomalyStatus, MetricKind, Series, Severity, format_value
from domain.ports import AnomalyStore, MetricsSource


@dataclass(frozen=True)
class DetectionReport:
    """What one detection pass did."""

    opened: tuple[Anomaly, ...] = ()
    updated: tuple[Anomaly, ...] = ()
    resolved: tuple[Anomaly, ...] = ()
    series_checked: int = 0


def anomaly_id(series: Series, detector: str, started: datetime) -> str:
    """A stable id for the incident that starts at ``started``."""
    key = f"{series.host.instance}|{series.metric.value}|{detector}|{started.isoformat()}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass
class DetectionService:
    """Runs detectors over the fleet and records incidents in the anomaly store."""

    metrics: MetricsSource
    store: AnomalyStore
    detectors: Sequence[Detector]
    metric_kinds: Sequence[MetricKind] = (MetricKind.CPU, MetricKind.MEMORY, MetricKind.DISK)
    window: timedelta = timedelta(minutes=30)
    step_seconds: float = 60.0
    model: FleetBaselineModel | None = None
    model_detector: str = "baseline_model"
    feed: LiveFeed | None = None
    #: False: every pass reads the rules' windows whole (the former cycle, the benchmarks' baseline).
    keep_windows: bool = True
    _windows: RollingWindows = field(init=False, repr=False)
    _continuity: IncidentContinuity = field(default_factory=IncidentContinuity, init=False, repr=False)
    _builds: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        self._windows = RollingWindows(self.metrics)

    def run_once(self, now: datetime) -> DetectionReport:
        """One pass over every host and metric, at time ``now``."""
        opened: list[Anomaly] = []
        updated: list[Anomaly] = []
        resolved: list[Anomaly] = []
        checked = 0
        if self.feed is not None:
            checked += self._run_engine(self.feed, now, opened, updated, resolved)
            # The rules judge their windows on the engine's time grid, extended by what it just read.
            for block in self.feed.take_fresh():
                self._windows.offer(block)
            last = self.feed.last
            now_on_grid = now if last is None else datetime.fromtimestamp(last, UTC)
        else:
            now_on_grid = now
        checked += self._run_rules(now, now_on_grid, opened, updated, resolved)
        if self.model is not None:
            checked += self._run_model(self.model, now, opened, updated, resolved)
        return DetectionReport(tuple(opened), tuple(updated), tuple(resolved), checked)

    def _run_rules(
        self,
        now: datetime,
        window_end: datetime,
        opened: list[Anomaly],
        updated: list[Anomaly],
        resolved: list[Anomaly],
    ) -> int:
        """Judge every rule's window ending at ``window_end``; returns the number of series read."""
        checked = 0
        # The window is read only for detectors that judge windows (the rules); the engine reads its own minutes.
        kinds = self.metric_kinds if self.detectors else ()
        # The incidents the rules have open, read once a pass rather than once a host.
        names = {d.name for d in self.detectors}
        open_now = {
            (a.host.instance, a.metric, a.detector): a
            for a in (self.store.open_anomalies() if kinds else ())
            if a.detector in names
        }
        for metric in kinds:
            for series in self._window(metric, window_end):
                checked += 1
                for detector in self.detectors:
                    finding = detector.detect(series)
                    slot = (series.host.instance, series.metric, detector.name)
                    existing = open_now.get(slot)
                    if finding is not None and existing is None:
                        anomaly = self._open(series, detector.name, finding, now)
                        opened.append(anomaly)
                    elif finding is not None and existing is not None:
                        anomaly = self._update(existing, finding, now)
                        updated.append(anomaly)
                    elif finding is None and existing is not None:
                        anomaly = existing.model_copy(
                            update={"status": AnomalyStatus.RESOLVED, "ended_at": now, "updated_at": now}
                        )
                        resolved.append(anomaly)
                    else:
                        continue
                    # A second series of the same host in one answer sees what the first one did.
                    if anomaly.status is AnomalyStatus.RESOLVED:
                        open_now.pop(slot)
                    else:
                        open_now[slot] = anomaly
                    self.store.upsert(anomaly)
        return checked

    def _window(self, metric: MetricKind, now: datetime) -> list[Series]:
        """Every host's ``metric`` over the window ending at ``now``."""
        start, step = now - self.window, self.step_seconds
        if self.keep_windows:
            return self._windows.range(metric, start=start, end=now, step_seconds=step)
        return self.metrics.range(metric, None, start=start, end=now, step_seconds=step)

    def _run_model(
        self,
        model: FleetBaselineModel,
        now: datetime,
        opened: list[Anomaly],
        updated: list[Anomaly],
        resolved: list[Anomaly],
    ) -> int:
        """Score every host with the trained model in one batch; returns the number of series read."""
        start = now - self.window
        kinds = [MetricKind(feature) for feature in model.features]
        open_now = {a.host.instance: a for a in self.store.open_anomalies() if a.detector == self.model_detector}
        verdicts: list[ModelVerdict]
        if isinstance(self.metrics, BlockSource):
            blocks = self.metrics.range_blocks(kinds, start=start, end=now, step_seconds=self.step_seconds)
            read = sum(len(b.hosts) for b in blocks.values())
            verdicts = block_verdicts(
                model, blocks, open_instances=frozenset(open_now), start=start.timestamp(), step=self.step_seconds
            )
        else:
            series = [
                s
                for kind in kinds
                for s in self.metrics.range(kind, None, start=start, end=now, step_seconds=self.step_seconds)
            ]
            read = len(series)
            verdicts = model_verdicts(
                model,
                series,
                open_instances=frozenset(open_now),
                start=start.timestamp(),
                step=self.step_seconds,
                actionable_only=True,
            )
        for verdict in verdicts:
            existing = open_now.get(verdict.host.instance)
            if verdict.alarm and existing is None:
                anomaly = self._open_from_model(verdict, now)
                opened.append(anomaly)
            elif verdict.alarm and existing is not None:
                anomaly = existing.model_copy(
                    update={
                        "severity": Severity.worst(existing.severity, verdict.severity_since(existing.started_at, now)),
                        "score": round(max(existing.score, verdict.ratio), 3),
                        "value": verdict.value,
                        "updated_at": now,
                    }
                )
                updated.append(anomaly)
            elif existing is not None:
                anomaly = existing.model_copy(
                    update={"status": AnomalyStatus.RESOLVED, "ended_at": now, "updated_at": now}
                )
                resolved.append(anomaly)
            else:
                continue
            self.store.upsert(anomaly)
        return read

    def _run_engine(
        self, feed: LiveFeed, now: datetime, opened: list[Anomaly], updated: list[Anomaly], resolved: list[Anomaly]
    ) -> int:
        """Feed the engine what is new and mirror its incident events in the store; returns the lanes watched.

        A pass that catches up several minutes can see one incident open, escalate and end; the
        store gets every step, the report each incident once in its latest state.
        """
        latest: dict[str, Anomaly] = {}
        new: set[str] = set()
        for event in feed.advance_to(now):
            # Another replica, or this one before a restart, may have stored this incident.
            fresh = self._continuity.as_stored(engine_anomaly(event, now), self.store)
            stored = self.store.get(fresh.id)
            # Someone may have acknowledged it.
            anomaly = with_stored(fresh, stored)
            if event.kind is EventKind.OPENED and stored is None:
                new.add(anomaly.id)
            latest[anomaly.id] = anomaly
            self.store.upsert(anomaly)
        if feed.builds != self._builds:
            self._builds = feed.builds
            held = {self._continuity.stored_id(engine_anomaly_id(i)) for i in feed.engine.open_incidents()}
            for anomaly in left_open(self.store.open_anomalies(), held, {s.value for s in feed.signals}):
                latest[anomaly.id] = closed_at_restart(anomaly, now)
                self.store.upsert(latest[anomaly.id])
        for anomaly_id, anomaly in latest.items():
            if anomaly_id in new:
                opened.append(anomaly)
            if anomaly.status is AnomalyStatus.RESOLVED:
                resolved.append(anomaly)
            elif anomaly_id not in new:
                updated.append(anomaly)
        return len(feed.engine.keys)

    def _open_from_model(self, verdict: ModelVerdict, now: datetime) -> Anomaly:
        started = datetime.fromtimestamp(verdict.started, UTC)
        reason = f"{verdict.ratio:.1f}× its alarm threshold against {verdict.baseline} baseline"
        return Anomaly(
            id=anomaly_id_for(verdict.host.instance, self.model_detector, started),
            host=verdict.host,
            metric=verdict.metric,
            detector=self.model_detector,
            status=AnomalyStatus.OPEN,
            severity=verdict.severity_since(started, now),
            score=round(verdict.ratio, 3),
            value=verdict.value,
            started_at=started,
            updated_at=now,
            summary=f"{verdict.host.name} {verdict.metric.label} at {format_value(verdict.metric, verdict.value)}: "
            f"{reason}",
        )

    def _open(self, series: Series, detector: str, finding: Finding, now: datetime) -> Anomaly:
        started = datetime.fromtimestamp(finding.at, UTC)
        return Anomaly(
            id=anomaly_id(series, detector, started),
            host=series.host,
            metric=series.metric,
            detector=detector,
            status=AnomalyStatus.OPEN,
            severity=finding.severity,
            score=round(finding.score, 3),
            value=finding.value,
            started_at=started,
            updated_at=now,
            summary=_summary(series, finding),
        )

    def _update(self, existing: Anomaly, finding: Finding, now: datetime) -> Anomaly:
        severity = Severity.worst(existing.severity, finding.severity)
        return existing.model_copy(
            update={
                "severity": severity,
                "score": round(max(existing.score, finding.score), 3),
                "value": finding.value,
                "updated_at": now,
            }
        )


def _summary(series: Series, finding: Finding) -> str:
    return f"{series.host.name} {series.metric.label} at {format_value(series.metric, finding.value)}: {finding.reason}"
