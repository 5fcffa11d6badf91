"""Fixes requested from a thread: the one to suggest for an incident, and the request with its approval message.

Suggest fix on an incident message and Request next step on a failed check both come here:
``fix_for`` reads what the choice needs (the rule on the signal, the host's Auto Scaling group)
and asks ``remediation.suggestion.choose_fix``; ``request_in_thread`` requests the call as the
clicker through the normal approval flow and posts its approval message in the thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.jobs.rule_actions import call_for_rule
from bot.services import Services
from bot.slack.approval_messages import remember_shown
from domain.errors import OpsError
from domain.models import HostRef, MetricKind
from remediation.actions import ActionCall
from remediation.approval import ShownIn
from remediation.cloud_state import GroupState
from remediation.ports import GroupMembership
from remediation.suggestion import SCALABLE_SIGNALS, Suggestion, choose_fix

if TYPE_CHECKING:
    from bot.slack.listeners.actions.approval import ClickReply

log = structlog.get_logger(__name__)


def rule_call_for(services: Services, metric: MetricKind, host: HostRef) -> ActionCall | None:
    """The action the first rule with an action on ``metric`` that covers ``host`` asks for there, if any.

    Raises:
        InputError, ActionNotAllowed: the rule's action cannot be built for this host.
    """
    job = services.rule_actions
    if job is None:
        return None
    rule = next(
        (r for r in job.rules if r.rule.metric is metric and r.rule.action is not None and r.rule.applies_to(host)),
        None,
    )
    if rule is None or rule.rule.action is None:
        return None
    return call_for_rule(rule.rule.action, host, job.limits)


def group_of(services: Services, host: HostRef | None) -> GroupState | None:
    """The Auto Scaling group ``host``'s EC2 instance belongs to, as AWS reports it now (None: none, or no AWS).

    Raises:
        CloudActionFailed: AWS could not be read.
    """
    if services.remediation is None or host is None or not host.instance_id:
        return None
    cloud = services.remediation.cloud
    name = cloud.auto_scaling_group_of(host.instance_id) if isinstance(cloud, GroupMembership) else None
    return cloud.describe_group(name) if name else None


def fix_for(
    services: Services, metric: MetricKind, host: HostRef | None, tried: ActionCall | None = None
) -> Suggestion:
    """The fix to request for ``metric`` on ``host`` (or, with ``tried``, the next step after it).

    Raises:
        InputError, ActionNotAllowed: the rule's action cannot be built for this host.
        CloudActionFailed: AWS could not be read for the host's group.
    """
    rule_call = rule_call_for(services, metric, host) if host is not None else None
    needs_group = tried is not None or (rule_call is None and metric in SCALABLE_SIGNALS)
    group = group_of(services, host) if needs_group else None
    return choose_fix(
        metric=metric, host=host, limits=services.tools.limits, rule_call=rule_call, group=group, tried=tried
    )


def request_in_thread(
    services: Services,
    client: WebClient,
    reply: ClickReply,
    call: ActionCall,
    *,
    thread: ShownIn | None,
    anomaly_id: str | None,
) -> str | None:
    """Request ``call`` as the clicker and post its approval message in ``thread``; the request id, or None.

    A refused call (limits, a pending request on its target, AWS down) is told to the clicker.
    Without a thread the approval message goes to the clicker alone.
    """
    from bot.jobs.remediation_verification import verification_queue
    from bot.slack.listeners.replies import approval_message  # the listeners package imports this module
    from bot.slack.mrkdwn import escape

    remediation = services.remediation
    if remediation is None:
        reply.tell("Remediation is off: no AWS is configured.")
        return None
    try:
        request_id = remediation.request(call, reply.user, one_per_target=True).id
    except OpsError as exc:
        reply.tell(f"I can't request that fix: {escape(str(exc))}")
        return None
    if anomaly_id is not None:
        try:
            verification_queue(services.settings, services.leases).remember_origin(request_id, anomaly_id)
        except OpsError as exc:  # the check then finds the incident by its host instead
            log.warning("remediation_origin_not_stored", request_id=request_id, error=str(exc))
    text, approval = approval_message(remediation, request_id)
    if thread is None:
        reply.respond(text=text, blocks=approval, response_type="ephemeral", replace_original=False)
        return request_id
    try:
        posted = client.chat_postMessage(channel=thread.channel, thread_ts=thread.ts, text=text, blocks=approval)
    except SlackApiError as exc:
        log.warning("approval_message_not_posted", request_id=request_id, error=str(exc.response.get("error")))
        reply.tell(f"Request `{request_id}` is waiting for approval (`/ops approve-list`).")
        return request_id
    remember_shown(remediation, request_id, channel=thread.channel, ts=str(posted.get("ts")))
    return request_id
