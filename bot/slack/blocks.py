"""Block Kit rendering, pure: domain objects in, Slack block dicts out."""

from __future__ import annotations

from typing import Any

from bot.slack import messages
from remediation.approval import ApprovalRequest

APPROVE_ACTION = "approval_approve"
REJECT_ACTION = "approval_reject"


def text_blocks(text: str) -> list[dict[str, Any]]:
    """A plain answer as one section (Slack's limit is 3,000 characters per text object)."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}]


def answer_blocks(text: str, *, header: str | None = None) -> list[dict[str, Any]]:
    """An answer, with an optional context line above it (who asked what)."""
    out: list[dict[str, Any]] = []
    if header:
        out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": header[:2900]}]})
    return out + text_blocks(text)


def working_blocks(*, header: str | None = None) -> list[dict[str, Any]]:
    """The placeholder shown until the answer replaces it."""
    return answer_blocks(messages.WORKING, header=header)


def approval_blocks(request: ApprovalRequest, *, warning: str | None = None) -> list[dict[str, Any]]:
    """The approval message: what will run, the dry run, requester, expiry, and the two buttons.

    Args:
        warning: shown above the buttons (e.g. that nobody is configured to approve this action).
    """
    needed = request.required_approvals - len(request.approvals)
    fields = [
        {"type": "mrkdwn", "text": f"*Requested by*\n<@{request.requested_by}>"},
        {"type": "mrkdwn", "text": f"*Expires*\n{request.expires_at.strftime('%Y-%m-%d %H:%M UTC')}"},
        {"type": "mrkdwn", "text": f"*Approvals needed*\n{max(needed, 0)} of {request.required_approvals}"},
        {"type": "mrkdwn", "text": f"*Request*\n`{request.id}`"},
    ]
    return [
        {"type": "header", "text": {"type": "plain_text", "text": "Remediation awaiting approval"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{request.call.describe()}*"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Dry run:* {request.dry_run}"}},
        {"type": "section", "fields": fields},
        *([{"type": "context", "elements": [{"type": "mrkdwn", "text": warning}]}] if warning else []),
        {
            "type": "actions",
            "block_id": f"approval:{request.id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": APPROVE_ACTION,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Approve"},
                    "value": request.id,
                },
                {
                    "type": "button",
                    "action_id": REJECT_ACTION,
                    "style": "danger",
                    "text": {"type": "plain_text", "text": "Reject"},
                    "value": request.id,
                },
            ],
        },
    ]


def decided_blocks(request: ApprovalRequest, outcome: str) -> list[dict[str, Any]]:
    """The approval message once decided: no buttons; requester, approvers and the outcome instead."""
    approvers = ", ".join(f"<@{a.user}>" for a in request.approvals) or "nobody"
    fields = [
        {"type": "mrkdwn", "text": f"*Requested by*\n<@{request.requested_by}>"},
        {"type": "mrkdwn", "text": f"*Approved by*\n{approvers}"},
        {"type": "mrkdwn", "text": f"*State*\n{request.state.value}"},
        {"type": "mrkdwn", "text": f"*Request*\n`{request.id}`"},
    ]
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{request.call.describe()}*"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Dry run:* {request.dry_run}"[:2900]}},
        {"type": "section", "fields": fields},
        {"type": "section", "text": {"type": "mrkdwn", "text": outcome[:2900]}},
    ]
