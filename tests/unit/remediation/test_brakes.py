"""Every brake of automatic remediation, and every fallback, one case per line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from remediation import actions
from remediation.actions import ActionCall, ActionLimits, ActionName
from remediation.brakes import AutoAction, AutoPolicy, RemediationMode, auto_target, decide, inverse

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
LIMITS = ActionLimits(allowed_services=frozenset({"nginx"}), max_scale_step=3)
RESTART = actions.restart_service(instance_id="i-0123456789abcdef0", service="nginx", limits=LIMITS)
SCALE1 = actions.scale_up(group="web-asg", by=1, limits=LIMITS)
SCALE2 = actions.scale_up(group="web-asg", by=2, limits=LIMITS)
SCALE_TO = actions.scale_to(group="web-asg", desired=3)
TWO_HOSTS = ActionCall(
    action=ActionName.RESTART_SERVICE,
    params={"instance_ids": "i-0123456789abcdef0,i-0123456789abcdef1", "service": "nginx"},
)
POLICY = AutoPolicy()
M = timedelta(minutes=1)


def ago(
    minutes: int, action: str = "restart_service", target: str = "nginx@i-0123456789abcdef0", ok: bool | None = True
) -> AutoAction:
    return AutoAction(action=action, target=target, at=NOW - minutes * M, succeeded=ok)


CASES = [
    # (name, call, mode, history, kill switch, policy, expected mode, brake fragment)
    ("approve stays approve", RESTART, RemediationMode.APPROVE, [], False, POLICY, RemediationMode.APPROVE, None),
    ("notify stays notify", RESTART, RemediationMode.NOTIFY, [], False, POLICY, RemediationMode.NOTIFY, None),
    ("auto restart, clean history", RESTART, RemediationMode.AUTO, [], False, POLICY, RemediationMode.AUTO, None),
    ("auto scale up by one", SCALE1, RemediationMode.AUTO, [], False, POLICY, RemediationMode.AUTO, None),
    ("kill switch", RESTART, RemediationMode.AUTO, [], True, POLICY, RemediationMode.APPROVE, "kill switch"),
    (
        "disabled by setting",
        RESTART,
        RemediationMode.AUTO,
        [],
        False,
        AutoPolicy(enabled=False),
        RemediationMode.APPROVE,
        "switched off",
    ),
    (
        "not low-risk",
        RESTART,
        RemediationMode.AUTO,
        [],
        False,
        AutoPolicy(low_risk_actions=frozenset({"scale_up"})),
        RemediationMode.APPROVE,
        "not marked low-risk",
    ),
    (
        "scale_to never auto",
        SCALE_TO,
        RemediationMode.AUTO,
        [],
        False,
        AutoPolicy(low_risk_actions=frozenset({"scale_to"})),
        RemediationMode.APPROVE,
        "never automatic",
    ),
    (
        "two instances at once",
        SCALE2,
        RemediationMode.AUTO,
        [],
        False,
        POLICY,
        RemediationMode.APPROVE,
        "one instance at a time",
    ),
    (
        "two hosts at once",
        TWO_HOSTS,
        RemediationMode.AUTO,
        [],
        False,
        POLICY,
        RemediationMode.APPROVE,
        "one host at a time",
    ),
    (
        "restart rate limit",
        RESTART,
        RemediationMode.AUTO,
        [ago(10)],
        False,
        POLICY,
        RemediationMode.APPROVE,
        "at most 1 automatic restart_service of nginx@i-0123456789abcdef0 per 30m",
    ),
    ("restart rate window passed", RESTART, RemediationMode.AUTO, [ago(31)], False, POLICY, RemediationMode.AUTO, None),
    (
        "restart of another host",
        RESTART,
        RemediationMode.AUTO,
        [ago(5, target="nginx@i-0fffffffffffffff0")],
        False,
        POLICY,
        RemediationMode.AUTO,
        None,
    ),
    (
        "scale rate limit",
        SCALE1,
        RemediationMode.AUTO,
        [ago(10, "scale_up", "web-asg"), ago(50, "scale_up", "web-asg")],
        False,
        POLICY,
        RemediationMode.APPROVE,
        "per 1h",
    ),
    (
        "one scale in the hour is fine",
        SCALE1,
        RemediationMode.AUTO,
        [ago(10, "scale_up", "web-asg")],
        False,
        POLICY,
        RemediationMode.AUTO,
        None,
    ),
    (
        "cool-down after failure",
        SCALE1,
        RemediationMode.AUTO,
        [ago(5, "restart_service", "api@i-1", ok=False)],
        False,
        POLICY,
        RemediationMode.APPROVE,
        "cool-down after the failed restart_service on api@i-1, until 15:10 UTC",
    ),
    (
        "cool-down over",
        SCALE1,
        RemediationMode.AUTO,
        [ago(16, "restart_service", "api@i-1", ok=False)],
        False,
        POLICY,
        RemediationMode.AUTO,
        None,
    ),
    (
        "fleet budget",
        SCALE1,
        RemediationMode.AUTO,
        [ago(n, "restart_service", f"x@{n}") for n in range(1, 6)],
        False,
        POLICY,
        RemediationMode.APPROVE,
        "budget of 5",
    ),
    (
        "budget counts only the last hour",
        SCALE1,
        RemediationMode.AUTO,
        [ago(61 + n, "restart_service", f"x@{n}") for n in range(5)],
        False,
        POLICY,
        RemediationMode.AUTO,
        None,
    ),
]


@pytest.mark.parametrize(
    ("name", "call", "mode", "history", "kill", "policy", "expected", "brake"), CASES, ids=[c[0] for c in CASES]
)
def test_decide(
    name: str,
    call: ActionCall,
    mode: RemediationMode,
    history: list[AutoAction],
    kill: bool,
    policy: AutoPolicy,
    expected: RemediationMode,
    brake: str | None,
) -> None:
    decision = decide(call, mode, now=NOW, history=history, policy=policy, kill_switch=kill)
    assert expected == decision.mode
    if brake is None:
        assert decision.brake is None
    else:
        assert decision.brake is not None
        assert brake in decision.brake


def test_targets() -> None:
    assert "nginx@i-0123456789abcdef0" == auto_target(RESTART)
    assert "web-asg" == auto_target(SCALE1)


def test_inverse_of_scale_up_is_scale_back() -> None:
    undo = inverse(SCALE1, before=2)
    assert undo is not None
    assert (ActionName.SCALE_TO, {"group": "web-asg", "desired": 2}) == (undo.action, undo.params)
    assert inverse(RESTART, before=None) is None
