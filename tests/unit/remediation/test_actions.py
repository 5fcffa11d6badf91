"""Action parameter checks and scaling plans, table-driven."""

from __future__ import annotations

import pytest

from domain.errors import ActionNotAllowed, InputError
from remediation import actions
from remediation.actions import ActionLimits, plan_scale
from remediation.cloud_state import GroupState, InstanceState

LIMITS = ActionLimits(allowed_services=frozenset({"nginx", "api"}), max_scale_step=2)
GROUP = GroupState(name="web-asg", desired_capacity=2, min_size=1, max_size=4)


@pytest.mark.parametrize(
    ("instance_id", "service", "error"),
    [
        ("i-0123456789abcdef0", "nginx", None),
        ("i-0123456789abcdef0", "sshd", ActionNotAllowed),
        ("i-0123456789abcdef0", "nginx; rm -rf /", InputError),
        ("i-0123456789abcdef0", "$(reboot)", InputError),
        ("web-1", "nginx", InputError),
        ("i-0123456789abcdef0", "", InputError),
        ("i-0123456789abcdef0", "x" * 100, InputError),
    ],
)
def test_restart_service_validates_instance_and_allowlist(
    instance_id: str, service: str, error: type[Exception] | None
) -> None:
    if error is None:
        call = actions.restart_service(instance_id=instance_id, service=service, limits=LIMITS)
        assert {"instance_id": instance_id, "service": service} == call.params
    else:
        with pytest.raises(error):
            actions.restart_service(instance_id=instance_id, service=service, limits=LIMITS)


@pytest.mark.parametrize(
    ("call", "new", "error"),
    [
        (actions.scale_up(group="web-asg", by=1, limits=LIMITS), 3, None),
        (actions.scale_up(group="web-asg", by=2, limits=LIMITS), 4, None),
        (actions.scale_to(group="web-asg", desired=1), 1, None),
        (actions.scale_to(group="web-asg", desired=5), None, ActionNotAllowed),  # above MaxSize
        (actions.scale_to(group="web-asg", desired=0), None, ActionNotAllowed),  # below MinSize
        (actions.scale_to(group="web-asg", desired=4), 4, None),
    ],
)
def test_plan_scale_refuses_beyond_group_limits(
    call: actions.ActionCall, new: int | None, error: type[Exception] | None
) -> None:
    if error is None:
        assert new == plan_scale(call, GROUP, LIMITS).new
    else:
        with pytest.raises(error):
            plan_scale(call, GROUP, LIMITS)


def test_plan_scale_refuses_the_size_the_group_already_has() -> None:
    with pytest.raises(ActionNotAllowed, match="already at 2 instances"):
        plan_scale(actions.scale_to(group="web-asg", desired=2), GROUP, LIMITS)


def test_plan_scale_refuses_a_step_above_the_configured_maximum() -> None:
    big = GroupState(name="web-asg", desired_capacity=2, min_size=1, max_size=20)
    with pytest.raises(ActionNotAllowed, match="step"):
        plan_scale(actions.scale_to(group="web-asg", desired=9), big, LIMITS)


@pytest.mark.parametrize("by", [0, -1, 3])
def test_scale_up_refuses_bad_steps(by: int) -> None:
    with pytest.raises((InputError, ActionNotAllowed)):
        actions.scale_up(group="web-asg", by=by, limits=LIMITS)


@pytest.mark.parametrize("group", ["", "web asg", 'web"}', "a" * 300])
def test_group_names_are_validated(group: str) -> None:
    with pytest.raises(InputError):
        actions.scale_to(group=group, desired=1)


def test_fingerprint_depends_on_every_parameter() -> None:
    a = actions.scale_up(group="web-asg", by=1, limits=LIMITS)
    b = actions.scale_up(group="web-asg", by=2, limits=LIMITS)
    assert a.fingerprint() != b.fingerprint()
    assert a.fingerprint() == actions.scale_up(group="web-asg", by=1, limits=LIMITS).fingerprint()


def test_restart_on_several_instances_keeps_them_in_order_without_duplicates() -> None:
    call = actions.restart_service(
        instance_ids=["i-0123456789abcdef1", "i-0123456789abcdef0", "i-0123456789abcdef1"],
        service="nginx",
        limits=LIMITS,
    )

    assert {"instance_ids": "i-0123456789abcdef1,i-0123456789abcdef0", "service": "nginx"} == call.params
    assert ("i-0123456789abcdef1", "i-0123456789abcdef0") == actions.restart_targets(call)
    assert "restart nginx on i-0123456789abcdef1, i-0123456789abcdef0" == call.describe()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, InputError),
        ({"instance_ids": ["i-0123456789abcdef0", "i-0123456789abcdef0,i-0123456789abcdef1"]}, InputError),
        ({"instance_ids": [f"i-0123456789abcde{n:02x}" for n in range(11)]}, ActionNotAllowed),
    ],
)
def test_restart_refuses_missing_malformed_or_too_many_instances(
    kwargs: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        actions.restart_service(service="nginx", limits=ActionLimits(allowed_services=frozenset({"nginx"})), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("states", "error"),
    [
        ([InstanceState(instance_id="i-0123456789abcdef0", lifecycle_state="running", health_status="ok")], None),
        ([], "not found: i-0123456789abcdef0"),
        (
            [InstanceState(instance_id="i-0123456789abcdef0", lifecycle_state="stopped", health_status="ok")],
            "not running",
        ),
    ],
)
def test_restart_dry_run_needs_running_instances(states: list[InstanceState], error: str | None) -> None:
    call = actions.restart_service(instance_id="i-0123456789abcdef0", service="nginx", limits=LIMITS)
    if error is None:
        assert "i-0123456789abcdef0 (running, ok)" in actions.check_restart_targets(call, states)
    else:
        with pytest.raises(ActionNotAllowed, match=error):
            actions.check_restart_targets(call, states)
