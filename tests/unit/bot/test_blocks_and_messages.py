"""Block Kit rendering and the sentences people read (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.slack import blocks, messages
from bot.slack.charts import chart_minutes
from remediation.actions import ActionCall, ActionName
from remediation.approval import ApprovalRequest, ApprovalState
from tests.factories import approval_request

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
CALL = ActionCall(action=ActionName.SCALE_UP, params={"group": "web-asg", "by": 1})


def request() -> ApprovalRequest:
    return approval_request(request_id="req123456", call=CALL, at=T0, dry_run="web-asg desired capacity 2 → 3")


def test_approval_buttons_carry_only_the_request_id() -> None:
    rendered = blocks.approval_blocks(request())

    actions = [b for b in rendered if b["type"] == "actions"]
    assert [(e["action_id"], e["value"]) for e in actions[0]["elements"]] == [
        (blocks.APPROVE_ACTION, "req123456"),
        (blocks.REJECT_ACTION, "req123456"),
        (blocks.CANCEL_ACTION, "req123456"),
    ]
    text = str(rendered)
    assert "<@U_REQ>" in text
    assert "2026-01-05 12:15 UTC" in text
    assert "2 → 3" in text


def test_decided_message_has_no_buttons_and_names_the_approvers() -> None:
    done = request().approve("U_LEAD", T0).start(T0).succeed("web-asg desired capacity 2 → 3", T0)

    rendered = blocks.decided_blocks(done, messages.approval_done("U_LEAD", done.result or ""))

    assert [b["type"] for b in rendered] == ["section", "section", "section", "section"]
    assert {"type": "mrkdwn", "text": "*Approved by*\n<@U_LEAD>"} in rendered[2]["fields"]
    assert rendered[-1]["text"]["text"] == "Approved by <@U_LEAD>. Result: web-asg desired capacity 2 → 3"


def test_answer_blocks_cut_long_text_to_slack_limits() -> None:
    rendered = blocks.answer_blocks("x" * 5000, header="<@U1> asked: _q_")

    assert rendered[0]["type"] == "context"
    assert len(rendered[1]["text"]["text"]) == 2900


@pytest.mark.parametrize(
    ("state", "by", "expected"),
    [
        (ApprovalState.SUCCEEDED, "U_LEAD", "This request was already approved by <@U_LEAD> (it ran)."),
        (ApprovalState.APPROVED, "U_LEAD", "This request was already approved by <@U_LEAD>."),
        (ApprovalState.FAILED, "U_LEAD", "This request was already approved by <@U_LEAD> (failed)."),
        (ApprovalState.REJECTED, "U_X", "This request is already rejected by <@U_X>."),
        (ApprovalState.EXPIRED, None, "This request is already expired."),
        (ApprovalState.EXPIRED, "policy:expiry", "This request is already expired."),
    ],
)
def test_already_decided(state: ApprovalState, by: str | None, expected: str) -> None:
    assert messages.already_decided(state.value, by) == expected


@pytest.mark.parametrize(
    ("question", "minutes"),
    [
        ("cpu on web-1 over the last 30 minutes", 30),
        ("memory of db-1 in the past 2 hours", 120),
        ("disk on web-2 for the last day", 1440),
        ("show me a graph of cpu on web-1", 60),
        ("cpu trend on db-1", 60),
        ("what is the cpu on web-1?", None),
        ("cpu on web-1 over the last 90 days", 7 * 24 * 60),
        ("memory of db-1 over the last hour", 60),
        ("cpu on web-1 during the past 1h30m", 90),
        ("cpu on web-1 over the last 90s", 1),
        ("load on db-1 in the past week", 7 * 24 * 60),
        ("show me a graph of cpu on web-1 over the last 6 hours", 360),
        ("cpu on web-1 in the last few minutes", None),
    ],
)
def test_chart_minutes(question: str, minutes: int | None) -> None:
    assert chart_minutes(question) == minutes
