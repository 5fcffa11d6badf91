"""Evaluating duration rules over series, with an explicit ``now``. Pure.

A breach is a run of consecutive samples meeting the rule's condition. It fires once, when it
has lasted the rule's duration; a new breach needs a recovery first. A gap between samples
longer than ``max_gap_seconds`` (missing scrapes) ends the run, as a missing sample ends a
pending alert in Prometheus: time without data never counts as breach time.
"""

from __future__ import annotations

import bisect
import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from detectors.detector import Finding
from detectors.rules.ports import RuleFirings
from detectors.rules.rule import Comparison, DurationRule
from domain.durations import format_duration
from domain.models import HostRef, Series, Severity, format_value


def window_for(rules: Iterable[DurationRule], *, at_least: timedelta) -> timedelta:
    """The window the rules are judged over: each rule's duration and five minutes more, and ``at_least``."""
    return max([at_least, *(timedelta(seconds=r.duration_seconds + 300) for r in rules)])


@dataclass(frozen=True)
class Breach:
    """One run of consecutive breaching samples on one host (timestamps in epoch seconds)."""

    host: HostRef
    started_at: float
    last_at: float
    value: float
    peak: float
    fired_at: float | None
    ended: bool

    def lasted(self) -> float:
        """Seconds from the first to the last breaching sample."""
        return self.last_at - self.started_at


def sample_interval(timestamps: Sequence[float]) -> float:
    """The series' scrape interval: the median spacing of its samples (infinite with fewer than two)."""
    if len(timestamps) < 2:
        return math.inf
    return float(statistics.median(b - a for a, b in itertools.pairwise(timestamps)))


def firing(rule: DurationRule, series: Series, *, now: float, interval_seconds: float | None = None) -> Breach | None:
    """The breach that is firing at ``now`` on this series, if any: the last run of breaching samples, when it
    has lasted the rule's duration and goes on.

    A gap of more than 1.5 intervals between samples is a missed scrape and ends the run; so does
    having no sample for a whole interval at ``now`` (the sample due at ``now`` is missing), the
    way a failed scrape's staleness marker ends a pending alert in Prometheus. Only that breach is
    walked, from the sample at ``now`` back to its start, so a pass over a long window costs the
    breach's length, not the window's (timestamps are in time order).

    Args:
        rule: the rule to evaluate.
        series: samples of the rule's metric for one host (samples after ``now`` are ignored).
        now: evaluation time, epoch seconds.
        interval_seconds: the scrape interval (default: ``sample_interval`` of the series).
    """
    if series.metric is not rule.metric or not rule.applies_to(series.host):
        return None
    times, values = series.timestamps, series.values
    n = bisect.bisect_right(times, now)
    if n == 0:
        return None
    if not rule.breached_by(values[n - 1]):
        return None
    interval = sample_interval(times[:n]) if interval_seconds is None else interval_seconds
    last = times[n - 1]
    if now - last >= interval:
        return None
    gap = 1.5 * interval
    first = n - 1
    while first > 0 and times[first] - times[first - 1] <= gap and rule.breached_by(values[first - 1]):
        first -= 1
    start = times[first]
    if last - start < rule.duration_seconds:
        return None
    fired = next(t for t in times[first:n] if t - start >= rule.duration_seconds)
    run = values[first:n]
    peak = max(run) if rule.op in (Comparison.GT, Comparison.GE) else min(run)
    return Breach(series.host, start, last, values[n - 1], peak, fired, ended=False)


@dataclass(frozen=True)
class Firing:
    """A rule fired for a breach on a host; ``key`` identifies the breach so it fires once."""

    rule_name: str
    rule: DurationRule
    breach: Breach

    @property
    def key(self) -> tuple[str, str, float]:
        """(rule name, host instance, breach start): the same breach always has the same key."""
        return (self.rule_name, self.breach.host.instance, self.breach.started_at)


class RuleTracker:
    """Remembers which breaches already fired, so each breach fires once across evaluations.

    It holds no clock and does no I/O: the caller passes every series and ``now``.
    """

    def __init__(self, rules: Iterable[tuple[str, DurationRule]], firings: RuleFirings) -> None:
        self.rules = tuple(rules)
        # Per (rule, host): the breach that fired, and the last evaluation that still saw it.
        self.firings = firings

    def evaluate(self, series: Iterable[Series], *, now: float) -> list[Firing]:
        """New firings at ``now``; a breach that already fired is not reported again.

        A breach longer than the evaluated window seems to start at the window's first sample,
        so its start moves from one evaluation to the next; it is the same breach as long as it
        started no later than the last evaluation that saw the rule breached.
        """
        out: list[Firing] = []
        for s in series:
            for name, rule in self.rules:
                breach = firing(rule, s, now=now)
                slot = (name, s.host.instance)
                if breach is None:
                    continue
                previous = self.firings.get(*slot)
                if previous is not None and breach.started_at <= previous[1]:
                    self.firings.put(*slot, previous[0], now)
                    continue
                self.firings.put(*slot, breach.started_at, now)
                out.append(Firing(name, rule, breach))
        return out


@dataclass(frozen=True)
class RuleDetector:
    """A named rule as a ``Detector``: it judges a series at its last sample.

    The detection service keeps one anomaly per incident, so a breach opens one anomaly
    and recovery resolves it.
    """

    name: str
    rule: DurationRule
    severity: Severity = Severity.HIGH

    def detect(self, series: Series) -> Finding | None:
        """A finding while the rule is firing at the series' last sample, else None."""
        if not series.timestamps:
            return None
        breach = firing(self.rule, series, now=series.timestamps[-1])
        if breach is None:
            return None
        lasted = format_duration(int(breach.lasted()))
        return Finding(
            score=round(breach.lasted() / self.rule.duration_seconds, 3),
            value=breach.value,
            at=breach.started_at,
            severity=self.severity,
            reason=f"rule '{self.name}' ({self.rule.condition} for {format_duration(self.rule.duration_seconds)}) "
            f"has held for {lasted}, now {format_value(self.rule.metric, breach.value)}",
        )
