"""The one choice of a fix: Suggest fix on an incident, and the next step after a fix that did not help."""

from __future__ import annotations

import pytest

from domain.models import HostRef, MetricKind
from remediation.actions import ActionCall, ActionLimits, ActionName
from remediation.cloud_state import GroupState
from remediation.suggestion import choose_fix, first_fix

WEB1 = HostRef(instance="10.0.1.11:9100", host="web-1", instance_id="i-0a1b2c3d4e5f60001")
NO_ID = HostRef(instance="10.0.1.12:9100", host="web-2")
LIMITS = ActionLimits()
GROUP = GroupState(name="web-asg", desired_capacity=2, min_size=1, max_size=5)
FULL = GROUP.model_copy(update={"desired_capacity": 5})
RESTART = ActionCall(
    action=ActionName.RESTART_SERVICE, params={"instance_id": "i-0a1b2c3d4e5f60001", "service": "nginx"}
)
SCALE = ActionCall(action=ActionName.SCALE_UP, params={"group": "web-asg", "by": 1})
SCALE_OTHER = ActionCall(action=ActionName.SCALE_UP, params={"group": "api-asg", "by": 2})


def test_the_rules_action_wins() -> None:
    assert (
        SCALE_OTHER
        == choose_fix(metric=MetricKind.CPU, host=WEB1, limits=LIMITS, rule_call=SCALE_OTHER, group=GROUP).call
    )


@pytest.mark.parametrize("metric", [MetricKind.CPU, MetricKind.MEMORY])
def test_cpu_or_memory_on_a_group_member_scales_the_group_up_by_one(metric: MetricKind) -> None:
    assert SCALE == choose_fix(metric=metric, host=WEB1, limits=LIMITS, group=GROUP).call


def test_another_signal_on_a_group_member_has_no_fix_without_a_rule() -> None:
    assert choose_fix(metric=MetricKind.DISK, host=WEB1, limits=LIMITS, group=GROUP).call is None


def test_a_host_in_no_group_has_no_fix_without_a_rule() -> None:
    suggestion = choose_fix(metric=MetricKind.CPU, host=WEB1, limits=LIMITS)

    assert (None, "") == (suggestion.call, suggestion.reason)


def test_a_group_at_its_max_size_is_refused_with_the_reason() -> None:
    suggestion = choose_fix(metric=MetricKind.CPU, host=WEB1, limits=LIMITS, group=FULL)

    assert (None, "web-asg is already at its MaxSize of 5") == (suggestion.call, suggestion.reason)


def test_after_a_restart_the_next_step_scales_the_hosts_group() -> None:
    assert SCALE == choose_fix(metric=MetricKind.CPU, host=WEB1, limits=LIMITS, group=GROUP, tried=RESTART).call


def test_after_a_restart_the_next_step_is_refused_for_a_full_group() -> None:
    suggestion = choose_fix(metric=MetricKind.CPU, host=WEB1, limits=LIMITS, group=FULL, tried=RESTART)

    assert "web-asg is already at its MaxSize of 5" == suggestion.reason


def test_after_a_restart_of_a_host_in_no_group_there_is_no_next_step() -> None:
    suggestion = choose_fix(metric=MetricKind.CPU, host=WEB1, limits=LIMITS, tried=RESTART)

    assert (None, "the host is in no Auto Scaling group to scale") == (suggestion.call, suggestion.reason)


def test_after_a_scale_up_the_next_step_restarts_the_only_allowed_service_on_the_host() -> None:
    assert RESTART == choose_fix(metric=MetricKind.CPU, host=WEB1, limits=LIMITS, group=GROUP, tried=SCALE).call


def test_after_a_scale_up_a_rules_restart_names_the_service() -> None:
    limits = ActionLimits(allowed_services=frozenset({"nginx", "php-fpm"}))
    rule = ActionCall(
        action=ActionName.RESTART_SERVICE, params={"instance_id": "i-0a1b2c3d4e5f60001", "service": "php-fpm"}
    )

    assert rule == choose_fix(metric=MetricKind.CPU, host=WEB1, limits=limits, rule_call=rule, tried=SCALE).call


def test_after_a_scale_up_with_several_allowed_services_the_person_is_asked_which() -> None:
    limits = ActionLimits(allowed_services=frozenset({"nginx", "php-fpm"}))

    suggestion = choose_fix(metric=MetricKind.CPU, host=WEB1, limits=limits, tried=SCALE)

    assert suggestion.call is None
    assert "ask in the thread which one" in suggestion.reason


def test_after_a_scale_up_a_host_without_an_instance_id_cannot_be_restarted() -> None:
    suggestion = choose_fix(metric=MetricKind.CPU, host=NO_ID, limits=LIMITS, tried=SCALE)

    assert "web-2 has no instance_id label, so it cannot be restarted through SSM" == suggestion.reason


def test_after_scaling_for_no_one_host_there_is_no_host_to_restart() -> None:
    suggestion = choose_fix(metric=MetricKind.CPU, host=None, limits=LIMITS, tried=SCALE)

    assert (None, "the fix was not for one host, so there is no host to restart") == (
        suggestion.call,
        suggestion.reason,
    )


def test_a_rule_of_the_same_kind_as_what_ran_is_not_suggested_again() -> None:
    suggestion = choose_fix(metric=MetricKind.CPU, host=WEB1, limits=LIMITS, rule_call=SCALE, group=GROUP, tried=SCALE)

    assert RESTART == suggestion.call


@pytest.mark.parametrize(
    ("metric", "rule_call", "group", "expected"),
    [
        (MetricKind.CPU, SCALE_OTHER, "web-asg", SCALE_OTHER),  # the rule wins over the group
        (MetricKind.DISK, RESTART, None, RESTART),  # a rule on any signal, in no group
        (MetricKind.CPU, None, "web-asg", SCALE),
        (MetricKind.MEMORY, None, "web-asg", SCALE),
        (MetricKind.DISK, None, "web-asg", None),  # only CPU and memory scale without a rule
        (MetricKind.CPU, None, None, None),
    ],
)
def test_the_first_fix_is_the_rules_call_or_a_scale_up_of_the_group(
    metric: MetricKind, rule_call: ActionCall | None, group: str | None, expected: ActionCall | None
) -> None:
    assert expected == first_fix(metric=metric, rule_call=rule_call, group=group, limits=LIMITS)


def test_the_first_fix_is_what_choose_fix_requests_on_a_group_with_room() -> None:
    offered = first_fix(metric=MetricKind.CPU, rule_call=None, group=GROUP.name, limits=LIMITS)

    assert offered == choose_fix(metric=MetricKind.CPU, host=WEB1, limits=LIMITS, group=GROUP).call
