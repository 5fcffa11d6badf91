"""The message that tells a thread whether a fix worked, pure: a check and its result in, text and Block Kit out.

``web-1 CPU 97.0% → 41.2% within 4m: recovered``, ``web-1 CPU still 95.3% 10m after the restart:
not recovered`` (with a **Request next step** button when there is one), or ``no data``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.slack.mrkdwn import escape
from domain.durations import format_duration
from domain.models import MetricKind, format_value
from remediation.actions import ActionCall, ActionName
from remediation.verification import CheckOutcome, CheckResult, RemediationCheck

NEXT_STEP_ACTION = "verification_next_step"

_DONE = {
    ActionName.RESTART_SERVICE: "the restart",
    ActionName.SCALE_UP: "the scale-up",
    ActionName.SCALE_TO: "the scaling",
}
_ICONS = {
    CheckOutcome.RECOVERED: ":white_check_mark:",
    CheckOutcome.NOT_RECOVERED: ":warning:",
    CheckOutcome.NO_DATA: ":grey_question:",
}


def verification_text(check: RemediationCheck, result: CheckResult) -> str:
    """The sentence of a decided check, plain (not yet escaped)."""
    signal = f"{check.subject} {check.metric.label}"
    after = _DONE[check.action]
    watched = format_duration(check.deadline - check.started_at)
    latest = format_value(check.metric, result.latest) if result.latest is not None else None
    if result.outcome is CheckOutcome.RECOVERED:
        within = format_duration(max(timedelta(0), (result.recovered_at or check.started_at) - check.started_at))
        if check.metric is MetricKind.UP:
            return f"{check.subject} is up {within} after {after}: recovered"
        if latest is None:
            return f"{signal}: its incident resolved within {within} of {after}: recovered"
        before = format_value(check.metric, check.before) if check.before is not None else None
        change = f"{before} → {latest}" if before is not None else f"back to {latest}"
        return f"{signal} {change} within {within}: recovered"
    if result.outcome is CheckOutcome.NOT_RECOVERED:
        if check.metric is MetricKind.UP:
            return f"{check.subject} still down {watched} after {after}: not recovered"
        return f"{signal} still {latest} {watched} after {after}: not recovered"
    last = f" (last seen at {latest})" if latest is not None else ""
    return f"{signal}: no data in the {watched} after {after}{last}, so whether it recovered is unknown"


def verification_blocks(
    check: RemediationCheck, result: CheckResult, *, call: ActionCall, next_step: ActionCall | None
) -> list[dict[str, Any]]:
    """The thread message of a decided check.

    Args:
        check: what was watched.
        result: what the check concluded.
        call: the fix that ran.
        next_step: the fix to offer when it did not help (None: no button).
    """
    text = escape(verification_text(check, result))
    hosts = ", ".join(h.name for h in check.hosts) or "no host"
    how = f"{check.metric.label} on {hosts}" if len(check.hosts) != 1 else check.metric.label
    basis = f" against {check.normal.basis}" if check.normal.basis else ""
    context = (
        f"Check of `{call.describe()}` (request `{check.request_id}`): {how} "
        f"watched for {format_duration(check.deadline - check.started_at)}{basis}."
    )
    out: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{_ICONS[result.outcome]} {text}"[:2900]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(context)[:2900]}]},
    ]
    if result.outcome is CheckOutcome.NOT_RECOVERED and next_step is not None:
        label = f"Request next step: {next_step.describe()}"
        button = {
            "type": "button",
            "action_id": NEXT_STEP_ACTION,
            "text": {"type": "plain_text", "text": label[:75]},
            "value": check.request_id,
        }
        out.append({"type": "actions", "block_id": f"next-step:{check.request_id}", "elements": [button]})
    return out
