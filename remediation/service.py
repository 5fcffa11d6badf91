"""RemediationService: request, approve, reject, expire and execute actions, auditing every step.

The workflow only: every state change goes through ``remediation.trail`` (compare-and-set plus
audit line), and running the cloud call is ``remediation.executor``'s.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.errors import (
    ActionNotAllowed,
    ApprovalExpired,
    AuditWriteFailed,
    CloudActionFailed,
    InvalidTransition,
    NotAllowedToApprove,
)
from domain.ports import Clock, JobLeases
from remediation.actions import ActionCall, ActionLimits
from remediation.approval import ApprovalRequest, ApprovalState, conflicting_request
from remediation.executor import ActionExecutor
from remediation.policy import ApprovalPolicy
from remediation.ports import ApprovalStore, AuditSink, CloudActions
from remediation.trail import SYSTEM_ACTOR, ApprovalTrail
from remediation.undo import POLICY_PREFIX, undo_call, undo_target

# A decision re-reads and re-applies itself this many times when another write of the request
# (where it is shown, another replica's step) got in between; the step refuses a decided request.
_CAS_ATTEMPTS = 8


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass
class RemediationService:
    """The only way an action runs: a stored request, approved per policy, executed once, audited."""

    store: ApprovalStore
    cloud: CloudActions
    audit: AuditSink
    policy: ApprovalPolicy
    limits: ActionLimits
    clock: Clock
    expiry: timedelta = timedelta(minutes=15)
    sleep: Callable[[float], None] = time.sleep
    new_id: Callable[[], str] = _new_id
    command_polls: int = 30
    poll_seconds: float = 2.0
    #: Shared locks (the scheduler's leases) held on an action's target while it runs.
    locks: JobLeases | None = None
    lock_wait_seconds: float = 60.0
    #: Called with each request that ran and succeeded, once its outcome is stored (the fix's check).
    on_succeeded: Callable[[ApprovalRequest], None] = lambda _request: None
    executor: ActionExecutor = field(init=False)
    trail: ApprovalTrail = field(init=False)

    def __post_init__(self) -> None:
        self.trail = ApprovalTrail(store=self.store, audit=self.audit, clock=self.clock, sleep=self.sleep)
        self.executor = ActionExecutor(
            cloud=self.cloud,
            limits=self.limits,
            sleep=self.sleep,
            command_polls=self.command_polls,
            poll_seconds=self.poll_seconds,
            locks=self.locks,
            lock_wait_seconds=self.lock_wait_seconds,
        )

    def dry_run(self, call: ActionCall) -> str:
        """What ``call`` would change, from live state.

        Raises:
            ActionNotAllowed: the action would break a limit (MaxSize, step).
            CloudActionFailed: AWS could not be read.
        """
        return self.executor.dry_run(call)

    def request(
        self, call: ActionCall, requested_by: str, *, request_id: str | None = None, one_per_target: bool = False
    ) -> ApprovalRequest:
        """Create a pending approval request for ``call`` (nothing runs).

        Args:
            call: the validated action and its parameters.
            requested_by: the Slack user id (or ``rule:<name>``) asking.
            request_id: a caller-chosen id; asking again with the same id returns the stored
                request instead of creating a second one (one request per rule breach).
            one_per_target: refuse ``call`` while another pending request acts on its target.

        Raises:
            ActionNotAllowed: the dry run refused the call (MaxSize, step, stopped instance), or
                (``one_per_target``) the pending request it names acts on the same target.
            CloudActionFailed: AWS could not be read for the dry run.
            AuditWriteFailed: the request could not be audited, so it was not created.
        """
        if request_id is not None:
            existing = self.store.get(request_id)
            if existing is not None:
                return existing
        # The dry run first: a call that could never run (above MaxSize) is told so, not that another waits.
        dry_run = self.dry_run(call)
        other = conflicting_request(call, self.store.pending(), self.clock.now()) if one_per_target else None
        if other is not None:
            raise ActionNotAllowed(call.action.value, f"request `{other.id}` is already waiting for approval")
        now = self.clock.now()
        request = ApprovalRequest(
            id=request_id or self.new_id(),
            call=call,
            fingerprint=call.fingerprint(),
            requested_by=requested_by,
            requested_at=now,
            expires_at=now + self.expiry,
            required_approvals=self.policy.required_approvals(call),
            dry_run=dry_run,
            updated_at=now,
        )
        self.trail.record(request, "requested", actor=requested_by)
        try:
            self.store.add(request)
        except ValueError:
            # Another replica stored the same breach's request a moment earlier: that one stands.
            existing = self.store.get(request.id) if request_id is not None else None
            if existing is None:
                raise
            return existing
        return request

    def get(self, request_id: str) -> ApprovalRequest:
        """The stored request.

        Raises:
            ApprovalNotFound: no such request.
        """
        return self.trail.get(request_id)

    def approve(
        self,
        request_id: str,
        user: str,
        user_groups: Collection[str] = (),
        *,
        expected_fingerprint: str | None = None,
    ) -> ApprovalRequest:
        """Record ``user``'s approval; when the quorum is met, execute the stored call once.

        Only the stored call runs: nothing from the click is used but the request id, and
        ``expected_fingerprint`` (when the caller has it, e.g. from the button) must match it.

        Returns:
            The request after this approval (SUCCEEDED or FAILED once it ran, PENDING while
            more approvals are needed).

        Raises:
            NotAllowedToApprove, ApprovalExpired, InvalidTransition, ActionNotAllowed.
        """
        return self._approve(request_id, user, user_groups, expected_fingerprint, by_policy=False)

    def approve_by_policy(self, request_id: str, rule: str) -> ApprovalRequest:
        """Approve as ``policy:<rule>`` for automatic remediation, and run the request once.

        The request goes through the same state machine, compare-and-set and audit log as a
        person's approval; only the approver list is not consulted, since the decision was made
        by the automatic-remediation policy and its brakes (``remediation.brakes``).
        """
        return self._approve(request_id, f"{POLICY_PREFIX}{rule}", (), None, by_policy=True)

    def undo(self, request_id: str, user: str, user_groups: Collection[str] = ()) -> ApprovalRequest:
        """Undo an automatic scale-up: scale the group back down by what it added, approved by ``user``.

        The undo is a request of its own (``undo-<id>``, requested by ``undo:<id>``) that ``user``
        approves, so it is checked against the approver list, runs once, and is audited.

        Raises:
            ActionNotAllowed: the request is not a succeeded automatic scale-up.
            NotAllowedToApprove: ``user`` may not approve the scale-down.
        """
        original = self.get(request_id)
        back = undo_call(original, desired_now=self.cloud.describe_group(undo_target(original)).desired_capacity)
        undo = self.request(back, f"undo:{request_id}", request_id=f"undo-{request_id}")
        return undo if undo.state is not ApprovalState.PENDING else self.approve(undo.id, user, user_groups)

    def _approve(
        self,
        request_id: str,
        user: str,
        user_groups: Collection[str],
        expected_fingerprint: str | None,
        *,
        by_policy: bool,
    ) -> ApprovalRequest:
        def step(current: ApprovalRequest, now: datetime) -> ApprovalRequest:
            self._check_integrity(current, user, expected_fingerprint)
            try:
                if not by_policy:
                    self.policy.check_approver(current, user, user_groups)
                if current.state is ApprovalState.EXPIRED:
                    raise ApprovalExpired(request_id)
                if current.state is ApprovalState.PENDING and current.is_expired(now):
                    self._expire(current)
                    raise ApprovalExpired(request_id)
                return current.approve(user, now)
            except NotAllowedToApprove as exc:
                self.trail.record(current, "refused", actor=user, error=exc.reason)
                raise

        def not_audited(updated: ApprovalRequest, exc: AuditWriteFailed) -> None:
            if updated.state is ApprovalState.APPROVED:
                self._abort(updated, f"audit write failed, action not run: {exc}")

        updated = self.trail.transition(
            request_id, step, event="approved", actor=user, attempts=_CAS_ATTEMPTS, on_audit_failure=not_audited
        )
        if updated is None:
            raise InvalidTransition(request_id, "changing", ApprovalState.APPROVED.value)
        if updated.state is ApprovalState.APPROVED:
            return self.execute(request_id)
        return updated

    def _check_integrity(self, request: ApprovalRequest, user: str, expected_fingerprint: str | None) -> None:
        """Refuse a request whose stored call no longer matches what was requested (and audit it)."""
        reason = None
        if not request.parameters_intact():
            reason = "the stored parameters do not match the approval fingerprint; refusing to run them"
        elif expected_fingerprint is not None and expected_fingerprint != request.fingerprint:
            reason = "the approval button does not match the stored request; refusing to run it"
        if reason is not None:
            self.trail.record(request, "refused", actor=user, error=reason)
            raise ActionNotAllowed(request.call.action.value, reason)

    def _abort(self, approved: ApprovalRequest, reason: str) -> None:
        """Close an approved request as FAILED without running it."""
        started = self.trail.transition(approved, lambda r, now: r.start(now))
        if started is not None:
            self.trail.finish(started, started.fail(reason, self.clock.now()))

    def reject(self, request_id: str, user: str, user_groups: Collection[str] = ()) -> ApprovalRequest:
        """Reject a pending request (an approver, or the requester withdrawing it)."""
        current = self.get(request_id)
        if user != current.requested_by:
            self.policy.check_approver(current, user, user_groups)
        updated = self.trail.transition(
            current, lambda r, now: r.reject(user, now), event="rejected", actor=user, attempts=_CAS_ATTEMPTS
        )
        return updated or self.trail.lost(request_id, ApprovalState.REJECTED)

    def cancel(self, request_id: str, user: str) -> ApprovalRequest:
        """Withdraw a pending request; only its requester may.

        Raises:
            NotAllowedToApprove: ``user`` is not the requester.
            InvalidTransition: the request is no longer pending.
        """
        current = self.get(request_id)
        if user != current.requested_by:
            raise NotAllowedToApprove(user, request_id, "only the requester can cancel a request")
        updated = self.trail.transition(
            current, lambda r, now: r.cancel(user, now), event="cancelled", actor=user, attempts=_CAS_ATTEMPTS
        )
        return updated or self.trail.lost(request_id, ApprovalState.CANCELLED)

    def expire_due(self) -> list[ApprovalRequest]:
        """Expire every pending request past its expiry time; returns the ones this call expired."""
        now = self.clock.now()
        expired = (self._expire(request) for request in self.store.pending() if request.is_expired(now))
        return [done for done in expired if done is not None]

    def _expire(self, request: ApprovalRequest) -> ApprovalRequest | None:
        return self.trail.transition(request, lambda r, now: r.expire(now), event="expired", actor=SYSTEM_ACTOR)

    def execute(self, request_id: str) -> ApprovalRequest:
        """Run an APPROVED request exactly once and record the outcome.

        The audit entry for ``executing`` is written before anything runs; if it cannot be
        written the action does not run.

        Raises:
            InvalidTransition: the request is not approved (or another replica started it).
            OutcomeNotStored: the action ran but its outcome could not be stored (it is audited).
        """
        started = self.trail.transition(self.get(request_id), lambda r, now: r.start(now))
        if started is None:
            return self.trail.lost(request_id, ApprovalState.EXECUTING)
        if not started.parameters_intact():
            return self.trail.finish(
                started, started.fail("the stored parameters do not match the approval fingerprint", self.clock.now())
            )
        try:
            self.trail.record(started, "executing", actor=SYSTEM_ACTOR)
        except AuditWriteFailed as exc:
            self.trail.finish(started, started.fail(f"audit write failed, action not run: {exc}", self.clock.now()))
            raise
        try:
            result = self.executor.run(started.call, holder=started.id)
        except (CloudActionFailed, ActionNotAllowed) as exc:
            return self.trail.finish(started, started.fail(str(exc), self.clock.now()))
        done = self.trail.finish(started, started.succeed(result, self.clock.now()))
        if done.state is ApprovalState.SUCCEEDED:
            self.on_succeeded(done)
        return done
