"""Clicks without channel or message, Cancel, /ops cancel and the expiry sweep: clicker and messages follow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from adapters.clock import ManualClock
from bot.jobs.approval_expiry import ApprovalExpiryJob
from bot.services import Services
from bot.slack import blocks, messages
from bot.slack.approval_commands import cancel_request
from bot.slack.approval_messages import remember_shown
from bot.slack.listeners.actions.approval import decide_approval
from bot.slack.ops_command import OpsCommand, OpsKind, parse_ops
from domain.errors import ActionNotAllowed, InputError
from remediation.actions import ActionCall, ActionName
from remediation.approval import ApprovalRequest, ApprovalState, ShownIn
from tests.unit.bot.simulated_services import GROUP
from tests.unit.bot.slack.fakes import FakeSlackClient, Recorder, RecordingChat

CALL = ActionCall(action=ActionName.SCALE_UP, params={"group": GROUP, "by": 1})


@pytest.fixture
def pending(services: Services) -> ApprovalRequest:
    assert services.remediation is not None
    return services.remediation.request(CALL, "U_ONCALL")


def test_a_click_without_channel_or_message_is_answered_through_the_response_url(
    client: FakeSlackClient, respond: Recorder, context: dict[str, Any], services: Services, pending: ApprovalRequest
) -> None:
    body = {
        "type": "block_actions",
        "user": {"id": "U_LEAD"},
        "actions": [{"action_id": blocks.APPROVE_ACTION, "value": pending.id}],
    }

    decide_approval(body, client, respond, context)

    assert [] == [c for c in client.calls if c.method.startswith("chat.")]
    replaced, told = respond.calls
    assert replaced["replace_original"] is True
    assert told == {"text": replaced["text"], "response_type": "ephemeral", "replace_original": False}
    assert told["text"].startswith("Approved by <@U_LEAD>.")
    assert ApprovalState.SUCCEEDED is services.approvals.get(pending.id).state  # type: ignore[union-attr]


def test_a_click_on_an_ephemeral_copy_posts_no_update_but_tells_the_clicker(
    client: FakeSlackClient, respond: Recorder, context: dict[str, Any], pending: ApprovalRequest
) -> None:
    body = {
        "type": "block_actions",
        "user": {"id": "U_LEAD"},
        "channel": {"id": "C_OPS"},
        "container": {"type": "message", "message_ts": "1.1", "is_ephemeral": True},
        "actions": [{"action_id": blocks.REJECT_ACTION, "value": pending.id}],
    }

    decide_approval(body, client, respond, context)

    assert [] == client.received("chat.update")
    assert [messages.approval_rejected("U_LEAD")] == [n["text"] for n in client.received("chat.postEphemeral")]
    assert [True] == [c["replace_original"] for c in respond.calls]


def test_only_the_requester_may_cancel_and_every_message_showing_the_request_follows(
    client: FakeSlackClient, respond: Recorder, context: dict[str, Any], services: Services, pending: ApprovalRequest
) -> None:
    assert services.remediation is not None
    remember_shown(services.remediation, pending.id, channel="C_OPS", ts="1.1")
    remember_shown(services.remediation, pending.id, channel="C_OTHER", ts="2.2")

    def cancel(user: str) -> None:
        body = {
            "type": "block_actions",
            "user": {"id": user},
            "channel": {"id": "C_OPS"},
            "message": {"ts": "1.1", "blocks": blocks.approval_blocks(pending)},
            "actions": [{"action_id": blocks.CANCEL_ACTION, "value": pending.id}],
        }
        decide_approval(body, client, respond, context)

    cancel("U_LEAD")
    assert [messages.cancel_refused("only the requester can cancel a request")] == [
        n["text"] for n in client.received("chat.postEphemeral")
    ]
    assert [] == client.received("chat.update")

    cancel("U_ONCALL")

    assert ApprovalState.CANCELLED is services.remediation.get(pending.id).state
    updates = client.received("chat.update")
    assert [("C_OPS", "1.1"), ("C_OTHER", "2.2")] == [(u["channel"], u["ts"]) for u in updates]
    assert all(u["text"] == messages.approval_cancelled("U_ONCALL") for u in updates)
    assert all("actions" not in [b["type"] for b in u["blocks"]] for u in updates)


def test_ops_cancel_withdraws_the_request_and_refuses_someone_else(
    client: FakeSlackClient, services: Services, pending: ApprovalRequest
) -> None:
    refused = cancel_request(services, client, pending.id, user="U_LEAD")
    done = cancel_request(services, client, pending.id, user="U_ONCALL")
    again = cancel_request(services, client, pending.id, user="U_ONCALL")

    assert messages.cancel_refused("only the requester can cancel a request") == refused.text
    assert f"`{pending.id}`: {messages.approval_cancelled('U_ONCALL')}" == done.text
    assert messages.already_decided("cancelled", "U_ONCALL") == again.text
    assert messages.approval_unknown("nope") == cancel_request(services, client, "nope", user="U_ONCALL").text


def test_expiry_takes_the_buttons_off_every_message_of_the_request(
    services: Services, clock: ManualClock, pending: ApprovalRequest
) -> None:
    assert services.remediation is not None
    remember_shown(services.remediation, pending.id, channel="C_OPS", ts="1.1")
    chat = RecordingChat()
    job = ApprovalExpiryJob(services.remediation, chat)
    assert [] == job(clock.now())
    assert [] == chat.posts

    clock.advance(timedelta(minutes=16))
    [expired] = job(clock.now())

    assert ApprovalState.EXPIRED is expired.state
    [update] = chat.updates
    assert ("C_OPS", "1.1") == (update["channel"], update["ts"])
    assert f"Expired at {expired.updated_at:%H:%M} UTC. Nothing was run." == update["text"]
    assert "actions" not in [b["type"] for b in update["blocks"]]
    assert (ShownIn(channel="C_OPS", ts="1.1"),) == expired.shown_in


def test_a_second_request_for_the_same_target_points_at_the_first(services: Services, pending: ApprovalRequest) -> None:
    assert services.remediation is not None

    with pytest.raises(ActionNotAllowed, match=f"request `{pending.id}` is already waiting for approval"):
        services.remediation.request(CALL, "U_OTHER", one_per_target=True)

    services.remediation.cancel(pending.id, "U_ONCALL")
    assert ApprovalState.PENDING is services.remediation.request(CALL, "U_OTHER", one_per_target=True).state


def test_a_call_that_could_never_run_is_told_why_even_while_another_waits(
    services: Services, pending: ApprovalRequest
) -> None:
    assert services.remediation is not None
    too_big = ActionCall(action=ActionName.SCALE_TO, params={"group": GROUP, "desired": 50})

    with pytest.raises(ActionNotAllowed, match="MaxSize"):
        services.remediation.request(too_big, "U_OTHER", one_per_target=True)


def test_ops_cancel_takes_exactly_one_request_id() -> None:
    assert OpsCommand(OpsKind.CANCEL, target="3f9a0c1d2e4b") == parse_ops("cancel 3f9a0c1d2e4b")
    for bad in ("cancel", "cancel a b"):
        with pytest.raises(InputError, match="`/ops cancel` takes the id"):
            parse_ops(bad)
