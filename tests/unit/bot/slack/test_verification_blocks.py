"""The message of a fix's check: its sentence per outcome, escaped, and the next-step button only when it failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.slack.verification_blocks import NEXT_STEP_ACTION, verification_blocks, verification_text
from domain.models import HostRef, MetricKind
from remediation.actions import ActionCall, ActionName
from remediation.verification import CheckOutcome, CheckResult, NormalRange, RemediationCheck

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
HOST = HostRef(instance="10.0.1.11:9100", host="<!channel>")
SCALE = ActionCall(action=ActionName.SCALE_UP, params={"group": "web-asg", "by": 1})
RESTART = ActionCall(
    action=ActionName.RESTART_SERVICE, params={"instance_id": "i-0a1b2c3d4e5f60001", "service": "nginx"}
)


def check(action: ActionName = ActionName.SCALE_UP, metric: MetricKind = MetricKind.CPU) -> RemediationCheck:
    return RemediationCheck(
        request_id="r1",
        action=action,
        subject="web-1",
        hosts=(HOST,),
        metric=metric,
        normal=NormalRange(high=90.0, basis="rule web-hot (cpu > 90%)"),
        before=97.0,
        started_at=T0,
        deadline=T0 + timedelta(minutes=10),
    )


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (
            CheckResult(CheckOutcome.RECOVERED, T0 + timedelta(minutes=4), 41.2),
            "web-1 CPU 97.0% → 41.2% within 4m: recovered",
        ),
        (
            CheckResult(CheckOutcome.RECOVERED, T0 + timedelta(minutes=2)),
            "web-1 CPU: its incident resolved within 2m of the scale-up: recovered",
        ),
        (
            CheckResult(CheckOutcome.NOT_RECOVERED, latest=95.3),
            "web-1 CPU still 95.3% 10m after the scale-up: not recovered",
        ),
        (
            CheckResult(CheckOutcome.NO_DATA, latest=96.0),
            "web-1 CPU: no data in the 10m after the scale-up (last seen at 96.0%), so whether it recovered is unknown",
        ),
    ],
)
def test_each_outcome_has_its_sentence(result: CheckResult, expected: str) -> None:
    assert expected == verification_text(check(), result)


def test_a_host_coming_back_is_said_without_its_values() -> None:
    result = CheckResult(CheckOutcome.RECOVERED, T0 + timedelta(minutes=1), 1.0)

    assert "web-1 is up 1m after the restart: recovered" == verification_text(
        check(ActionName.RESTART_SERVICE, MetricKind.UP), result
    )


def test_a_failed_check_with_a_next_step_gets_its_button() -> None:
    out = verification_blocks(
        check(), CheckResult(CheckOutcome.NOT_RECOVERED, latest=95.3), call=SCALE, next_step=RESTART
    )

    button = out[-1]["elements"][0]
    assert (NEXT_STEP_ACTION, "r1") == (button["action_id"], button["value"])
    assert "Request next step: restart nginx on i-0a1b2c3d4e5f60001" == button["text"]["text"]


@pytest.mark.parametrize("outcome", [CheckOutcome.RECOVERED, CheckOutcome.NO_DATA])
def test_no_button_unless_it_did_not_recover(outcome: CheckOutcome) -> None:
    out = verification_blocks(check(), CheckResult(outcome, T0, 41.0), call=SCALE, next_step=RESTART)

    assert ["section", "context"] == [b["type"] for b in out]


def test_text_from_outside_is_escaped() -> None:
    hostile = check().model_copy(update={"subject": HOST.name})

    out = verification_blocks(hostile, CheckResult(CheckOutcome.NOT_RECOVERED, latest=95.3), call=SCALE, next_step=None)

    section = out[0]["text"]["text"]
    assert "&lt;!channel&gt; CPU still 95.3%" in section
    assert "<!channel>" not in section
