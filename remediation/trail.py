"""ApprovalTrail: every change of a stored approval request, and its line in the audit log.

A change takes one path (``transition``): read the stored request, apply a pure transition of
``remediation.approval``, compare-and-set it on the version read, audit it. The outcome of a
run (``finish``) is audited first and stored after, so a store outage never loses it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from domain.errors import ApprovalNotFound, AuditWriteFailed, InvalidTransition, OutcomeNotStored, StoreUnavailable
from domain.ports import Clock
from remediation.actions import action_target
from remediation.approval import ApprovalRequest, ApprovalState
from remediation.ports import ApprovalStore, AuditEvent, AuditSink

#: Who the audit log names for steps no person took (expiry, execution, outcomes).
SYSTEM_ACTOR = "smartcloudops"
#: Writes of an outcome the store refused with an error, and the pause before the first retry
#: (doubled after each): an action that ran must not be lost to one Redis blip.
_OUTCOME_WRITES = 4
_OUTCOME_BACKOFF_SECONDS = 0.1

Step = Callable[[ApprovalRequest, datetime], ApprovalRequest]


@dataclass
class ApprovalTrail:
    """The approval store and the audit log, written together."""

    store: ApprovalStore
    audit: AuditSink
    clock: Clock
    sleep: Callable[[float], None] = time.sleep

    def get(self, request_id: str) -> ApprovalRequest:
        """The stored request.

        Raises:
            ApprovalNotFound: no such request.
        """
        request = self.store.get(request_id)
        if request is None:
            raise ApprovalNotFound(request_id)
        return request

    def transition(
        self,
        request: ApprovalRequest | str,
        step: Step,
        *,
        event: str | None = None,
        actor: str = SYSTEM_ACTOR,
        attempts: int = 1,
        on_audit_failure: Callable[[ApprovalRequest, AuditWriteFailed], None] | None = None,
    ) -> ApprovalRequest | None:
        """Apply ``step`` to the stored request, compare-and-set the result, then audit ``event``.

        Args:
            request: the request as read, or its id to read it here.
            step: a pure transition of ``ApprovalRequest`` given the time; it raises to refuse.
            event: the audit event of the change (None: audited by the caller).
            actor: who made the change, for the audit log.
            attempts: how many times to re-read and re-apply when another writer got in between.
            on_audit_failure: called with the stored request when its audit line cannot be written,
                before ``AuditWriteFailed`` is raised.

        Returns:
            The stored request, or None when every compare-and-set lost.
        """
        current = self.get(request) if isinstance(request, str) else request
        for attempt in range(attempts):
            if attempt:
                current = self.get(current.id)
            updated = step(current, self.clock.now())
            if self.store.compare_and_set(current.version, updated):
                if event is not None:
                    try:
                        self.record(updated, event, actor=actor)
                    except AuditWriteFailed as exc:
                        if on_audit_failure is not None:
                            on_audit_failure(updated, exc)
                        raise
                return updated
        return None

    def lost(self, request_id: str, target: ApprovalState) -> NoReturn:
        """Refuse a change another writer made first.

        Raises:
            InvalidTransition: always, naming the state now stored.
        """
        raise InvalidTransition(request_id, self.get(request_id).state.value, target.value)

    def finish(self, started: ApprovalRequest, final: ApprovalRequest) -> ApprovalRequest:
        """Record the outcome of a run: the audit line first, then the store.

        Returns:
            The request as stored: ``final``, or what another writer stored instead (audited).

        Raises:
            AuditWriteFailed: the outcome's audit line could not be written (the store still was).
            OutcomeNotStored: the store kept failing, or lost the request (the outcome is audited).
        """
        audit_failure: AuditWriteFailed | None = None
        try:
            self.record(final, final.state.value, actor=SYSTEM_ACTOR, result=final.result, error=final.error)
        except AuditWriteFailed as exc:
            audit_failure = exc
        stored = self._store_outcome(started, final)
        if audit_failure is not None:
            raise audit_failure
        return stored

    def _store_outcome(self, started: ApprovalRequest, final: ApprovalRequest) -> ApprovalRequest:
        stored = self._write_outcome(started, final)
        if stored is final or (stored is not None and (stored.version, stored.state) == (final.version, final.state)):
            return stored
        if stored is None:
            reason = "the request is no longer in the store"
            self.record(final, "outcome_not_stored", actor=SYSTEM_ACTOR, error=reason)
            raise OutcomeNotStored(final.id, final.state.value, reason)
        # Another writer changed the request while it ran: report what is stored, audit the clash.
        reason = f"the request became {stored.state.value} while it ran; outcome {final.state.value} not stored"
        self.record(stored, "outcome_not_stored", actor=SYSTEM_ACTOR, error=reason)
        return stored

    def _write_outcome(self, started: ApprovalRequest, final: ApprovalRequest) -> ApprovalRequest | None:
        """Compare-and-set ``final``, retrying store errors with backoff; ``final``, or the request re-read."""
        pause, attempt = _OUTCOME_BACKOFF_SECONDS, 1
        while True:
            try:
                if self.store.compare_and_set(started.version, final):
                    return final
                return self.store.get(final.id)
            except StoreUnavailable as exc:
                if attempt == _OUTCOME_WRITES:
                    self.record(final, "outcome_not_stored", actor=SYSTEM_ACTOR, error=str(exc))
                    raise OutcomeNotStored(final.id, final.state.value, str(exc)) from exc
            self.sleep(pause)
            pause, attempt = pause * 2, attempt + 1

    def record(
        self,
        request: ApprovalRequest,
        event: str,
        *,
        actor: str,
        result: str | None = None,
        error: str | None = None,
    ) -> None:
        """Append one audit line about ``request``.

        Raises:
            AuditWriteFailed: the line could not be written durably.
        """
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
                target=action_target(request.call),
                state=request.state.value,
            )
        )
