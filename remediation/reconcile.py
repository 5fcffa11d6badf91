"""Finishing requests left ``executing``: a crash or a store outage between the cloud call and the outcome.

The audit log is the record of truth. A request the store still shows ``executing`` well after
its run could have ended (``stale_after``) is finished here:

1. the audit log already has its outcome (``succeeded``/``failed``: the store write was lost) →
   that outcome is stored;
2. a scaling call → the group is read: at the capacity the dry run planned it ``succeeded``; at
   the capacity it started from it ``failed`` (not applied); anything else is ``unknown``;
3. anything else (a restart whose SSM command ids were never recorded) is ``unknown``.

``unknown`` is stored as ``failed`` with an error that starts "outcome unknown", so nothing is
retried on the strength of it. Each decision gets a ``reconciled`` audit line, the outcome's own
audit line and store write (``ApprovalTrail.finish``), and a message where the request was shown.
The decision (``decide_outcome``) is pure; ``OutcomeReconciler`` does the reading and writing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import CloudActionFailed, OpsError
from domain.ports import Clock, Notifier
from remediation.actions import ActionName
from remediation.approval import ApprovalRequest, ApprovalState
from remediation.cloud_state import GroupState
from remediation.ports import ApprovalStore, AuditEvent, CloudActions
from remediation.trail import SYSTEM_ACTOR, ApprovalTrail

_PLANNED = re.compile(r"desired capacity (\d+) → (\d+)")
_OUTCOMES = frozenset({ApprovalState.SUCCEEDED.value, ApprovalState.FAILED.value})


class Verdict(StrEnum):
    """How a left-over run ended, as far as can be told."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Decision:
    """A verdict and the evidence it rests on."""

    verdict: Verdict
    reason: str


def unfinished_runs(events: Iterable[AuditEvent]) -> dict[str, AuditEvent | None]:
    """Request ids with an ``executing`` audit line → their audited outcome line, if any (the last wins)."""
    runs: dict[str, AuditEvent | None] = {}
    for event in events:
        if event.event == "executing":
            runs.setdefault(event.request_id, None)
        elif event.event in _OUTCOMES and event.request_id in runs:
            runs[event.request_id] = event
    return runs


def decide_outcome(request: ApprovalRequest, audited: AuditEvent | None, group: GroupState | None) -> Decision:
    """The outcome of a run left ``executing``, from its audited outcome or the live group. Pure.

    Args:
        request: the request as stored (``executing``).
        audited: its outcome line in the audit log, if one was written.
        group: the live state of its group (scaling calls), or None when unread or not a scaling call.
    """
    if audited is not None:
        verdict = Verdict.SUCCEEDED if audited.event == Verdict.SUCCEEDED.value else Verdict.FAILED
        return Decision(verdict, f"the audit log has its outcome: {audited.result or audited.error or audited.event}")
    if request.call.action is ActionName.RESTART_SERVICE:
        return Decision(Verdict.UNKNOWN, "no outcome was recorded and the SSM command ids are not known")
    planned = _PLANNED.search(request.dry_run)
    if group is None or planned is None:
        return Decision(Verdict.UNKNOWN, "no outcome was recorded and the group's planned capacity is not known")
    before, after = int(planned.group(1)), int(planned.group(2))
    now = group.desired_capacity
    if now == after:
        return Decision(Verdict.SUCCEEDED, f"{group.name} desired capacity is {now}, as planned ({before} → {after})")
    if now == before:
        return Decision(Verdict.FAILED, f"{group.name} desired capacity is still {now}: the change was not applied")
    return Decision(Verdict.UNKNOWN, f"{group.name} desired capacity is {now}; the plan was {before} → {after}")


@dataclass
class OutcomeReconciler:
    """Finishes the requests the store shows ``executing`` long after their run could have ended."""

    store: ApprovalStore
    cloud: CloudActions
    trail: ApprovalTrail
    clock: Clock
    #: The audit log's events, oldest first.
    audit_events: Callable[[], Iterable[AuditEvent]]
    #: A run still ``executing`` after this long has ended one way or another.
    stale_after: timedelta
    notifier: Notifier | None = None

    def run_once(self, now: datetime | None = None) -> list[ApprovalRequest]:
        """Reconcile every stale ``executing`` request; the requests as finished.

        Raises:
            StoreUnavailable: the store cannot be read (the next run tries again).
        """
        now = now or self.clock.now()
        finished: list[ApprovalRequest] = []
        for request_id, audited in unfinished_runs(self.audit_events()).items():
            request = self.store.get(request_id)
            if request is None or request.state is not ApprovalState.EXECUTING:
                continue
            if now - request.updated_at < self.stale_after:
                continue  # possibly still running on some replica
            finished.append(self._finish(request, decide_outcome(request, audited, self._group(request))))
        return finished

    def _group(self, request: ApprovalRequest) -> GroupState | None:
        if request.call.action is ActionName.RESTART_SERVICE:
            return None
        try:
            return self.cloud.describe_group(str(request.call.params["group"]))
        except CloudActionFailed:
            return None

    def _finish(self, request: ApprovalRequest, decision: Decision) -> ApprovalRequest:
        now = self.clock.now()
        self.trail.record(
            request, "reconciled", actor=SYSTEM_ACTOR, result=decision.verdict.value, error=decision.reason
        )
        if decision.verdict is Verdict.SUCCEEDED:
            final = request.succeed(f"reconciled: {decision.reason}", now)
        elif decision.verdict is Verdict.FAILED:
            final = request.fail(f"reconciled: {decision.reason}", now)
        else:
            final = request.fail(f"outcome unknown: {decision.reason}; check before retrying", now)
        stored = self.trail.finish(request, final)
        self._tell(stored, decision)
        return stored

    def _tell(self, request: ApprovalRequest, decision: Decision) -> None:
        if self.notifier is None:
            return
        text = (
            f"Request {request.id} ({request.call.describe()}) was left running and is now "
            f"*{decision.verdict.value}*: {decision.reason}."
        )
        for place in request.shown_in[:1]:
            try:
                self.notifier.post(place.channel, text)
            except OpsError:
                continue  # the audit line and the stored outcome are what count
