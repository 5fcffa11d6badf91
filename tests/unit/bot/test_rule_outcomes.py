"""What the channel sees when a rule fires: automatic actions with Undo, fallbacks naming the brake, notify notes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.jobs.approval_expiry import ApprovalExpiryJob
from bot.jobs.rule_outcomes import UNDO_ACTION, RuleOutcomePoster, outcome_message
from remediation.approval import ApprovalState, ShownIn
from remediation.brakes import RemediationMode
from tests.unit.bot.slack.fakes import RecordingChat
from tests.unit.remediation.test_auto_remediation import World

M = timedelta(minutes=1)


class Recorder:
    def __init__(self) -> None:
        self.posts: list[tuple[str, str, list[dict[str, Any]] | None]] = []

    def post(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        self.posts.append((channel, text, blocks))


def buttons(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_automatic_action_says_what_was_done_and_offers_undo() -> None:
    world = World("auto")
    outcome = world.job.run_with_outcomes(world.at(0 * M))[0]

    text, blocks = outcome_message(outcome)

    assert text.startswith("Done automatically: scale web-asg up by 1 (rule `web-hot` on web-1)")
    assert [UNDO_ACTION] == buttons(blocks)
    assert "policy:web-hot" in str(blocks)


def test_fallback_to_approval_names_the_brake_and_keeps_the_buttons() -> None:
    world = World("auto")
    world.state.set_kill_switch(True, by="U_LEAD")
    outcome = world.job.run_with_outcomes(world.at(0 * M))[0]

    text, blocks = outcome_message(outcome)

    assert RemediationMode.APPROVE == outcome.mode
    assert text.startswith("Approval needed")
    assert "Not run automatically: automatic remediation is switched off (kill switch)." in str(blocks)
    assert ["approval_approve", "approval_reject", "approval_cancel"] == buttons(blocks)


def test_notify_mode_posts_the_dry_run_only() -> None:
    world = World("notify")
    outcome = world.job.run_with_outcomes(world.at(0 * M))[0]

    text, blocks = outcome_message(outcome)

    assert "Nothing was done (notify mode)" in text
    assert [] == buttons(blocks)


def test_poster_posts_each_new_outcome_once() -> None:
    world = World("auto")
    notifier = Recorder()
    poster = RuleOutcomePoster(job=world.job, notifier=notifier, channel="C_OPS")

    assert 1 == poster(world.at(0 * M))
    assert 0 == poster(world.at(1 * M))
    assert ["C_OPS"] == [channel for channel, _, _ in notifier.posts]


def test_a_rule_requests_approval_message_is_remembered_and_loses_its_buttons_when_it_expires() -> None:
    world = World("approve")
    chat = RecordingChat()
    poster = RuleOutcomePoster(job=world.job, notifier=chat, channel="C_OPS")

    assert 1 == poster(world.at(0 * M))

    [request] = world.store.pending()
    assert (ShownIn(channel="C_OPS", ts="1.1"),) == request.shown_in
    [expired] = ApprovalExpiryJob(world.remediation, chat)(world.at(16 * M))
    assert ApprovalState.EXPIRED == expired.state
    [update] = chat.updates
    assert ("C_OPS", "1.1") == (update["channel"], update["ts"])
    assert [] == buttons(update["blocks"])
    assert update["text"] == f"Expired at {expired.updated_at:%H:%M} UTC. Nothing was run."


def test_an_automatic_actions_message_is_not_taken_for_an_approval_message() -> None:
    world = World("auto")
    poster = RuleOutcomePoster(job=world.job, notifier=RecordingChat(), channel="C_OPS")

    poster(world.at(0 * M))

    [request_id] = {e.request_id for e in world.audit.events}
    request = world.store.get(request_id)
    assert request is not None
    assert (ApprovalState.SUCCEEDED, ()) == (request.state, request.shown_in)
