"""Approve, Reject and Undo clicks: the state machine advances only for approvers, and the message follows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from adapters.simulated.cloud import SimulatedCloudActions
from bot.jobs.rule_outcomes import UNDO_ACTION
from bot.services import Services
from bot.slack import blocks, messages
from bot.slack.listeners.actions.approval import ack_approval_click, decide_approval
from bot.slack.listeners.actions.undo import ack_undo, undo_scale_up
from bot.slack.middleware import SERVICES_KEY
from remediation.actions import ActionCall, ActionName
from remediation.approval import ApprovalRequest, ApprovalState
from tests.unit.bot.simulated_services import GROUP
from tests.unit.bot.slack.fakes import FakeSlackClient, Recorder

MESSAGE_TS = "1700000300.000300"


def click(action_id: str, request_id: str, *, user: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": "C_OPS"},
        "message": {"ts": MESSAGE_TS},
        "actions": [{"action_id": action_id, "value": request_id}],
    }


def stored(services: Services, request_id: str) -> ApprovalRequest:
    request = services.approvals.get(request_id)
    assert request is not None
    return request


@pytest.fixture
def pending(services: Services) -> ApprovalRequest:
    assert services.remediation is not None
    call = ActionCall(action=ActionName.SCALE_UP, params={"group": GROUP, "by": 1})
    return services.remediation.request(call, "U_ONCALL")


Press = Callable[..., None]


@pytest.fixture
def press(client: FakeSlackClient, respond: Recorder, context: dict[str, Any]) -> Press:
    """Click a button as ``user``, through the fake Slack client."""

    def press(action_id: str, request_id: str, *, user: str) -> None:
        decide_approval(click(action_id, request_id, user=user), client, respond, context)

    return press


@pytest.mark.parametrize(("ack_click", "command"), [(ack_approval_click, "approval_click"), (ack_undo, "auto_undo")])
def test_a_click_is_acked_at_once_and_named_in_the_log(
    ack: Recorder, context: dict[str, Any], ack_click: Callable[..., None], command: str
) -> None:
    ack_click(ack, context)

    assert [{}] == ack.calls
    assert command == context["command"]


@pytest.mark.parametrize(
    ("action_id", "state", "desired", "outcome"),
    [
        (blocks.APPROVE_ACTION, ApprovalState.SUCCEEDED, 3, lambda r: messages.approval_done("U_LEAD", r.result)),
        (blocks.REJECT_ACTION, ApprovalState.REJECTED, 2, lambda _r: messages.approval_rejected("U_LEAD")),
    ],
    ids=["approve", "reject"],
)
def test_a_decision_by_an_approver_moves_the_request_and_updates_the_message(
    press: Press,
    client: FakeSlackClient,
    services: Services,
    pending: ApprovalRequest,
    cloud: SimulatedCloudActions,
    action_id: str,
    state: ApprovalState,
    desired: int,
    outcome: Callable[[ApprovalRequest], str],
) -> None:
    press(action_id, pending.id, user="U_LEAD")

    decided = stored(services, pending.id)
    assert state is decided.state
    assert desired == cloud.describe_group(GROUP).desired_capacity
    [update] = client.received("chat.update")
    text = outcome(decided)
    assert ("C_OPS", MESSAGE_TS, text) == (update["channel"], update["ts"], update["text"])
    assert blocks.decided_blocks(decided, text) == update["blocks"]
    assert [] == client.received("chat.postEphemeral")


def test_a_member_of_an_approver_group_may_approve(
    respond: Recorder, context: dict[str, Any], services: Services, pending: ApprovalRequest
) -> None:
    client = FakeSlackClient(groups={"S_SRE": ["U_SRE"]})

    decide_approval(click(blocks.APPROVE_ACTION, pending.id, user="U_SRE"), client, respond, context)

    assert [{"usergroup": "S_SRE"}] == client.received("usergroups.users.list")
    assert ApprovalState.SUCCEEDED is stored(services, pending.id).state


def test_approve_by_a_non_approver_is_refused_in_an_ephemeral_note(
    press: Press, client: FakeSlackClient, services: Services, pending: ApprovalRequest, cloud: SimulatedCloudActions
) -> None:
    press(blocks.APPROVE_ACTION, pending.id, user="U_INTERN")

    [note] = client.received("chat.postEphemeral")
    assert ("C_OPS", "U_INTERN") == (note["channel"], note["user"])
    assert note["text"].startswith("You can't do that: ")
    assert [] == client.received("chat.update")
    assert ApprovalState.PENDING is stored(services, pending.id).state
    assert 2 == cloud.describe_group(GROUP).desired_capacity


def test_the_refusal_uses_the_response_url_when_the_bot_cannot_post_ephemerally(
    respond: Recorder, context: dict[str, Any], pending: ApprovalRequest
) -> None:
    client = FakeSlackClient(failing={"chat.postEphemeral": "not_in_channel"})

    decide_approval(click(blocks.APPROVE_ACTION, pending.id, user="U_INTERN"), client, respond, context)

    [note] = respond.calls
    assert ("ephemeral", False) == (note["response_type"], note["replace_original"])


def test_a_second_click_says_who_decided(press: Press, client: FakeSlackClient, pending: ApprovalRequest) -> None:
    press(blocks.APPROVE_ACTION, pending.id, user="U_LEAD")
    press(blocks.REJECT_ACTION, pending.id, user="U_LEAD")

    [note] = client.received("chat.postEphemeral")
    assert messages.already_decided("succeeded", "U_LEAD") == note["text"]
    assert 1 == len(client.received("chat.update"))


def test_a_click_on_an_unknown_request_says_so(press: Press, client: FakeSlackClient) -> None:
    press(blocks.APPROVE_ACTION, "nope", user="U_LEAD")

    assert [messages.approval_unknown("nope")] == [n["text"] for n in client.received("chat.postEphemeral")]


def test_without_remediation_a_click_is_told_there_is_nothing_to_approve(
    client: FakeSlackClient, respond: Recorder, services: Services
) -> None:
    without = Services(**{**services.__dict__, "remediation": None})

    decide_approval(click(blocks.APPROVE_ACTION, "r1", user="U_LEAD"), client, respond, {SERVICES_KEY: without})

    assert [messages.REMEDIATION_OFF] == [n["text"] for n in client.received("chat.postEphemeral")]


@pytest.fixture
def automatic(services: Services, cloud: SimulatedCloudActions) -> ApprovalRequest:
    """A scale-up that the automatic-remediation policy approved and ran (2 → 3)."""
    assert services.remediation is not None
    call = ActionCall(action=ActionName.SCALE_UP, params={"group": GROUP, "by": 1})
    request = services.remediation.request(call, "rule:web-cpu")
    done = services.remediation.approve_by_policy(request.id, "web-cpu")
    assert 3 == cloud.describe_group(GROUP).desired_capacity
    return done


def test_undo_by_an_approver_scales_back_and_says_so_in_the_thread(
    client: FakeSlackClient, context: dict[str, Any], automatic: ApprovalRequest, cloud: SimulatedCloudActions
) -> None:
    undo_scale_up(click(UNDO_ACTION, automatic.id, user="U_LEAD"), client, context)

    assert 2 == cloud.describe_group(GROUP).desired_capacity
    [post] = client.received("chat.postMessage")
    assert (MESSAGE_TS, "C_OPS") == (post["thread_ts"], post["channel"])
    assert post["text"].startswith("Undone by <@U_LEAD>: scale web-asg to 2 (succeeded")


def test_undo_by_a_non_approver_is_refused(
    client: FakeSlackClient, context: dict[str, Any], automatic: ApprovalRequest, cloud: SimulatedCloudActions
) -> None:
    undo_scale_up(click(UNDO_ACTION, automatic.id, user="U_INTERN"), client, context)

    [note] = client.received("chat.postEphemeral")
    assert note["text"].startswith("You can't undo that: ")
    assert 3 == cloud.describe_group(GROUP).desired_capacity


def test_only_an_automatic_scale_up_can_be_undone(
    client: FakeSlackClient, context: dict[str, Any], pending: ApprovalRequest
) -> None:
    undo_scale_up(click(UNDO_ACTION, pending.id, user="U_LEAD"), client, context)

    [note] = client.received("chat.postEphemeral")
    assert note["text"].startswith("You can't undo that: ")
