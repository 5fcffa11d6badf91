"""The Suggest fix button: the action a rule maps the incident's signal to, requested through the normal approval flow.

The approval message goes in the incident message's thread; nothing runs until it is approved.
"""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.jobs.rule_actions import call_for_rule
from bot.services import Services
from bot.slack.approval_messages import remember_shown
from bot.slack.listeners.actions.approval import ClickReply, click_reply
from bot.slack.listeners.replies import approval_message
from bot.slack.middleware import services_in
from bot.slack.mrkdwn import escape
from domain.errors import OpsError
from domain.models import Anomaly
from remediation.actions import ActionCall

log = structlog.get_logger(__name__)


def suggested_call(services: Services, anomaly: Anomaly) -> ActionCall | None:
    """The action the first rule with an action on the incident's signal asks for on its host, if any.

    Raises:
        InputError, ActionNotAllowed: the rule's action cannot be built for this host.
    """
    job = services.rule_actions
    if job is None:
        return None
    rule = next((r for r in job.rules if r.rule.metric is anomaly.metric and r.rule.action is not None), None)
    if rule is None or rule.rule.action is None:
        return None
    return call_for_rule(rule.rule.action, anomaly.host, job.limits)


def ack_suggest_fix(ack: Ack, context: dict[str, Any]) -> None:
    """Acknowledge the click at once."""
    context["command"] = "incident_suggest_fix"
    ack()


def _request(services: Services, reply: ClickReply, anomaly_id: str) -> str | None:
    """Request the suggested fix as the clicker; the request id, or None after telling them why not."""
    anomaly = services.anomalies.get(anomaly_id)
    if anomaly is None or services.remediation is None:
        reply.tell(f"I can't suggest a fix for `{escape(anomaly_id)}`: no such incident, or remediation is off.")
        return None
    try:
        call = suggested_call(services, anomaly)
        if call is None:
            hint = f"ask in the thread, e.g. `restart nginx on {anomaly.host.name}`"
            reply.tell(escape(f"No rule maps {anomaly.metric.label} to an action; {hint}."))
            return None
        return services.remediation.request(call, reply.user, one_per_target=True).id
    except OpsError as exc:  # a refused call (limits, a pending request on the target) or AWS down
        reply.tell(f"I can't request that fix: {escape(str(exc))}")
        return None


def suggest_fix(body: dict[str, Any], client: WebClient, respond: Respond, context: dict[str, Any]) -> None:
    """Create the approval request for the suggested fix and post its approval message in the incident's thread."""
    services = services_in(context)
    reply = click_reply(body, client, respond)
    request_id = _request(services, reply, str(body["actions"][0].get("value", "")))
    if request_id is None or services.remediation is None:
        return
    text, approval = approval_message(services.remediation, request_id)
    place = reply.place
    if place is None:
        reply.respond(text=text, blocks=approval, response_type="ephemeral", replace_original=False)
        return
    try:
        posted = client.chat_postMessage(channel=place.channel, thread_ts=place.ts, text=text, blocks=approval)
    except SlackApiError as exc:
        log.warning("approval_message_not_posted", request_id=request_id, error=str(exc.response.get("error")))
        reply.tell(f"Request `{request_id}` is waiting for approval (`/ops approve-list`).")
        return
    remember_shown(services.remediation, request_id, channel=place.channel, ts=str(posted.get("ts")))
