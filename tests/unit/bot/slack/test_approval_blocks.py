"""Approval blocks: a confirm dialog on risky approvals, Cancel, and one request's section replaced alone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.slack import blocks, messages
from bot.slack.approval_messages import outcome_text
from remediation.actions import ActionCall, ActionName
from remediation.approval import ApprovalRequest
from tests.factories import approval_request

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def request(call: ActionCall, *, request_id: str = "r1", required: int = 1, by: str = "U_REQ") -> ApprovalRequest:
    return approval_request(
        request_id=request_id,
        call=call,
        requested_by=by,
        at=T0,
        required_approvals=required,
        dry_run="web-asg desired capacity 2 → 3",
    )


UP = ActionCall(action=ActionName.SCALE_UP, params={"group": "web-asg", "by": 1})
TO = ActionCall(action=ActionName.SCALE_TO, params={"group": "web-asg", "desired": 6})
ONE = ActionCall(action=ActionName.RESTART_SERVICE, params={"service": "nginx", "instance_id": "i-1"})
TWO = ActionCall(action=ActionName.RESTART_SERVICE, params={"service": "nginx", "instance_ids": "i-1,i-2"})


def approve_button(rendered: list[dict[str, Any]]) -> dict[str, Any]:
    actions = next(b for b in rendered if b["type"] == "actions")
    return next(e for e in actions["elements"] if e["action_id"] == blocks.APPROVE_ACTION)


@pytest.mark.parametrize(
    ("req", "asks"),
    [
        (request(UP), False),
        (request(ONE), False),
        (request(UP, required=2), True),
        (request(TO), True),
        (request(TWO), True),
    ],
    ids=["scale-up", "one restart", "quorum of 2", "scale_to", "restart on two hosts"],
)
def test_approve_asks_for_confirmation_only_on_risky_calls(req: ApprovalRequest, asks: bool) -> None:
    button = approve_button(blocks.approval_blocks(req))

    assert asks == ("confirm" in button)
    if asks:
        assert req.call.describe() in button["confirm"]["text"]["text"]


def test_every_block_of_a_request_carries_its_id() -> None:
    rendered = blocks.approval_blocks(request(UP, request_id="abc"), warning="nobody may approve")

    assert all(b["block_id"] == "approval:abc" or b["block_id"].startswith("approval:abc:") for b in rendered)


def test_replacing_one_section_keeps_the_other_requests_and_their_buttons() -> None:
    first, second = request(UP, request_id="r1"), request(ONE, request_id="r11")
    listing = [
        *blocks.text_blocks("2 waiting"),
        {"type": "divider"},
        *blocks.approval_blocks(first),
        {"type": "divider"},
        *blocks.approval_blocks(second),
    ]
    decided = blocks.decided_blocks(first, "Rejected")

    replaced = blocks.replace_section(listing, "r1", decided)

    expected = [*blocks.text_blocks("2 waiting"), {"type": "divider"}, *decided, {"type": "divider"}]
    assert [*expected, *blocks.approval_blocks(second)] == replaced


def test_a_message_without_the_request_becomes_the_new_section() -> None:
    decided = blocks.decided_blocks(request(UP), "Rejected")

    assert decided == blocks.replace_section(
        [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}], "r1", decided
    )


def test_an_expired_request_says_when() -> None:
    expired = request(UP).expire(T0.replace(minute=16))

    assert "Expired at 12:16 UTC. Nothing was run." == outcome_text(expired)
    assert messages.approval_cancelled("U_REQ") == outcome_text(request(UP).cancel("U_REQ", T0))


def test_label_values_and_dry_runs_are_escaped_and_rule_requesters_are_not_mentions() -> None:
    call = ActionCall(action=ActionName.RESTART_SERVICE, params={"service": "<!channel>", "instance_id": "i-1"})
    req = request(call, by="rule:cpu-hot").model_copy(update={"dry_run": "<https://evil|click>"})

    shown = str(blocks.approval_blocks(req))

    assert "<!channel>" not in shown
    assert "&lt;!channel&gt;" in shown
    assert "<https://evil|click>" not in shown
    assert "`rule:cpu-hot`" in shown
