"""The approval expiry sweep: expire overdue requests, and take the buttons off their messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog

from bot.jobs.chat import ChatMessages
from bot.slack.approval_messages import outcome_text, refresh_shown
from remediation.approval import ApprovalRequest
from remediation.service import RemediationService

log = structlog.get_logger(__name__)


@dataclass
class ApprovalExpiryJob:
    """Each tick: every pending request past its expiry becomes EXPIRED, and its messages say "expired at HH:MM".

    Args:
        remediation: the service that owns the requests.
        chat: where the approval messages are updated (None: the requests expire, messages stay).
    """

    remediation: RemediationService
    chat: ChatMessages | None = None

    def __call__(self, now: datetime) -> list[ApprovalRequest]:  # noqa: ARG002 - the service reads its own clock
        """Expire what is due; returns the requests this tick expired."""
        expired = self.remediation.expire_due()
        chat = self.chat
        for request in expired:
            if chat is None:
                continue
            updated = refresh_shown(
                lambda channel, ts, text, blocks: chat.update_message(channel=channel, ts=ts, text=text, blocks=blocks),
                request,
                outcome_text(request),
            )
            log.info("approval_expired", request_id=request.id, messages_updated=updated)
        return expired
