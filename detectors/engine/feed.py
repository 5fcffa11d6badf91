"""Feeding the engine from a metrics source: bootstrap from history (``history``), then advance minute by minute.

Reads go through ``blocks.fetch_blocks``: one batched query per signal for every host (disk: one
row per host × mountpoint), laid out on one time grid; a live cycle's reads are concurrent.
``LiveFeed`` is what the detection job runs: the first cycle (or the first after a gap longer than
``max_gap``) bootstraps from ``bootstrap_hours`` of history, fitting all but its last hours and
feeding those minute by minute (``fed_seconds``: the level-shift horizon for fleets of up to
1,000 hosts, less for larger ones, at most half the history there is, at least half an hour), so
the incidents of those hours, over or under way, are found as the live engine would have found
them; every later cycle reads only the minutes since the previous one.
At start-up a saved snapshot of the engine's state (``train``, the scheduled retrain) is resumed
instead when it is sound and recent: only the lanes it lacks are bootstrapped, and the minutes
since its end are fed. ``detect replay`` drives the same feed over a past period.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import structlog

from detectors.engine.blocks import Block, fetch_block, fetch_blocks
from detectors.engine.events import IncidentEvent, iso
from detectors.engine.fleet import FleetEngine
from detectors.engine.handover import carry_over
from detectors.engine.history import BOOTSTRAP_BUDGET, SIGNALS, bootstrap, history_step, reporting, survey_of
from detectors.engine.lanes import LaneKey
from detectors.engine.snapshot import EngineSnapshot, SnapshotError, decode, encode
from domain.models import MetricKind
from domain.ports import MetricsSource

log = structlog.get_logger(__name__)

_RECENT_STEPS = 10
_CATCH_UP_CHUNK_SECONDS = 2 * 3600.0
#: At a bootstrap, at least this much of the history's end is fed through the engine instead of fitted,
_FED_AT_LEAST_SECONDS = 1800.0
#: and more, up to the level-shift horizon, while hosts × fed minutes stay within this.
FED_POINTS = 360_000


def fed_seconds(hosts: int, *, step: float, horizon: float, history: float) -> float:
    """How much of a bootstrap's history ends fed through the engine rather than fitted.

    The level-shift horizon (what the engine would still hold open) while ``hosts`` × steps stay
    within ``FED_POINTS``, and at most half of the ``history`` there is (seconds), so the other
    half is fitted; at least half an hour in any case.
    """
    within = math.floor(FED_POINTS / max(hosts, 1)) * step
    return max(min(within, horizon, history / 2), _FED_AT_LEAST_SECONDS)


def advance(
    engine: FleetEngine,
    metrics: MetricsSource,
    *,
    start: float,
    end: float,
    step: float,
    signals: Sequence[MetricKind] = SIGNALS,
) -> list[IncidentEvent]:
    """Feed every timestamp from ``start`` to ``end`` (inclusive) in time order; the events, oldest first."""
    return feed_blocks(engine, fetch_blocks(metrics, signals, start, end, step))


def feed_blocks(engine: FleetEngine, blocks: Sequence[Block]) -> list[IncidentEvent]:
    """Feed blocks on one time grid, timestamp by timestamp; the events, oldest first."""
    events: list[IncidentEvent] = []
    times = blocks[0].times if blocks else np.zeros(0)
    for j, t in enumerate(times.tolist()):
        for block in blocks:
            if block.hosts:
                events += engine.observe(t, block.signal, block.hosts, block.values[:, j], block.mounts)
    return events


@dataclass
class LiveFeed:
    """The engine kept in memory between detection cycles.

    Args:
        metrics: where samples come from.
        engine: the engine (one state per host × signal, and per filesystem for disk).
        step_seconds: the sampling interval fed to the engine.
        bootstrap_hours: history read to fit the baselines at start-up and after a gap.
        bootstrap_budget: the most hosts × time points a bootstrap reads per signal (``history_step``).
        max_gap: a pause longer than this between cycles is followed by a fresh bootstrap.
        signals: the signals watched.
        restore: reads the saved snapshot's bytes at start-up (None: there is none); a snapshot
            it cannot vouch for raises ``SnapshotError``, which is logged, and the engine bootstraps.
        max_catch_up: a snapshot older than this is not used (bootstrapping is then cheaper).
        last: the last timestamp fed (None until the first cycle).
        since: the start of the history the engine's state has seen.
        builds: how many times the engine was bootstrapped or resumed from a snapshot.
    """

    metrics: MetricsSource
    engine: FleetEngine = field(default_factory=FleetEngine)
    step_seconds: float = 60.0
    bootstrap_hours: float = 168.0
    bootstrap_budget: int = BOOTSTRAP_BUDGET
    max_gap: timedelta = timedelta(minutes=30)
    signals: Sequence[MetricKind] = SIGNALS
    restore: Callable[[], bytes | None] | None = None
    max_catch_up: timedelta = timedelta(hours=48)
    last: float | None = None
    since: float | None = None
    builds: int = 0
    _fresh: tuple[Block, ...] = field(default=(), repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def snapshot(self) -> bytes | None:
        """The engine's state as snapshot bytes, between two cycles; None before the first cycle."""
        with self._lock:
            if self.last is None:
                return None
            since = self.since if self.since is not None else self.last
            return encode(self.engine, covered_from=since, covered_until=self.last)

    def take_fresh(self) -> tuple[Block, ...]:
        """The blocks the last cycle read after its bootstrap, one per signal, handed over once.

        For readers of the same signals in the same cycle (the rules' windows); empty when the
        cycle read nothing new or resumed a snapshot.
        """
        with self._lock:
            fresh, self._fresh = self._fresh, ()
            return fresh

    def advance_to(self, now: datetime) -> list[IncidentEvent]:
        """Read what is new since the last cycle (bootstrapping first when needed) and feed it."""
        with self._lock:
            return self._advance_to(now)

    def _advance_to(self, now: datetime) -> list[IncidentEvent]:
        end = math.floor(now.timestamp() / self.step_seconds) * self.step_seconds
        self._fresh = ()
        if self.last is not None and end <= self.last:
            return []
        if self.last is None and self.restore is not None:
            snapshot = self._snapshot(self.restore, end)
            if snapshot is not None:
                return self._resume(snapshot, end)
        if self.last is None or end - self.last > self.max_gap.total_seconds():
            self.last = self._bootstrap(end)
        return self._feed(self.last + self.step_seconds, end)

    def _bootstrap(self, end: float) -> float:
        """Fit a fresh engine on the history before the stretch fed next; the last time fitted.

        The stretch fed ends at ``end`` and begins ``fed_seconds`` before it, or where the previous
        cycle ended when that is later: the minutes before it were judged already.
        """
        started = time.perf_counter()
        step = self.step_seconds
        fresh = FleetEngine(self.engine.config, self.engine.trend_config, step_seconds=step)
        self.since = end - self.bootstrap_hours * 3600
        # Reachability first, coarsely: how many hosts report and how far back; the bootstrap fits on it too.
        signal = MetricKind.UP if MetricKind.UP in self.signals else self.signals[0]
        survey = survey_of(self.metrics, signal, self.since, end)
        hosts, history = reporting(survey, end)
        fed = fed_seconds(hosts, step=step, horizon=fresh.config.horizon_seconds, history=history)
        fitted_until = end - (math.floor(fed / step) + 1) * step
        if self.last is not None:
            fitted_until = max(fitted_until, self.last)
        # Carried over first, so the bootstrap fits their lanes on the history from before they opened.
        carry_over(fresh, self.engine.open_incidents(), fitted_until)
        hosts = bootstrap(
            fresh,
            self.metrics,
            start=self.since,
            end=fitted_until,
            signals=self.signals,
            budget=self.bootstrap_budget,
            progress=lambda line: log.info("detection_bootstrap_progress", step=line),
            survey=survey if signal is MetricKind.UP else None,
        )
        self.engine = fresh
        self.builds += 1
        log.info(
            "detection_bootstrapped",
            hosts=hosts,
            hours=self.bootstrap_hours,
            fed_minutes=round((end - fitted_until) / 60),
            seconds=round(time.perf_counter() - started, 1),
        )
        return fitted_until

    def _feed(self, start: float, end: float) -> list[IncidentEvent]:
        """Feed every timestamp from ``start`` to ``end``, in chunks; the last chunk's blocks are kept fresh.

        In chunks, so a long catch-up never holds more than a couple of hours of every lane.
        """
        step = self.step_seconds
        chunk = max(step, math.floor(_CATCH_UP_CHUNK_SECONDS / step) * step)
        events: list[IncidentEvent] = []
        firsts = np.arange(start, end + step / 2, chunk).tolist()
        for n, first in enumerate(firsts, start=1):
            last = min(end, first + chunk - step)
            blocks = fetch_blocks(self.metrics, self.signals, first, last, step)
            events += feed_blocks(self.engine, blocks)
            self.last, self._fresh = last, tuple(blocks)
            if len(firsts) > 1:
                log.info("detection_catch_up_progress", chunk=f"{n}/{len(firsts)}", until=iso(self.last))
        self.last = end
        return events

    def _snapshot(self, restore: Callable[[], bytes | None], end: float) -> EngineSnapshot | None:
        """The saved snapshot when there is one this engine can resume from; why not is logged."""
        try:
            payload = restore()
            if payload is None:
                log.info("detection_snapshot_absent")
                return None
            config, trend = self.engine.config, self.engine.trend_config
            snapshot = decode(payload, config=config, trend=trend, step_seconds=self.step_seconds)
        except SnapshotError as exc:
            log.warning("detection_snapshot_refused", error=str(exc), then="bootstrap from history")
            return None
        behind = end - snapshot.covered_until
        if not 0 <= behind <= self.max_catch_up.total_seconds():
            reason = "newer than now" if behind < 0 else f"{behind / 3600:.1f} h old"
            log.warning("detection_snapshot_unused", reason=reason, covered_until=iso(snapshot.covered_until))
            return None
        return snapshot

    def _resume(self, snapshot: EngineSnapshot, end: float) -> list[IncidentEvent]:
        """Take the snapshot's state, fit only the lanes it lacks, then feed the minutes since its end."""
        started = time.perf_counter()
        self.engine, self.since = snapshot.engine, snapshot.covered_from
        self.builds += 1
        step, start = self.step_seconds, snapshot.covered_until + self.step_seconds
        # What reports now, to find the hosts and filesystems the snapshot lacks.
        recent = max(start, end - _RECENT_STEPS * step)
        present = fetch_blocks(self.metrics, self.signals, recent, end, step) if start <= end else []
        fitted = sum(self._fit_unknown(block, before=snapshot.covered_until) for block in present)
        events = self._feed(start, end)
        self._fresh = ()
        log.info(
            "detection_snapshot_loaded",
            lanes=len(self.engine.keys),
            covered_until=iso(snapshot.covered_until),
            caught_up_minutes=round(max(0.0, end - snapshot.covered_until) / 60),
            bootstrapped_lanes=fitted,
            seconds=round(time.perf_counter() - started, 1),
        )
        return events

    def _fit_unknown(self, block: Block, *, before: float) -> int:
        """Bootstrap the rows of ``block`` the engine has no lane for, on their history up to ``before``."""
        index = self.engine.index
        unknown = np.asarray(
            [index.lookup(LaneKey(h, block.signal, m)) is None for h, m in zip(block.hosts, block.mounts, strict=True)],
            dtype=bool,
        )
        if not unknown.any():
            return 0
        hosts = list({h.instance: h for h, new in zip(block.hosts, unknown, strict=True) if new}.values())
        start = before - self.bootstrap_hours * 3600
        step = history_step(start, before, len(hosts), live_step=self.step_seconds, budget=self.bootstrap_budget)
        history = fetch_block(self.metrics, block.signal, start, before, step, hosts)
        rows = [
            index.lookup(LaneKey(h, block.signal, m)) is None
            for h, m in zip(history.hosts, history.mounts, strict=True)
        ]
        part = history.only(np.asarray(rows, dtype=bool))
        if part.hosts:
            self.engine.bootstrap(block.signal, part.hosts, part.times, part.values, part.mounts)
        return int(unknown.sum())
