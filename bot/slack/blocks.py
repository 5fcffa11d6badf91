"""Block Kit rendering, pure: domain objects in, Slack block dicts out."""

from __future__ import annotations

from typing import Any

from bot.slack import messages
from bot.slack.mrkdwn import SECTION_LIMIT, cut_lines, escape, mention
from remediation.actions import ActionName, restart_targets
from remediation.approval import ApprovalRequest

APPROVE_ACTION = "approval_approve"
REJECT_ACTION = "approval_reject"
CANCEL_ACTION = "approval_cancel"
#: Every block of a request's section has this block_id, or it followed by ``:<part>``.
APPROVAL_BLOCK = "approval:{id}"


def text_blocks(text: str) -> list[dict[str, Any]]:
    """An answer from outside the bot (tool output, model prose) as one section: escaped, cut at a line."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": cut_lines(escape(text))}}]


def answer_blocks(text: str, *, header: str | None = None) -> list[dict[str, Any]]:
    """An answer, with an optional context line above it (who asked what, built by ``messages.asked``)."""
    out: list[dict[str, Any]] = []
    if header:
        out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": header[:SECTION_LIMIT]}]})
    return out + text_blocks(text)


def working_blocks(*, header: str | None = None) -> list[dict[str, Any]]:
    """The placeholder shown until the answer replaces it."""
    return answer_blocks(messages.WORKING, header=header)


def is_risky(request: ApprovalRequest) -> bool:
    """Approve asks "are you sure?" first: several approvers, an absolute capacity, or restarts on several hosts."""
    if request.required_approvals > 1 or request.call.action is ActionName.SCALE_TO:
        return True
    return request.call.action is ActionName.RESTART_SERVICE and len(restart_targets(request.call)) > 1


def _block_id(request: ApprovalRequest, part: str) -> str:
    return f"{APPROVAL_BLOCK.format(id=request.id)}:{part}"


def _button(action_id: str, label: str, request: ApprovalRequest, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label},
        "value": request.id,
    }
    if style:
        button["style"] = style
    return button


def _approve_button(request: ApprovalRequest) -> dict[str, Any]:
    button = _button(APPROVE_ACTION, "Approve", request, "primary")
    if is_risky(request):
        button["confirm"] = {
            "title": {"type": "plain_text", "text": "Run this remediation?"},
            "text": {
                "type": "mrkdwn",
                "text": cut_lines(f"*{escape(request.call.describe())}*\n{escape(request.dry_run)}"),
            },
            "confirm": {"type": "plain_text", "text": "Approve"},
            "deny": {"type": "plain_text", "text": "Not yet"},
            "style": "danger",
        }
    return button


def _what(request: ApprovalRequest) -> list[dict[str, Any]]:
    describe = escape(request.call.describe())
    dry_run = cut_lines(f"*Dry run:* {escape(request.dry_run)}")
    return [
        {
            "type": "section",
            "block_id": _block_id(request, "call"),
            "text": {"type": "mrkdwn", "text": f"*{describe}*"},
        },
        {"type": "section", "block_id": _block_id(request, "dry_run"), "text": {"type": "mrkdwn", "text": dry_run}},
    ]


def approval_blocks(request: ApprovalRequest, *, warning: str | None = None) -> list[dict[str, Any]]:
    """The approval message: what will run, the dry run, requester, expiry, and Approve, Reject and Cancel.

    Every block's ``block_id`` starts with ``approval:<id>``, so one request's section of a
    message listing several can be replaced alone (``replace_section``).

    Args:
        warning: shown above the buttons (e.g. that nobody is configured to approve this action).
    """
    needed = request.required_approvals - len(request.approvals)
    fields = [
        {"type": "mrkdwn", "text": f"*Requested by*\n{mention(request.requested_by)}"},
        {"type": "mrkdwn", "text": f"*Expires*\n{request.expires_at.strftime('%Y-%m-%d %H:%M UTC')}"},
        {"type": "mrkdwn", "text": f"*Approvals needed*\n{max(needed, 0)} of {request.required_approvals}"},
        {"type": "mrkdwn", "text": f"*Request*\n`{escape(request.id)}`"},
    ]
    title = {"type": "plain_text", "text": "Remediation awaiting approval"}
    notes = [
        {
            "type": "context",
            "block_id": _block_id(request, "warning"),
            "elements": [{"type": "mrkdwn", "text": warning}],
        }
    ]
    return [
        {"type": "header", "block_id": _block_id(request, "header"), "text": title},
        *_what(request),
        {"type": "section", "block_id": _block_id(request, "fields"), "fields": fields},
        *(notes if warning else []),
        {
            "type": "actions",
            "block_id": APPROVAL_BLOCK.format(id=request.id),
            "elements": [
                _approve_button(request),
                _button(REJECT_ACTION, "Reject", request, "danger"),
                _button(CANCEL_ACTION, "Cancel request", request),
            ],
        },
    ]


def decided_blocks(request: ApprovalRequest, outcome: str) -> list[dict[str, Any]]:
    """The approval message once decided, cancelled or expired: no buttons; who asked, who approved, the outcome.

    Args:
        outcome: a sentence from ``messages`` (its mentions are meant).
    """
    approvers = ", ".join(mention(a.user) for a in request.approvals) or "nobody"
    fields = [
        {"type": "mrkdwn", "text": f"*Requested by*\n{mention(request.requested_by)}"},
        {"type": "mrkdwn", "text": f"*Approved by*\n{approvers}"},
        {"type": "mrkdwn", "text": f"*State*\n{request.state.value}"},
        {"type": "mrkdwn", "text": f"*Request*\n`{escape(request.id)}`"},
    ]
    return [
        *_what(request),
        {"type": "section", "block_id": _block_id(request, "fields"), "fields": fields},
        {
            "type": "section",
            "block_id": _block_id(request, "outcome"),
            "text": {"type": "mrkdwn", "text": outcome[:SECTION_LIMIT]},
        },
    ]


def _in_section(block: dict[str, Any], request_id: str) -> bool:
    block_id = str(block.get("block_id", ""))
    own = APPROVAL_BLOCK.format(id=request_id)
    return block_id == own or block_id.startswith(f"{own}:")


def replace_section(
    shown: list[dict[str, Any]], request_id: str, new_blocks: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``shown`` (a message's blocks) with request ``request_id``'s blocks replaced by ``new_blocks``.

    The other requests of an approve-list keep their blocks and buttons; a message without the
    request's blocks becomes ``new_blocks``.
    """
    first = next((i for i, b in enumerate(shown) if _in_section(b, request_id)), None)
    if first is None:
        return new_blocks
    rest = [b for b in shown[first:] if not _in_section(b, request_id)]
    return [*shown[:first], *new_blocks, *rest]
