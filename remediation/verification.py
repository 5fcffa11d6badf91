"""Checking a fix after it ran: did the signal it was meant to cure come back to normal? Pure.

A ``RemediationCheck`` is made when a request succeeds: the signal to watch (the incident's, or the
one that fits the action: ``up`` after a restart, CPU after a scale-up), the hosts it is watched on
(averaged across them for a group), what normal is for it, the value at execution and the deadline.
``judge`` then reads the samples since execution:

- the incident resolving in the anomaly store is the strongest sign of recovery;
- otherwise the signal is recovered once every sample has been normal for ``settle`` (a gap of
  more than three steps starts the count again; NaN and missing samples are no evidence), or,
  at the deadline, when its latest samples are normal;
- at the deadline it is ``not_recovered``, or ``no_data`` when no sample came after execution or
  the hosts stopped reporting; before it, ``pending``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.models import HostRef, MetricKind, Series, format_value
from remediation.actions import ActionName

#: Robust standard deviations from the baseline's median a normal value stays within.
_BAND_SIGMAS = 4.0
_MAD_TO_SIGMA = 1.4826
#: The least a percentage's band reaches either side (a flat baseline is not that precise).
_MIN_PERCENT_MARGIN = 10.0
#: Percentages this full are never normal, whatever the baseline says.
_NEAR_FULL = 90.0
#: Samples further apart than this many steps break a run of normal ones.
_GAP_STEPS = 3


class CheckOutcome(StrEnum):
    """What the check concluded (``pending`` until it can)."""

    RECOVERED = "recovered"
    NOT_RECOVERED = "not_recovered"
    NO_DATA = "no_data"
    PENDING = "pending"


class NormalRange(BaseModel):
    """The values a signal counts as normal: ``low <= value <= high`` (an open side is None), and why."""

    model_config = ConfigDict(frozen=True)

    low: float | None = None
    high: float | None = None
    #: What the range comes from, for people: ``rule web-hot (cpu > 90%)``, ``baseline 45.0% ± 12.0``.
    basis: str = ""

    def contains(self, value: float) -> bool:
        """True when ``value`` is finite and inside the range."""
        if not math.isfinite(value):
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


def baseline_range(metric: MetricKind, values: Sequence[float]) -> NormalRange | None:
    """The normal range of a signal from its history: the median ± 4 robust standard deviations.

    A percentage's band is at least 10 points either side and stops below 90%. None with fewer
    than three finite values.
    """
    finite = [v for v in values if math.isfinite(v)]
    if len(finite) < 3:
        return None
    median = statistics.median(finite)
    spread = _BAND_SIGMAS * _MAD_TO_SIGMA * statistics.median(abs(v - median) for v in finite)
    if metric.is_percent:
        spread = max(spread, _MIN_PERCENT_MARGIN)
        high = min(median + spread, math.nextafter(_NEAR_FULL, -math.inf))
    else:
        spread = max(spread, 0.5 * max(abs(median), 0.1))
        high = median + spread
    low = median - spread
    basis = f"baseline {format_value(metric, median)} ± {spread:.1f}"
    return NormalRange(low=None if low <= 0 else low, high=high, basis=basis)


#: ``up`` is normal at 1: the host answers its scrapes.
HOST_UP = NormalRange(low=1.0, basis="the host answers")


def watched_signal(action: ActionName, incident_signal: MetricKind | None) -> MetricKind:
    """The signal a fix is judged on: its incident's, else ``up`` after a restart and CPU after scaling."""
    if incident_signal is not None:
        return incident_signal
    return MetricKind.UP if action is ActionName.RESTART_SERVICE else MetricKind.CPU


