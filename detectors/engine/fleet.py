"""The engine over a fleet: one lane per host × signal, fed one timestamp at a time. Pure (no I/O, no clock).

Level lanes (every signal but ``up``): robust baseline, upward deviation in spreads as the score,
alarm levels per lane on a short and a slow trailing mean of it (``slow.py``), incidents that
freeze the baseline while open and become a ``baseline_changed`` note after the horizon.
Trend lanes (memory, disk): time-to-full projection.
``up``: a node target at 0 is a ``host_down`` incident. A NaN, Inf or missing sample changes
nothing, so gaps and counter resets (rates come from Prometheus) open nothing. New hosts start
from the fleet's median baseline and do not alarm during their warm-up. Disk has one lane per
host × mountpoint; a filesystem that stops reporting while its host reports others is dropped
after ``stale_seconds`` (its open incidents close as ``gone``, with a note), and comes back as new.
Lanes are fitted on history by ``fitting.py``; an incident it finds under way at the end of that
history opens with the time it began (``onset.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from detectors.engine.baseline import FloatArray, IntArray, LaneBaselines
from detectors.engine.config import DEFAULT_CONFIG, EngineConfig
from detectors.engine.events import TREND_KINDS, EventKind, Incident, IncidentEvent, IncidentKind
from detectors.engine.fitting import fit_history, start_from_prior
from detectors.engine.incidents import StreamIncidents
from detectors.engine.lanes import LaneIndex, LaneKey
from detectors.engine.narrative import closing_note, incident_at
from detectors.engine.onset import Onsets
from detectors.engine.peaks import PeakLevels
from detectors.engine.slow import SlowStream
from detectors.engine.trend import TrendConfig, TrendWatch
from domain.models import HostRef, MetricKind, Severity

STALE_MOUNT_SECONDS = 3600.0


class FleetEngine:
    """Lanes, their state and the open incidents; ``observe`` returns the events of one timestamp."""

    def __init__(
        self,
        config: EngineConfig = DEFAULT_CONFIG,
        trend: TrendConfig | None = None,
        *,
        step_seconds: float = 60.0,
        stale_seconds: float = STALE_MOUNT_SECONDS,
    ) -> None:
        self.config = config
        self.step_seconds = step_seconds
        self.stale_seconds = stale_seconds
        self.index = LaneIndex()
        self.baselines = LaneBaselines()
        self.peaks = PeakLevels(config, step_seconds=step_seconds)
        self.levels = StreamIncidents(config, highest_value=True)
        self.slow = SlowStream(config, step_seconds=step_seconds)
        self.down = StreamIncidents(replace(config, smoothing=1))
        self.trend_config = trend or TrendConfig()
        self.trends = TrendWatch(self.trend_config)
        self.trend_incidents = StreamIncidents(replace(config, smoothing=1, horizon_seconds=float("inf")))
        self.open: dict[tuple[int, IncidentKind], Incident] = {}
        self.onsets = Onsets()

    @property
    def keys(self) -> list[LaneKey]:
        """What every lane watches, in lane order (retired lanes included)."""
        return self.index.keys

    def lanes(self, signal: MetricKind, hosts: Sequence[HostRef], mounts: Sequence[str] | None = None) -> IntArray:
        """The lane of every host (and mountpoint) for ``signal``, created when new (starting from the fleet prior)."""
        out, new = self.index.find(signal, hosts, mounts)
        if new.size:
            self._grow(signal, new)
        return out

    def reserve(self, size: int) -> None:
        """Make room for ``size`` lanes in every part."""
        for part in (
            self.baselines,
            self.peaks,
            self.levels,
            self.slow,
            self.down,
            self.trends,
            self.trend_incidents,
        ):
            part.reserve(size)

    def _grow(self, signal: MetricKind, new: IntArray) -> None:
        self.reserve(len(self.keys))
        start_from_prior(self, signal, new)

    def bootstrap(
        self,
        signal: MetricKind,
        hosts: Sequence[HostRef],
        times: FloatArray,
        history: FloatArray,
        mounts: Sequence[str] | None = None,
    ) -> None:
        """Fit ``hosts``' lanes of ``signal`` (one per mountpoint in ``mounts``) on their history (rows × times)."""
        fit_history(self, signal, self.lanes(signal, hosts, mounts), times, history)

    def observe(
        self,
        t: float,
        signal: MetricKind,
        hosts: Sequence[HostRef],
        values: FloatArray,
        mounts: Sequence[str] | None = None,
    ) -> list[IncidentEvent]:
        """Feed every host's (and mountpoint's) value of ``signal`` at ``t`` (NaN = no sample); the events it caused."""
        lanes, new = self.index.find(signal, hosts, mounts)
        if new.size:
            self._grow(signal, new)
        x = np.asarray(values, dtype=np.float64)
        x = np.where(np.isfinite(x), x, np.nan)
        self.index.saw(lanes, t, np.isfinite(x), new)
        if signal is MetricKind.UP:
            return self._observe_up(t, lanes, x)
        events = self._observe_level(t, lanes, x)
        if signal in TREND_KINDS:
            events += self._observe_trend(t, signal, lanes, x)
        if signal is MetricKind.DISK:
            events += self._drop_stale(t)
        return events

    def _drop_stale(self, t: float) -> list[IncidentEvent]:
        """Retire the filesystems that stopped reporting; their open incidents close as gone, with a note."""
        stale = self.index.stale_mounts(self.stale_seconds)
        if stale.size == 0:
            return []
        events: list[IncidentEvent] = []
        for lane in stale.tolist():
            for kind in (IncidentKind.ANOMALY, IncidentKind.DISK_FILL):
                if (lane, kind) in self.open:
                    events.append(self._close(t, lane, kind, EventKind.GONE))
        for tracker in (self.levels, self.slow.levels, self.trend_incidents):
            tracker.open[stale] = False
        self.index.retire(stale)
        return events

    def _observe_level(self, t: float, lanes: IntArray, x: FloatArray) -> list[IncidentEvent]:
        cfg = self.config
        scores = self.baselines.upward(lanes, x)
        warm = self.baselines.count[lanes] >= cfg.warmup_samples
        was_open = self.levels.open[lanes]
        change = self.levels.step(
            lanes, t, scores, x, level=self.peaks.level[lanes], normal_level=self.peaks.u[lanes], warm=warm
        )
        slow = self.slow.step(t, lanes, scores, x, watch=warm & ~was_open)
        opened, resolved, accepted = self.slow.merge(change, slow, self.levels)
        is_open = self.levels.open[lanes] | self.slow.is_open(lanes)
        self.baselines.update(
            lanes,
            x,
            is_open,
            alpha=cfg.alpha(self.step_seconds),
            recent_alpha=cfg.recent_alpha(self.step_seconds),
            huber=cfg.huber,
        )
        normal = ~is_open & ~np.isin(lanes, opened)
        self.peaks.forget_incident(resolved)
        self.peaks.observe(lanes, change.smoothed, normal)
        if slow is not None:
            self.slow.learn(
                lanes, slow.smoothed, normal, resolved=resolved, emptied=np.union1d(change.resolved, accepted)
            )
        events: list[IncidentEvent] = []
        for lane in opened.tolist():
            if (lane, IncidentKind.ANOMALY) not in self.open:
                events.append(self._open(t, lane, IncidentKind.ANOMALY))
        for lane in resolved.tolist():
            events.append(self._close(t, lane, IncidentKind.ANOMALY, EventKind.RESOLVED))
        if accepted.size:
            self.baselines.accept_recent(accepted)
            for tracker in (self.levels, self.slow.levels):
                tracker.open[accepted] = False
            self.levels.forget(accepted)
            for lane in accepted.tolist():
                events.append(self._close(t, lane, IncidentKind.ANOMALY, EventKind.BASELINE_CHANGED))
        events += self._escalations(t, lanes[is_open], IncidentKind.ANOMALY)
        return events

    def _observe_trend(self, t: float, signal: MetricKind, lanes: IntArray, x: FloatArray) -> list[IncidentEvent]:
        kind = TREND_KINDS[signal]
        due = self.trends.observe(lanes, t, x)
        watched = due if due.size else lanes[self.trend_incidents.open[lanes]]
        if watched.size == 0:
            return []
        score = self.trends.scores(watched) if due.size else np.zeros(0)
        if not due.size:
            return []
        one = np.ones(watched.size)
        change = self.trend_incidents.step(
            watched,
            t,
            score,
            self.trends.values[watched, -1],
            level=one,
            normal_level=one,
            warm=np.ones(watched.size, dtype=bool),
        )
        events = [self._open(t, lane, kind) for lane in change.opened.tolist()]
        events += [self._close(t, lane, kind, EventKind.RESOLVED) for lane in change.resolved.tolist()]
        events += self._escalations(t, watched[self.trend_incidents.open[watched]], kind)
        return events

    def _observe_up(self, t: float, lanes: IntArray, x: FloatArray) -> list[IncidentEvent]:
        missing = 1.0 - x
        half = np.full(lanes.size, 0.5)
        change = self.down.step(
            lanes, t, missing, x, level=half, normal_level=half, warm=np.ones(lanes.size, dtype=bool)
        )
        events = [self._open(t, lane, IncidentKind.HOST_DOWN) for lane in change.opened.tolist()]
        events += [
            self._close(t, lane, IncidentKind.HOST_DOWN, EventKind.RESOLVED) for lane in change.resolved.tolist()
        ]
        return events

    def tracker(self, kind: IncidentKind) -> StreamIncidents:
        """The incident tracker of ``kind``."""
        if kind is IncidentKind.HOST_DOWN:
            return self.down
        return self.levels if kind is IncidentKind.ANOMALY else self.trend_incidents

    def _incident(self, t: float, lane: int, kind: IncidentKind, resolved_at: float | None = None) -> Incident:
        host, signal, mountpoint = self.keys[lane]
        tracker = self.tracker(kind)
        if kind is IncidentKind.ANOMALY and self.slow.holds(lane, self.levels):
            tracker = self.slow.levels
        previous = self.open.get((lane, kind))
        return incident_at(
            host=host,
            signal=signal,
            mountpoint=mountpoint or None,
            kind=kind,
            opened_at=previous.opened_at if previous is not None else float(tracker.opened_at[lane]),
            now=t,
            ratio=float(tracker.ratio(np.asarray([lane]))[0]),
            value=float(tracker.peak_value[lane]),
            centre=float(self.baselines.centre[lane]),
            hours_to_full=float(self.trends.hours_to_full[lane]) if kind in TREND_KINDS.values() else None,
            resolved_at=resolved_at,
        )

    def _open(self, t: float, lane: int, kind: IncidentKind) -> IncidentEvent:
        onset = self.onsets.take(lane, kind, t, self.tracker(kind).config.horizon_seconds)
        if onset is not None:
            # Under way before start-up: it opened when the history shows, not when the feed first saw it.
            trackers = (self.levels, self.slow.levels) if kind is IncidentKind.ANOMALY else (self.tracker(kind),)
            for tracker in trackers:
                if tracker.open[lane]:
                    tracker.opened_at[lane] = onset
        incident = self._incident(t, lane, kind)
        self.open[(lane, kind)] = incident
        return IncidentEvent(EventKind.OPENED, incident, t)

    def _close(self, t: float, lane: int, kind: IncidentKind, event: EventKind) -> IncidentEvent:
        incident = self._incident(t, lane, kind, resolved_at=t)
        previous = self.open.pop((lane, kind), None)
        if previous is not None:
            incident = replace(incident, severity=Severity.worst(previous.severity, incident.severity))
        quiet = (t - float(self.index.seen_at[lane])) / 3600
        note = closing_note(incident, event, horizon_hours=self.config.horizon_seconds / 3600, quiet_hours=quiet)
        if note:
            incident = replace(incident, summary=f"{incident.summary}; {note}")
        return IncidentEvent(event, incident, t, note)

    def _escalations(self, t: float, lanes: IntArray, kind: IncidentKind) -> list[IncidentEvent]:
        events = []
        for lane in lanes.tolist():
            previous = self.open.get((lane, kind))
            if previous is None:
                continue
            current = self._incident(t, lane, kind)
            if current.severity.rank > previous.severity.rank:
                self.open[(lane, kind)] = current
                events.append(IncidentEvent(EventKind.ESCALATED, current, t))
            else:
                self.open[(lane, kind)] = replace(previous, peak=current.peak, value=current.value)
        return events

    def open_incidents(self) -> list[Incident]:
        """Every incident open now."""
        return list(self.open.values())
