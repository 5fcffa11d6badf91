"""The approval state machine, pure.

``PENDING → APPROVED → EXECUTING → SUCCEEDED | FAILED`` and
``PENDING → REJECTED | EXPIRED | CANCELLED``. Each transition is a method that returns
the next request (with ``version`` + 1) or raises ``InvalidTransition``; the stored
request only changes through an atomic compare-and-set on that version.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.errors import ApprovalExpired, InvalidTransition, NotAllowedToApprove
from remediation.actions import ActionCall, ActionName, restart_targets


class ApprovalState(StrEnum):
    """Where a request is in its life."""

    PENDING = "pending"
    APPROVED = "approved"
    EXECUTING = "executing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Approval(BaseModel):
    """One person's approval."""

    model_config = ConfigDict(frozen=True)

    user: str
    at: datetime


class ShownIn(BaseModel):
    """A chat message showing a request (a Slack channel and message ts), so it can follow the request."""

    model_config = ConfigDict(frozen=True)

    channel: str
    ts: str


def call_targets(call: ActionCall) -> frozenset[str]:
    """What ``call`` acts on (``group:web-asg``, ``instance:i-0abc``); two calls on one target conflict."""
    if call.action is ActionName.RESTART_SERVICE:
        return frozenset(f"instance:{i}" for i in restart_targets(call))
    return frozenset({f"group:{call.params['group']}"})


def conflicting_request(call: ActionCall, pending: Iterable[ApprovalRequest], now: datetime) -> ApprovalRequest | None:
    """The first unexpired pending request that acts on one of ``call``'s targets, if any."""
    targets = call_targets(call)
    return next((r for r in pending if not r.is_expired(now) and call_targets(r.call) & targets), None)


class ApprovalRequest(BaseModel):
    """A remediation waiting for, or past, its approval."""

    model_config = ConfigDict(frozen=True)

    id: str
    call: ActionCall
    fingerprint: str
    requested_by: str
    requested_at: datetime
    expires_at: datetime
    required_approvals: int = 1
    state: ApprovalState = ApprovalState.PENDING
    approvals: tuple[Approval, ...] = ()
    decided_by: str | None = None
    dry_run: str = ""
    result: str | None = None
    error: str | None = None
    updated_at: datetime
    version: int = 0
    #: The messages that show this request; they are updated when it is decided, cancelled or expires.
    shown_in: tuple[ShownIn, ...] = ()

    @property
    def approvers(self) -> tuple[str, ...]:
        """Users who approved, in order."""
        return tuple(a.user for a in self.approvals)

    def is_expired(self, now: datetime) -> bool:
        """True once the request can no longer be approved."""
        return now >= self.expires_at

    def parameters_intact(self) -> bool:
        """True when the stored call still matches the fingerprint taken at request time."""
        return self.call.fingerprint() == self.fingerprint

    def _next(self, state: ApprovalState, now: datetime, **changes: object) -> ApprovalRequest:
        return self.model_copy(update={"state": state, "updated_at": now, "version": self.version + 1, **changes})

    def _require(self, target: ApprovalState, *allowed: ApprovalState) -> None:
        if self.state not in allowed:
            raise InvalidTransition(self.id, self.state.value, target.value)

    def approve(self, user: str, now: datetime) -> ApprovalRequest:
        """Add ``user``'s approval; the request becomes APPROVED when the quorum is met.

        Raises:
            InvalidTransition: the request is not pending.
            ApprovalExpired: the request has expired.
            NotAllowedToApprove: self-approval or a second approval by the same user.
        """
        self._require(ApprovalState.APPROVED, ApprovalState.PENDING)
        if self.is_expired(now):
            raise ApprovalExpired(self.id)
        if user == self.requested_by:
            raise NotAllowedToApprove(user, self.id, "you requested this action, so someone else has to approve it")
        if user in self.approvers:
            raise NotAllowedToApprove(user, self.id, "you have already approved this request")
        approvals = (*self.approvals, Approval(user=user, at=now))
        state = ApprovalState.APPROVED if len(approvals) >= self.required_approvals else ApprovalState.PENDING
        decided = user if state is ApprovalState.APPROVED else None
        return self._next(state, now, approvals=approvals, decided_by=decided)

    def reject(self, user: str, now: datetime) -> ApprovalRequest:
        """Reject a pending request."""
        self._require(ApprovalState.REJECTED, ApprovalState.PENDING)
        return self._next(ApprovalState.REJECTED, now, decided_by=user)

    def expire(self, now: datetime) -> ApprovalRequest:
        """Mark a pending request expired; only once its expiry time has passed."""
        self._require(ApprovalState.EXPIRED, ApprovalState.PENDING)
        if not self.is_expired(now):
            raise InvalidTransition(self.id, self.state.value, ApprovalState.EXPIRED.value)
        return self._next(ApprovalState.EXPIRED, now)

    def cancel(self, user: str, now: datetime) -> ApprovalRequest:
        """Withdraw a pending request."""
        self._require(ApprovalState.CANCELLED, ApprovalState.PENDING)
        return self._next(ApprovalState.CANCELLED, now, decided_by=user)

    def shown(self, channel: str, ts: str, now: datetime) -> ApprovalRequest:
        """Remember a message that shows the request, in any state (the state does not change)."""
        place = ShownIn(channel=channel, ts=ts)
        if place in self.shown_in:
            return self
        return self.model_copy(
            update={"shown_in": (*self.shown_in, place), "updated_at": now, "version": self.version + 1}
        )

    def start(self, now: datetime) -> ApprovalRequest:
        """Begin execution of an approved request."""
        self._require(ApprovalState.EXECUTING, ApprovalState.APPROVED)
        return self._next(ApprovalState.EXECUTING, now)

    def succeed(self, result: str, now: datetime) -> ApprovalRequest:
        """Record a successful execution."""
        self._require(ApprovalState.SUCCEEDED, ApprovalState.EXECUTING)
        return self._next(ApprovalState.SUCCEEDED, now, result=result)

    def fail(self, error: str, now: datetime) -> ApprovalRequest:
        """Record a failed execution."""
        self._require(ApprovalState.FAILED, ApprovalState.EXECUTING)
        return self._next(ApprovalState.FAILED, now, error=error)
