"""The messages that show an approval request: remembered when posted, and kept in step with the request.

A request remembers its own approval messages (``ApprovalRequest.shown_in``), so whoever moves
it (a click, ``/ops cancel``, the expiry job) can update every one of them; a message listing
several requests (``/ops approve-list``) is updated one section at a time from the click instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog

from bot.slack import blocks, messages
from domain.errors import NotifierUnavailable, OpsError
from remediation.approval import ApprovalRequest, ApprovalState, ShownIn
from remediation.service import RemediationService

log = structlog.get_logger(__name__)

#: Replaces one posted message: ``(channel, ts, text, blocks)``.
UpdateMessage = Callable[[str, str, str, list[dict[str, Any]]], None]


def outcome_text(request: ApprovalRequest, user: str | None = None) -> str:
    """What the approval message says once ``request`` reached its state (``user`` made the last change). Pure."""
    by = user or request.decided_by or "system"
    if request.state is ApprovalState.REJECTED:
        return messages.approval_rejected(by)
    if request.state is ApprovalState.EXPIRED:
        return messages.approval_expired(request.updated_at)
    if request.state is ApprovalState.CANCELLED:
        return messages.approval_cancelled(by)
    if request.state is ApprovalState.PENDING:
        return messages.approval_waiting(by, request.required_approvals - len(request.approvals))
    if request.state is ApprovalState.FAILED:
        return messages.approval_failed(by, request.error or "unknown error")
    return messages.approval_done(by, request.result or request.state.value)


def current_blocks(request: ApprovalRequest, text: str) -> list[dict[str, Any]]:
    """The request's section as it should look now: live buttons while pending, the outcome once not."""
    if request.state is ApprovalState.PENDING:
        return blocks.approval_blocks(request)
    return blocks.decided_blocks(request, text)


def remember_shown(remediation: RemediationService, request_id: str, *, channel: str, ts: str) -> None:
    """Record that message ``ts`` in ``channel`` shows the request (a failure is logged: the message still works)."""
    try:
        remediation.trail.transition(request_id, lambda r, now: r.shown(channel, ts, now), attempts=8)
    except OpsError as exc:
        log.warning("approval_message_not_remembered", request_id=request_id, error=str(exc))


def refresh_shown(update: UpdateMessage, request: ApprovalRequest, text: str, *, skip: ShownIn | None = None) -> int:
    """Update every message that shows ``request`` (but ``skip``); returns how many were updated."""
    new_blocks = current_blocks(request, text)
    done = 0
    for place in request.shown_in:
        if place == skip:
            continue
        try:
            update(place.channel, place.ts, text, new_blocks)
        except NotifierUnavailable as exc:
            log.warning("approval_message_not_updated", request_id=request.id, channel=place.channel, error=str(exc))
            continue
        done += 1
    return done