class RemediationCheck(BaseModel):
    """One executed request being checked: what is watched, against what, and until when."""

    model_config = ConfigDict(frozen=True)

    request_id: str
    action: ActionName
    #: Who the message names: a host (``web-1``) or a group (``web-asg``).
    subject: str
    hosts: tuple[HostRef, ...]
    metric: MetricKind
    normal: NormalRange
    #: The incident the fix was for, when it came from one.
    incident_id: str | None = None
    #: The signal at execution (averaged across ``hosts``), when there was a sample.
    before: float | None = None
    started_at: datetime
    deadline: datetime
    settle_seconds: float = 60.0
    step_seconds: float = 15.0


@dataclass(frozen=True)
class Point:
    """The watched value at one time (averaged across the check's hosts)."""

    at: datetime
    value: float


@dataclass(frozen=True)
class CheckResult:
    """A check's conclusion: the outcome, when it recovered, and the value it was last seen at."""

    outcome: CheckOutcome
    #: When the signal came back (the start of its final run of normal samples, or the resolution).
    recovered_at: datetime | None = None
    #: The latest finite value since execution, if any.
    latest: float | None = None

    @property
    def decided(self) -> bool:
        """True once the check has an outcome other than ``pending``."""
        return self.outcome is not CheckOutcome.PENDING


def average_points(series: Sequence[Series]) -> list[Point]:
    """The mean of the finite values at each timestamp across ``series``, oldest first (NaN-only times dropped)."""
    by_time: dict[float, list[float]] = {}
    for one in series:
        for ts, value in zip(one.timestamps, one.values, strict=True):
            if math.isfinite(value):
                by_time.setdefault(ts, []).append(value)
    return [Point(datetime.fromtimestamp(ts, UTC), sum(vs) / len(vs)) for ts, vs in sorted(by_time.items())]


def value_at(points: Sequence[Point], at: datetime) -> float | None:
    """The latest finite value at or before ``at``, if any."""
    before = [p for p in points if p.at <= at and math.isfinite(p.value)]
    return before[-1].value if before else None


def _final_normal_run(check: RemediationCheck, points: Sequence[Point]) -> Point | None:
    """The first point of the unbroken run of normal points that ends at the latest one, if it is normal."""
    max_gap = timedelta(seconds=_GAP_STEPS * check.step_seconds)
    first: Point | None = None
    for point in reversed(points):
        if not check.normal.contains(point.value) or (first is not None and first.at - point.at > max_gap):
            break
        first = point
    return first


def judge(
    check: RemediationCheck, points: Sequence[Point], *, now: datetime, resolved_at: datetime | None = None
) -> CheckResult:
    """Decide whether the fix worked, from the watched values and the incident's resolution.

    Args:
        check: what is watched and until when.
        points: the watched values (any time; only those from execution to the deadline count).
        now: the time of the decision.
        resolved_at: when the check's incident resolved in the anomaly store, if it has.

    Returns:
        ``recovered`` (with when), ``not_recovered`` or ``no_data`` once the deadline passed, else ``pending``.
    """
    end = min(now, check.deadline)
    since = [p for p in points if check.started_at <= p.at <= end and math.isfinite(p.value)]
    latest = since[-1].value if since else None
    if resolved_at is not None:
        return CheckResult(CheckOutcome.RECOVERED, max(resolved_at, check.started_at), latest)
    first = _final_normal_run(check, since)
    if first is not None and (since[-1].at - first.at).total_seconds() >= check.settle_seconds:
        return CheckResult(CheckOutcome.RECOVERED, first.at, latest)
    if now < check.deadline:
        return CheckResult(CheckOutcome.PENDING, latest=latest)
    if not since or check.deadline - since[-1].at > timedelta(seconds=_GAP_STEPS * check.step_seconds):
        return CheckResult(CheckOutcome.NO_DATA, latest=latest)  # nothing since execution, or it stopped reporting
    if first is not None:  # normal at the deadline, if not yet for ``settle``
        return CheckResult(CheckOutcome.RECOVERED, first.at, latest)
    return CheckResult(CheckOutcome.NOT_RECOVERED, latest=latest)
