"""Posting what duration rules did: automatic actions (with Undo), approval requests, notify-mode notes.

An approval request's message is remembered with the request (``ApprovalRequest.shown_in``), as
the assistant's are, so the expiry sweep, ``/ops cancel`` and the clicks update it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from bot.jobs.chat import ChatMessages
from bot.jobs.rule_actions import RuleActionJob, RuleOutcome
from bot.slack import blocks
from bot.slack.approval_messages import remember_shown
from domain.errors import NotifierUnavailable
from domain.ports import Notifier
from remediation.approval import ApprovalState
from remediation.brakes import RemediationMode

log = structlog.get_logger(__name__)

UNDO_ACTION = "auto_undo"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:2900]}]}


def outcome_message(outcome: RuleOutcome) -> tuple[str, list[dict[str, Any]]]:
    """The text and blocks of one rule outcome. Pure."""
    what = f"{outcome.call.describe()} (rule `{outcome.rule}` on {outcome.host.name})"
    if outcome.mode is RemediationMode.NOTIFY:
        text = f"Would run: {what}. Nothing was done (notify mode)."
        return text, [
            _section(f"*Would run:* {what}"),
            _section(f"*Dry run:* {outcome.dry_run}"),
            _context("Notify mode: nothing was done. Change the rule's mode to `approve` or `auto` to act."),
        ]
    request = outcome.request
    if request is None:
        return f"Rule {outcome.rule} fired on {outcome.host.name}.", [_section(what)]
    if outcome.mode is RemediationMode.AUTO:
        result = request.result or request.error or request.state.value
        text = f"Done automatically: {what}. {request.state.value}: {result}"
        out = [
            {"type": "header", "text": {"type": "plain_text", "text": "Automatic remediation"}},
            _section(f"*Done automatically:* {what}"),
            _section(f"*{request.state.value.capitalize()}:* {result}"),
            _context(f"Approved by `{request.decided_by}` under the auto-remediation policy; request `{request.id}`."),
        ]
        if outcome.undo is not None:
            out.append(
                {
                    "type": "actions",
                    "block_id": f"undo:{request.id}",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": UNDO_ACTION,
                            "text": {"type": "plain_text", "text": f"Undo ({outcome.undo.describe()})"},
                            "value": request.id,
                        }
                    ],
                }
            )
        return text, out
    approval = blocks.approval_blocks(request)
    if outcome.brake:
        approval.insert(len(approval) - 1, _context(f"Not run automatically: {outcome.brake}."))
    return f"Approval needed: {what}", approval


@dataclass
class RuleOutcomePoster:
    """The scheduled rule job: evaluate the rules at ``now`` and post each new outcome to ``channel``."""

    job: RuleActionJob
    notifier: Notifier | None
    channel: str | None

    def __call__(self, now: datetime) -> int:
        """Run the rules; returns how many outcomes were posted."""
        outcomes = [o for o in self.job.run_with_outcomes(now) if not o.repeat]
        if self.notifier is None or self.channel is None:
            return 0
        posted = 0
        for outcome in outcomes:
            text, message = outcome_message(outcome)
            try:
                ts = self._post(self.notifier, self.channel, text, message)
            except NotifierUnavailable as exc:
                # The action and its audit entry stand; only the Slack message is missing.
                log.error("rule_outcome_not_posted", rule=outcome.rule, error=str(exc))
                continue
            posted += 1
            request = outcome.request
            if ts and request is not None and request.state is ApprovalState.PENDING:
                # Only an approval request's message: an automatic action's shows its result and Undo.
                remember_shown(self.job.remediation, request.id, channel=self.channel, ts=ts)
        return posted

    @staticmethod
    def _post(notifier: Notifier, channel: str, text: str, message: list[dict[str, Any]]) -> str | None:
        """Post the outcome; its ts when the notifier gives one back (the chat port does)."""
        if isinstance(notifier, ChatMessages):
            return notifier.post_message(channel=channel, text=text, blocks=message)
        notifier.post(channel, text, message)
        return None
