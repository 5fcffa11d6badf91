"""Duration rule evaluation over series with an explicit ``now``: once per breach, reset on recovery, gaps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from adapters.memory.rule_firings import InMemoryRuleFirings
from detectors.rules.evaluation import Breach, RuleDetector, RuleTracker, firing, sample_interval
from detectors.rules.grammar import parse_rule
from detectors.rules.rule import Comparison, DurationRule
from domain.models import HostRef, MetricKind, Series, Severity

WEB1 = HostRef(instance="10.0.1.11:9100", host="web-1", instance_id="i-0123456789abcdef0")
DB1 = HostRef(instance="10.0.1.13:9100", host="db-1")
RULE = parse_rule("cpu > 90% for 3m")


def series(values: str, host: HostRef = WEB1, metric: MetricKind = MetricKind.CPU, step: float = 60.0) -> Series:
    """One sample per ``step`` from t=0: 'H' is 95 (breach), 'L' is 50, '_' is a missing scrape, 'N' is NaN."""
    points = [(n * step, {"H": 95.0, "L": 50.0, "N": math.nan}[c]) for n, c in enumerate(values) if c != "_"]
    return Series(host, metric, tuple(t for t, _ in points), tuple(v for _, v in points))


def breaches(rule: DurationRule, series: Series, *, now: float, interval_seconds: float | None = None) -> list[Breach]:
    """Every breach in ``series`` up to ``now``, oldest first: a walk over the whole series, the reference
    ``firing`` is checked against.

    A gap of more than 1.5 intervals between samples is a missed scrape and ends the run; so does
    having no sample for a whole interval at ``now`` (the sample due at ``now`` is missing), the
    way a failed scrape's staleness marker ends a pending alert in Prometheus.

    Args:
        rule: the rule to evaluate.
        series: samples of the rule's metric for one host (samples after ``now`` are ignored).
        now: evaluation time, epoch seconds.
        interval_seconds: the scrape interval (default: ``sample_interval`` of the series).

    Returns:
        One ``Breach`` per run; ``fired_at`` is set once the run lasted the rule's duration.
    """
    points = [(t, v) for t, v in zip(series.timestamps, series.values, strict=True) if t <= now]
    interval = sample_interval([t for t, _ in points]) if interval_seconds is None else interval_seconds
    gap = 1.5 * interval
    out: list[Breach] = []
    run: list[tuple[float, float]] = []
    previous: float | None = None

    def close(ended: bool) -> None:
        if run:
            start, last = run[0][0], run[-1][0]
            fired = next((t for t, _ in run if t - start >= rule.duration_seconds), None)
            values = [v for _, v in run]
            peak = max(values) if rule.op in (Comparison.GT, Comparison.GE) else min(values)
            out.append(Breach(series.host, start, last, values[-1], peak, fired, ended))
            run.clear()

    for t, v in points:
        if previous is not None and t - previous > gap:
            close(ended=True)
        if rule.breached_by(v):
            run.append((t, v))
        else:
            close(ended=True)
        previous = t
    stale = previous is not None and now - previous >= interval
    close(ended=stale)
    return out


@pytest.mark.parametrize(
    ("values", "now_minute", "fires"),
    [
        ("HHH", 2, False),  # 2 minutes of breach: not yet
        ("HHHH", 3, True),  # 3 minutes: fires
        ("HHHHHHH", 6, True),  # still firing
        ("HHHHL", 4, False),  # recovered
        ("HH_HH", 4, False),  # a missing scrape resets the run
        ("HHNHH", 4, False),  # NaN is not a breach
        ("LLHHHH", 5, True),
        ("HHHH", 2, False),  # samples after now are ignored
        ("HHHH____", 7, False),  # stale: no data for 4 minutes
        ("HHHH_", 4, False),  # the scrape due now is missing
        ("", 0, False),
        ("H", 0, False),
    ],
)
def test_firing_needs_the_full_duration_of_consecutive_breach(values: str, now_minute: int, fires: bool) -> None:
    assert fires == (firing(RULE, series(values), now=now_minute * 60.0) is not None)


def test_each_breach_is_reported_once_with_its_start_and_fire_time() -> None:
    found = breaches(RULE, series("HHHHHLLHHHHLH"), now=12 * 60.0)

    assert [(0.0, 180.0, True), (420.0, 600.0, True), (720.0, None, False)] == [
        (b.started_at, b.fired_at, b.ended) for b in found
    ]


def test_gap_time_does_not_count_towards_the_duration() -> None:
    found = breaches(RULE, series("HH__HH"), now=5 * 60.0)

    assert [None, None] == [b.fired_at for b in found]
    assert [60.0, 60.0] == [b.lasted() for b in found]


def test_explicit_interval_overrides_the_inferred_one() -> None:
    assert firing(RULE, series("HH_HH"), now=240.0, interval_seconds=120.0) is not None
    assert firing(RULE, series("HHHH"), now=200.0, interval_seconds=60.0) is not None
    assert firing(RULE, series("HHHH"), now=200.0, interval_seconds=20.0) is None


def test_peak_follows_the_direction_of_the_comparison() -> None:
    low = parse_rule("disk < 10 for 1m")
    s = Series(WEB1, MetricKind.DISK, (0.0, 60.0, 120.0), (8.0, 3.0, 5.0))

    assert (3.0, 5.0) == (breaches(low, s, now=120.0)[0].peak, breaches(low, s, now=120.0)[0].value)


def test_rule_only_applies_to_its_metric_and_hosts() -> None:
    on_web = parse_rule("cpu > 90% for 3m on web-*")

    assert firing(on_web, series("HHHH"), now=180.0) is not None
    assert firing(on_web, series("HHHH", host=DB1), now=180.0) is None
    assert firing(on_web, series("HHHH", metric=MetricKind.MEMORY), now=180.0) is None


def test_tracker_fires_once_per_breach_across_ticks_and_again_after_recovery() -> None:
    tracker = RuleTracker([("hot", RULE)], InMemoryRuleFirings())
    s = series("HHHHHHLHHHH")

    fired_at = [minute for minute in range(11) if tracker.evaluate([s], now=minute * 60.0)]

    assert [3, 10] == fired_at


def test_tracker_keeps_hosts_apart() -> None:
    tracker = RuleTracker([("hot", RULE)], InMemoryRuleFirings())

    fired = tracker.evaluate([series("HHHH"), series("HHHH", host=DB1)], now=180.0)

    assert ["10.0.1.11:9100", "10.0.1.13:9100"] == [f.breach.host.instance for f in fired]
    assert [] == tracker.evaluate([series("HHHHH"), series("HHHHH", host=DB1)], now=240.0)


def test_rule_detector_reports_a_finding_while_firing() -> None:
    detector = RuleDetector("hot", RULE, Severity.CRITICAL)

    finding = detector.detect(series("LHHHH"))

    assert finding is not None
    assert (Severity.CRITICAL, 60.0, 95.0) == (finding.severity, finding.at, finding.value)
    assert "rule 'hot' (cpu > 90% for 3m) has held for 3m, now 95.0%" == finding.reason
    assert detector.detect(series("HHHHL")) is None
    assert detector.detect(series("")) is None


@pytest.mark.parametrize("seed", range(40))
def test_firing_is_the_last_breach_of_the_whole_series_when_it_fired_and_goes_on(seed: int) -> None:
    rng = np.random.default_rng(seed)
    text = "".join(rng.choice(list("HHHHLL_N"), size=int(rng.integers(0, 40))))
    rule = parse_rule(
        str(rng.choice(["cpu > 90% for 3m", "cpu >= 95% for 1m", "cpu < 60% for 5m", "cpu > 90% for 90s"]))
    )
    s = series(text)
    for now in (len(text) * 60.0 - 60, len(text) * 60.0 - 30, len(text) * 60.0, len(text) * 30.0):
        found = breaches(rule, s, now=now)
        expected = found[-1] if found and not found[-1].ended and found[-1].fired_at is not None else None

        assert expected == firing(rule, s, now=now)
