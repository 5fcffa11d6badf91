"""Remediation requests in the router's words: what waits, what became of one, what was requested. Pure."""

from __future__ import annotations

from remediation.approval import ApprovalState
from tools.formatting import minute
from tools.remediation import PendingApprovals, RequestedRemediation, RequestOutcome


def approvals_text(d: PendingApprovals) -> str:
    """The requests waiting, and what became of the one asked about by id."""
    asked = _outcome(d.asked) if d.asked else ""
    if d.asked_unknown:
        asked = f"No request has the id {d.asked_unknown}."
    if not d.pending:
        waiting = "Nothing is waiting for approval."
    else:
        rows = [
            f"{r.approval_id}: {r.action} requested by {r.requested_by}, "
            f"{r.approvals} of {r.approvals_needed} approvals, expires {minute(r.expires)}"
            for r in d.pending
        ]
        waiting = "Waiting for approval:\n" + "\n".join(rows)
    return f"{asked}\n{waiting}" if asked else waiting


#: What became of a request, by its state: the words after "Request <id> (<action>, asked by <user>)".
_OUTCOMES = {
    ApprovalState.PENDING: "is waiting for approval until {expires}",
    ApprovalState.APPROVED: "was approved by {who} at {updated} and is about to run",
    ApprovalState.EXECUTING: "was approved by {who} and is running",
    ApprovalState.SUCCEEDED: "was approved by {who} and ran at {updated}",
    ApprovalState.FAILED: "was approved by {who} and failed at {updated}",
    ApprovalState.REJECTED: "was rejected by {who} at {updated}; nothing ran",
    ApprovalState.EXPIRED: "expired at {expires} without approval; nothing ran",
    ApprovalState.CANCELLED: "was cancelled by {who} at {updated}; nothing ran",
}


def _outcome(r: RequestOutcome) -> str:
    text = _OUTCOMES[r.state].format(
        who=r.decided_by or "someone", updated=minute(r.updated), expires=minute(r.expires)
    )
    result = f" ({r.result})" if r.result and r.state in (ApprovalState.SUCCEEDED, ApprovalState.FAILED) else ""
    return f"Request {r.approval_id} ({r.action}, asked by {r.requested_by}) {text}{result}."


def remediation_text(d: RequestedRemediation) -> str:
    """The request made, its dry run, and what it waits for."""
    need = d.approvals_needed
    who = "an approver approves" if need == 1 else f"{need} approvers approve"
    return (
        f"Requested: {d.action} (request {d.approval_id}). Dry run: {d.dry_run}. "
        f"Nothing runs until {who}; the request expires at {minute(d.expires)}."
    )
