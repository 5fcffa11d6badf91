"""The fix's check, pure: what normal is, which signal is watched, and every way ``judge`` decides."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from domain.models import HostRef, MetricKind, Series
from remediation.actions import ActionName
from remediation.verification import (
    HOST_UP,
    CheckOutcome,
    NormalRange,
    Point,
    RemediationCheck,
    average_points,
    baseline_range,
    judge,
    value_at,
    watched_signal,
)

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
WEB1 = HostRef(instance="10.0.1.11:9100", host="web-1", instance_id="i-0a1b2c3d4e5f60001")
WEB2 = HostRef(instance="10.0.1.12:9100", host="web-2", instance_id="i-0a1b2c3d4e5f60002")


def check(**changes: object) -> RemediationCheck:
    fields: dict[str, object] = {
        "request_id": "r1",
        "action": ActionName.RESTART_SERVICE,
        "subject": "web-1",
        "hosts": (WEB1,),
        "metric": MetricKind.CPU,
        "normal": NormalRange(high=90.0, basis="rule web-hot (cpu > 90%)"),
        "before": 97.0,
        "started_at": T0,
        "deadline": T0 + timedelta(minutes=10),
        "settle_seconds": 60.0,
        "step_seconds": 15.0,
    }
    return RemediationCheck.model_validate(fields | changes)


def points(*values: float, start: datetime = T0, step: float = 15.0) -> list[Point]:
    """One point every ``step`` seconds from ``start`` (NaN for a missing sample)."""
    return [Point(start + timedelta(seconds=i * step), v) for i, v in enumerate(values)]


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_range_holds_finite_values_between_its_bounds() -> None:
    normal = NormalRange(low=10.0, high=90.0)

    assert [True, True, False, False, False] == [normal.contains(v) for v in (10.0, 90.0, 90.5, 9.9, math.nan)]


def test_the_host_answering_is_normal_for_up() -> None:
    assert (True, False) == (HOST_UP.contains(1.0), HOST_UP.contains(0.0))


def test_a_baseline_is_the_median_and_four_robust_deviations_either_side() -> None:
    band = baseline_range(MetricKind.LOAD, [100.0, 105.0, 120.0, 135.0, 140.0, math.nan])

    assert band is not None
    assert (120.0 - 4 * 1.4826 * 15, 120.0 + 4 * 1.4826 * 15) == pytest.approx((band.low, band.high))
    assert band.basis.startswith("baseline 120.00 ±")


def test_a_flat_percentage_baseline_gets_ten_points_and_stops_below_ninety() -> None:
    band = baseline_range(MetricKind.CPU, [85.0, 85.0, 85.0])

    assert band is not None
    assert (75.0, True, False) == (band.low, band.contains(89.9), band.contains(90.0))


def test_a_baseline_reaching_below_zero_has_no_lower_bound() -> None:
    band = baseline_range(MetricKind.CPU, [3.0, 4.0, 5.0])

    assert band is not None
    assert band.low is None


def test_no_baseline_from_fewer_than_three_finite_values() -> None:
    assert baseline_range(MetricKind.CPU, [40.0, math.nan, 41.0]) is None


@pytest.mark.parametrize(
    ("action", "incident", "expected"),
    [
        (ActionName.RESTART_SERVICE, MetricKind.MEMORY, MetricKind.MEMORY),
        (ActionName.SCALE_UP, MetricKind.MEMORY, MetricKind.MEMORY),
        (ActionName.RESTART_SERVICE, None, MetricKind.UP),
        (ActionName.SCALE_UP, None, MetricKind.CPU),
        (ActionName.SCALE_TO, None, MetricKind.CPU),
    ],
)
def test_the_watched_signal_is_the_incidents_else_the_one_that_fits_the_action(
    action: ActionName, incident: MetricKind | None, expected: MetricKind
) -> None:
    assert expected == watched_signal(action, incident)


def test_a_groups_value_is_the_mean_of_its_members_finite_values_at_each_time() -> None:
    t = T0.timestamp()
    series = [
        Series(WEB1, MetricKind.CPU, (t, t + 15, t + 30), (90.0, math.nan, math.nan)),
        Series(WEB2, MetricKind.CPU, (t, t + 15, t + 30), (30.0, 40.0, math.nan)),
    ]

    assert [Point(T0, 60.0), Point(at(0.25), 40.0)] == average_points(series)


def test_the_value_at_a_time_is_the_latest_finite_one_before_it() -> None:
    assert 95.0 == value_at(points(97.0, 95.0, math.nan, 30.0), at(0.5))
    assert value_at(points(97.0), T0 - timedelta(seconds=1)) is None


def test_the_incident_resolving_is_recovery_whatever_the_samples_say() -> None:
    result = judge(check(), points(97.0, 96.0), now=at(2), resolved_at=at(1.5))

    assert (CheckOutcome.RECOVERED, at(1.5), 96.0) == (result.outcome, result.recovered_at, result.latest)


def test_an_incident_resolved_before_the_fix_ran_recovers_at_execution() -> None:
    result = judge(check(), [], now=at(1), resolved_at=T0 - timedelta(minutes=3))

    assert (CheckOutcome.RECOVERED, T0, None) == (result.outcome, result.recovered_at, result.latest)


def test_normal_for_the_settle_time_is_recovery_from_its_first_normal_sample() -> None:
    samples = points(97.0, 96.0, 95.0, 41.0, 42.0, 40.0, 41.0, 41.2)

    result = judge(check(), samples, now=at(2))

    assert (CheckOutcome.RECOVERED, at(0.75), 41.2) == (result.outcome, result.recovered_at, result.latest)


def test_normal_for_less_than_the_settle_time_is_still_pending() -> None:
    result = judge(check(), points(97.0, 96.0, 41.0, 42.0), now=at(1))

    assert (CheckOutcome.PENDING, 42.0) == (result.outcome, result.latest)
    assert not result.decided


def test_abnormal_at_the_deadline_is_not_recovered_with_the_latest_value() -> None:
    samples = points(*[97.0] * 40, 95.3)

    result = judge(check(), samples, now=at(10))

    assert (CheckOutcome.NOT_RECOVERED, None, 95.3) == (result.outcome, result.recovered_at, result.latest)


def test_normal_at_the_deadline_but_not_yet_for_the_settle_time_is_recovered() -> None:
    samples = points(*[97.0] * 38, 41.0, 40.0, 40.5)

    result = judge(check(), samples, now=at(11))

    assert (CheckOutcome.RECOVERED, at(9.5)) == (result.outcome, result.recovered_at)


def test_a_gap_of_more_than_three_steps_starts_the_count_again() -> None:
    before_gap = points(41.0, 41.0, 41.0)
    after_gap = points(41.0, 41.0, start=at(2))

    result = judge(check(), [*before_gap, *after_gap], now=at(2.5))

    assert CheckOutcome.PENDING == result.outcome


def test_nan_samples_are_no_evidence_either_way() -> None:
    samples = points(97.0, 41.0, math.nan, 41.0, math.nan, 40.0, 41.0)

    result = judge(check(), samples, now=at(2))

    assert (CheckOutcome.RECOVERED, at(0.25), 41.0) == (result.outcome, result.recovered_at, result.latest)


def test_only_samples_from_execution_to_the_deadline_count() -> None:
    samples = [Point(T0 - timedelta(minutes=2), 20.0), *points(*[97.0] * 41), Point(at(11), 30.0), Point(at(12), 30.0)]

    result = judge(check(), samples, now=at(12))

    assert (CheckOutcome.NOT_RECOVERED, 97.0) == (result.outcome, result.latest)


def test_no_sample_since_execution_is_no_data_at_the_deadline() -> None:
    result = judge(check(), [Point(T0 - timedelta(minutes=1), 97.0)], now=at(10))

    assert (CheckOutcome.NO_DATA, None) == (result.outcome, result.latest)


def test_no_sample_yet_is_pending_before_the_deadline() -> None:
    assert CheckOutcome.PENDING == judge(check(), [], now=at(3)).outcome


def test_a_host_that_stopped_reporting_is_no_data_with_its_last_value() -> None:
    result = judge(check(), points(97.0, 96.0, 96.5), now=at(10))

    assert (CheckOutcome.NO_DATA, 96.5) == (result.outcome, result.latest)


def test_a_groups_average_recovers_though_one_member_stays_high() -> None:
    t = T0.timestamp()
    times = tuple(t + 15 * i for i in range(6))
    series = [
        Series(WEB1, MetricKind.CPU, times, (97.0, 95.0, 92.0, 92.0, 92.0, 92.0)),
        Series(WEB2, MetricKind.CPU, times, (95.0, 60.0, 30.0, 30.0, 30.0, 30.0)),
    ]
    group = check(action=ActionName.SCALE_UP, subject="web-asg", hosts=(WEB1, WEB2), settle_seconds=45.0)

    result = judge(group, average_points(series), now=at(2))

    assert (CheckOutcome.RECOVERED, at(0.25), 61.0) == (result.outcome, result.recovered_at, result.latest)
