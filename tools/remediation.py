"""The remediation tool: it only creates a pending approval request. Nothing executes here."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.errors import ActionNotAllowed, ConfigError, InputError
from domain.models import ToolResult, ToolStatus
from remediation import actions
from remediation.actions import ActionCall, ActionName
from remediation.approval import ApprovalRequest, ApprovalState
from tools.context import ToolContext
from tools.hosts import resolve_state

REMEDIATION_OFF = (
    "remediation is not configured here, so nothing can be requested: set SCO_AWS__ENABLED=true "
    "(or SCO_AWS__ENDPOINT_URL) and the approvers to enable it"
)


class RemediationArgs(BaseModel):
    """Arguments of ``request_remediation``."""

    action: ActionName = Field(description="restart_service, scale_up or scale_to")
    service: str | None = Field(default=None, description="systemd service to restart (restart_service)")
    host: str | None = Field(default=None, description="host whose service to restart (restart_service)")
    group: str | None = Field(default=None, description="Auto Scaling group (scale_up, scale_to)")
    by: int | None = Field(default=None, description="instances to add (scale_up)")
    desired: int | None = Field(default=None, description="new desired capacity (scale_to)")


class RequestedRemediation(BaseModel):
    """``request_remediation``: the pending request made, what it would do, and until when it can be approved."""

    approval_id: str
    action: str
    #: What a dry run of the action reported (empty when none was made).
    dry_run: str = ""
    approvals_needed: int
    expires: datetime


class PendingApproval(BaseModel):
    """One request waiting for approval: what, who asked, approvals so far of those needed, when it expires."""

    approval_id: str
    action: str
    requested_by: str
    approvals: int
    approvals_needed: int
    expires: datetime
    dry_run: str = ""

    @classmethod
    def of(cls, request: ApprovalRequest) -> PendingApproval:
        """The pending request as a result row."""
        return cls(
            approval_id=request.id,
            action=request.call.describe(),
            requested_by=request.requested_by,
            approvals=len(request.approvals),
            approvals_needed=request.required_approvals,
            expires=request.expires_at,
            dry_run=request.dry_run,
        )


class RequestOutcome(BaseModel):
    """One request by its id: where it is, who decided it and when, and what ran."""

    approval_id: str
    action: str
    requested_by: str
    state: ApprovalState
    decided_by: str | None = None
    expires: datetime
    updated: datetime
    result: str | None = None

    @classmethod
    def of(cls, request: ApprovalRequest, now: datetime) -> RequestOutcome:
        """The request's state at ``now``: a pending request past its expiry is expired, whether or not
        the expiry job has marked it yet."""
        expired = request.state is ApprovalState.PENDING and request.is_expired(now)
        return cls(
            approval_id=request.id,
            action=request.call.describe(),
            requested_by=request.requested_by,
            state=ApprovalState.EXPIRED if expired else request.state,
            decided_by=request.decided_by,
            expires=request.expires_at,
            updated=request.updated_at,
            result=request.error or request.result,
        )


class PendingApprovals(BaseModel):
    """``list_pending_approvals``: the requests waiting, oldest first, and the one asked about by id.

    ``asked`` is None when no id was asked about, or when no request has it (``asked_unknown``).
    """

    pending: list[PendingApproval] = []
    asked: RequestOutcome | None = None
    asked_unknown: str | None = None


def build_call(ctx: ToolContext, args: RemediationArgs) -> ActionCall:
    """Turn tool arguments into a validated action call.

    Raises:
        InputError, ActionNotAllowed: missing or unacceptable parameters, or a restart on a host that is down.
    """
    if args.action is ActionName.RESTART_SERVICE:
        if not args.service or not args.host:
            raise InputError("restart_service needs a service and a host")
        instance_id = args.host
        if ctx.metrics is not None and not args.host.startswith("i-"):
            state = resolve_state(ctx, args.host)
            ref = state.ref
            if not state.up:
                reason = f"{ref.name} is {state.describe_down(ctx.clock.now())}, so a restart cannot reach it"
                raise ActionNotAllowed(args.action.value, reason)
            if not ref.instance_id:
                raise InputError(f"{ref.name} has no instance_id label, so it cannot be restarted through SSM")
            instance_id = ref.instance_id
        return actions.restart_service(instance_id=instance_id, service=args.service, limits=ctx.limits)
    if not args.group:
        raise InputError(f"{args.action.value} needs an Auto Scaling group")
    if args.action is ActionName.SCALE_UP:
        return actions.scale_up(group=args.group, by=args.by or 1, limits=ctx.limits)
    if args.desired is None:
        raise InputError("scale_to needs a desired capacity")
    return actions.scale_to(group=args.group, desired=args.desired)


def request_remediation(ctx: ToolContext, args: RemediationArgs) -> ToolResult:
    """Ask for a remediation (restart a service, scale a group); a person must approve it before it runs."""
    if ctx.remediation is None:
        raise ConfigError(REMEDIATION_OFF)
    if not ctx.remediation_asked:
        raise ActionNotAllowed(args.action.value, "the question did not ask for a remediation, so none is requested")
    call = build_call(ctx, args)
    request = ctx.remediation.request(call, requested_by=ctx.user, one_per_target=True)
    return ToolResult(
        status=ToolStatus.APPROVAL_REQUIRED,
        params=args.model_dump(mode="json", exclude_none=True),
        data=RequestedRemediation(
            approval_id=request.id,
            action=call.describe(),
            dry_run=request.dry_run,
            approvals_needed=request.required_approvals,
            expires=request.expires_at,
        ),
    )


class PendingApprovalsArgs(BaseModel):
    """Arguments of ``list_pending_approvals``."""

    limit: int = Field(default=10, ge=1, le=50, description="most requests to list, oldest first")
    request_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_:-]{1,64}$",
        description="a request's id (from its message): what became of it, pending or not",
    )


def list_pending_approvals(ctx: ToolContext, args: PendingApprovalsArgs) -> ToolResult:
    """Remediation requests waiting for approval: what, who asked, approvals so far, when each expires;
    with ``request_id``, also what became of that request (approved, rejected, expired, ran...)."""
    store = ctx.remediation.store if ctx.remediation is not None else ctx.approvals
    if store is None:
        raise ConfigError("no approval store is configured")
    now = ctx.clock.now()
    pending = [r for r in store.pending() if not r.is_expired(now)][: args.limit]
    params = args.model_dump(mode="json", exclude_none=True)
    found = store.get(args.request_id) if args.request_id else None
    data = PendingApprovals(
        pending=[PendingApproval.of(r) for r in pending],
        asked=RequestOutcome.of(found, now) if found is not None else None,
        asked_unknown=args.request_id if args.request_id and found is None else None,
    )
    status = ToolStatus.SUCCESS if pending or found is not None else ToolStatus.NO_DATA
    return ToolResult(status=status, params=params, data=data)
