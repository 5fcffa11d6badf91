"""RemediationService: request, approve, reject, expire and execute actions, auditing every step."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from domain.errors import (
    ActionNotAllowed,
    ApprovalExpired,
    ApprovalNotFound,
    AuditWriteFailed,
    CloudActionFailed,
    InvalidTransition,
    NotAllowedToApprove,
)
from domain.ports import Clock, JobLeases
from remediation.actions import ActionCall, ActionLimits, ActionName, check_restart_targets, plan_scale, restart_targets
from remediation.approval import ApprovalRequest, ApprovalState
from remediation.policy import ApprovalPolicy
from remediation.ports import ApprovalStore, AuditEvent, AuditSink, CloudActions

_CAS_ATTEMPTS = 8
#: Approvals made by the automatic-remediation policy are recorded as ``policy:<rule>``.
POLICY_PREFIX = "policy:"
_TERMINAL_COMMAND_STATES = frozenset({"Success", "Failed", "Cancelled", "TimedOut", "Cancelling"})


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
    #: Shared locks (the scheduler's leases): two approved actions on the same group or instances
    #: run one after the other, so a scale-up never overwrites another's new capacity.
    locks: JobLeases | None = None
    lock_wait_seconds: float = 60.0

    def dry_run(self, call: ActionCall) -> str:
        """What ``call`` would change, from live state.

        Raises:
            ActionNotAllowed: the action would break a limit (MaxSize, step).
            CloudActionFailed: AWS could not be read.
        """
        if call.action is ActionName.RESTART_SERVICE:
            return check_restart_targets(call, self.cloud.describe_instances(restart_targets(call)))
        state = self.cloud.describe_group(str(call.params["group"]))
        return plan_scale(call, state, self.limits).summary(state)

    def request(self, call: ActionCall, requested_by: str, *, request_id: str | None = None) -> ApprovalRequest:
        """Create a pending approval request for ``call`` (nothing runs).

        Args:
            call: the validated action and its parameters.
            requested_by: the Slack user id (or ``rule:<name>``) asking.
            request_id: a caller-chosen id; asking again with the same id returns the stored
                request instead of creating a second one (one request per rule breach).

        Raises:
            ActionNotAllowed: the dry run refused the call (MaxSize, step, stopped instance).
            CloudActionFailed: AWS could not be read for the dry run.
            AuditWriteFailed: the request could not be audited, so it was not created.
        """
        if request_id is not None:
            existing = self.store.get(request_id)
            if existing is not None:
                return existing
        dry_run = self.dry_run(call)
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
        self._audit(request, "requested", actor=requested_by)
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
        request = self.store.get(request_id)
        if request is None:
            raise ApprovalNotFound(request_id)
        return request

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
        automatic = (original.decided_by or "").startswith(POLICY_PREFIX)
        if (
            original.state is not ApprovalState.SUCCEEDED
            or not automatic
            or original.call.action is not ActionName.SCALE_UP
        ):
            raise ActionNotAllowed("undo", "only a succeeded automatic scale-up can be undone")
        group = str(original.call.params["group"])
        current = self.cloud.describe_group(group).desired_capacity
        back = ActionCall(
            action=ActionName.SCALE_TO,
            params={"group": group, "desired": max(current - int(original.call.params["by"]), 0)},
        )
        undo = self.request(back, f"undo:{request_id}", request_id=f"undo-{request_id}")
        if undo.state is not ApprovalState.PENDING:
            return undo
        return self.approve(undo.id, user, user_groups)

    def _approve(
        self,
        request_id: str,
        user: str,
        user_groups: Collection[str],
        expected_fingerprint: str | None,
        *,
        by_policy: bool,
    ) -> ApprovalRequest:
        for _ in range(_CAS_ATTEMPTS):
            current = self.get(request_id)
            self._check_integrity(current, user, expected_fingerprint)
            now = self.clock.now()
            try:
                if not by_policy:
                    self.policy.check_approver(current, user, user_groups)
                if current.state is ApprovalState.EXPIRED:
                    raise ApprovalExpired(request_id)
                if current.state is ApprovalState.PENDING and current.is_expired(now):
                    self._expire(current)
                    raise ApprovalExpired(request_id)
                updated = current.approve(user, now)
            except NotAllowedToApprove as exc:
                self._audit(current, "refused", actor=user, error=exc.reason)
                raise
            if self.store.compare_and_set(current.version, updated):
                break
        else:
            raise InvalidTransition(request_id, "changing", ApprovalState.APPROVED.value)
        try:
            self._audit(updated, "approved", actor=user)
        except AuditWriteFailed as exc:
            if updated.state is ApprovalState.APPROVED:
                self._abort(updated, f"audit write failed, action not run: {exc}")
            raise
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
            self._audit(request, "refused", actor=user, error=reason)
            raise ActionNotAllowed(request.call.action.value, reason)

    def _abort(self, approved: ApprovalRequest, reason: str) -> None:
        """Close an approved request as FAILED without running it."""
        started = approved.start(self.clock.now())
        if self.store.compare_and_set(approved.version, started):
            self._finish(started, started.fail(reason, self.clock.now()))

    def reject(self, request_id: str, user: str, user_groups: Collection[str] = ()) -> ApprovalRequest:
        """Reject a pending request (an approver, or the requester withdrawing it)."""
        current = self.get(request_id)
        if user != current.requested_by:
            self.policy.check_approver(current, user, user_groups)
        updated = current.reject(user, self.clock.now())
        if not self.store.compare_and_set(current.version, updated):
            raise InvalidTransition(request_id, self.get(request_id).state.value, ApprovalState.REJECTED.value)
        self._audit(updated, "rejected", actor=user)
        return updated

    def cancel(self, request_id: str, user: str) -> ApprovalRequest:
        """Withdraw a pending request; only its requester may.

        Raises:
            NotAllowedToApprove: ``user`` is not the requester.
            InvalidTransition: the request is no longer pending.
        """
        current = self.get(request_id)
        if user != current.requested_by:
            raise NotAllowedToApprove(user, request_id, "only the requester can cancel a request")
        updated = current.cancel(user, self.clock.now())
        if not self.store.compare_and_set(current.version, updated):
            raise InvalidTransition(request_id, self.get(request_id).state.value, ApprovalState.CANCELLED.value)
        self._audit(updated, "cancelled", actor=user)
        return updated

    def expire_due(self) -> list[ApprovalRequest]:
        """Expire every pending request past its expiry time; returns the ones this call expired."""
        now = self.clock.now()
        expired = []
        for request in self.store.pending():
            if request.is_expired(now):
                done = self._expire(request)
                if done is not None:
                    expired.append(done)
        return expired

    def execute(self, request_id: str) -> ApprovalRequest:
        """Run an APPROVED request exactly once and record the outcome.

        The audit entry for ``executing`` is written before anything runs; if it cannot be
        written the action does not run.
        """
        current = self.get(request_id)
        started = current.start(self.clock.now())
        if not self.store.compare_and_set(current.version, started):
            raise InvalidTransition(request_id, self.get(request_id).state.value, ApprovalState.EXECUTING.value)
        if not started.parameters_intact():
            return self._finish(
                started, started.fail("the stored parameters do not match the approval fingerprint", self.clock.now())
            )
        try:
            self._audit(started, "executing", actor="smartcloudops")
        except AuditWriteFailed as exc:
            self._finish(started, started.fail(f"audit write failed, action not run: {exc}", self.clock.now()))
            raise
        try:
            with self._target_lock(started):
                result = self._run(started.call)
        except (CloudActionFailed, ActionNotAllowed) as exc:
            return self._finish(started, started.fail(str(exc), self.clock.now()))
        return self._finish(started, started.succeed(result, self.clock.now()))

    @contextmanager
    def _target_lock(self, request: ApprovalRequest) -> Iterator[None]:
        """Hold the lock of the request's target (group or instances) while it runs."""
        if self.locks is None:
            yield
            return
        key = f"target:{_target(request.call)}"
        ttl_ms = int((self.command_polls * self.poll_seconds + 60) * 1000)
        waited = 0.0
        while not self.locks.acquire(key, request.id, ttl_ms):
            if waited >= self.lock_wait_seconds:
                raise CloudActionFailed(
                    request.call.action.value, f"another action on {_target(request.call)} is still running"
                )
            self.sleep(0.2)
            waited += 0.2
        try:
            yield
        finally:
            self.locks.release(key, request.id)

    def _finish(self, started: ApprovalRequest, final: ApprovalRequest) -> ApprovalRequest:
        self.store.compare_and_set(started.version, final)
        self._audit(final, final.state.value, actor="smartcloudops", result=final.result, error=final.error)
        return final

    def _run(self, call: ActionCall) -> str:
        if call.action is ActionName.RESTART_SERVICE:
            return self._restart(call)
        group = str(call.params["group"])
        state = self.cloud.describe_group(group)
        plan = plan_scale(call, state, self.limits)
        self.cloud.set_desired_capacity(group, plan.new)
        return f"{group} desired capacity {plan.current} → {plan.new}"

    def _restart(self, call: ActionCall) -> str:
        """Send one SSM command per instance, then poll each until it ends (or polls run out)."""
        targets = restart_targets(call)
        # Live state again: the instances may have stopped since the request was made.
        check_restart_targets(call, self.cloud.describe_instances(targets))
        sent = [(t, self.cloud.send_restart(t, str(call.params["service"]))) for t in targets]
        outcome: dict[str, str] = {}
        for attempt in range(self.command_polls):
            for instance_id, command_id in sent:
                if outcome.get(instance_id) not in _TERMINAL_COMMAND_STATES:
                    outcome[instance_id] = self.cloud.command_status(command_id, instance_id)
            if all(status in _TERMINAL_COMMAND_STATES for status in outcome.values()):
                break
            if attempt + 1 < self.command_polls:
                self.sleep(self.poll_seconds)
        summary = "; ".join(f"{i}: command {c} {outcome[i]}" for i, c in sent)
        if any(status != "Success" for status in outcome.values()):
            raise CloudActionFailed("restart_service", summary)
        return summary

    def _expire(self, request: ApprovalRequest) -> ApprovalRequest | None:
        updated = request.expire(self.clock.now())
        if not self.store.compare_and_set(request.version, updated):
            return None
        self._audit(updated, "expired", actor="smartcloudops")
        return updated

    def _audit(
        self,
        request: ApprovalRequest,
        event: str,
        *,
        actor: str,
        result: str | None = None,
        error: str | None = None,
    ) -> None:
        self.audit.record(
            AuditEvent(
                timestamp=self.clock.now(),
                event=event,
                request_id=request.id,
                action=request.call.action.value,
                params=dict(request.call.params),
                requester=request.requested_by,
                actor=actor,
                approvers=request.approvers,
                dry_run=request.dry_run,
                result=result,
                error=error,
                target=_target(request.call),
                state=request.state.value,
            )
        )


def _target(call: ActionCall) -> str:
    """The instances or Auto Scaling group an action is about, for the audit log."""
    if call.action is ActionName.RESTART_SERVICE:
        return ",".join(restart_targets(call))
    return str(call.params.get("group", ""))
