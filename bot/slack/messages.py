"""Every sentence the Slack app and the HTTP API say to people, in one place.

Sentences posted as they are (ephemeral notes, outcomes, headers) escape what they quote;
sentences that become part of an answer's text are escaped with it by ``blocks.text_blocks``.
"""

from __future__ import annotations

from datetime import datetime

from bot.slack.mrkdwn import escape, mention
from domain.durations import format_duration

WORKING = ":hourglass_flowing_sand: Working on it…"
EMPTY_COMMAND = "Tell me what you need, e.g. `/ops what is the CPU on web-1?` or `/ops help`."
INTERNAL_ERROR = "Something went wrong on my side; the details are in the bot's log."
REMEDIATION_OFF = "Remediation is not configured here, so there is nothing to approve."
NO_PENDING_APPROVALS = "No remediation requests are waiting for approval."
NO_ANOMALIES = "No anomalies recorded."
NOTHING_TO_REPORT = ":white_check_mark: All quiet: no anomalies in the digest window."
API_DISABLED = "The HTTP API is disabled: set SCO_HTTP__API_TOKEN (or SCO_HTTP__API_TOKENS) to enable it."
API_UNAUTHORIZED = "Missing or wrong bearer token."
QUERY_NEEDS_QUESTION = 'Send JSON like {"question": "what is the CPU on web-1?"}.'

OPS_HELP = (
    "*`/ops` commands*\n"
    "• `/ops status [host]`: health of one host, or of the whole fleet\n"
    "• `/ops anomalies [n]`: the last n anomalies (default 5)\n"
    "• `/ops logs <host|service> [since 10m]`: recent log lines\n"
    "• `/ops ask <question>`: ask anything, e.g. `/ops ask what is the memory on db-1?`\n"
    "• `/ops approve-list`: remediation requests waiting for approval\n"
    "• `/ops cancel <id>`: withdraw a pending request you made\n"
    "• `/ops ack <host|incident>`: acknowledge open incidents (stops re-announcements)\n"
    "• `/ops silence <host|incident> 1h|4h|resolved`, `/ops unsilence <host|incident>`: quiet an incident's thread\n"
    "• `/ops auto off|on|status`: stop or allow automatic remediation (approvers only)\n"
    "• `/ops <question>`: anything else is a question too\n"
    "Mention me in a channel or send me a DM to ask in a thread; I keep the thread's context."
)


def upstream_down(what: str) -> str:
    """A dependency is unreachable."""
    return f"{what} is unreachable right now, try again in a minute."


def not_allowed(reason: str) -> str:
    """An approval click was refused."""
    return f"You can't do that: {escape(reason)}. The request is unchanged."


def approval_done(user: str, result: str) -> str:
    """An approval went through and the action ran."""
    return f"Approved by {mention(user)}. Result: {escape(result)}"


def approval_failed(user: str, error: str) -> str:
    """An approval went through but the action failed."""
    return f"Approved by {mention(user)}, but the action failed: {escape(error)}"


def approval_rejected(user: str) -> str:
    """A request was rejected."""
    return f"Rejected by {mention(user)}. Nothing was run."


def approval_waiting(user: str, remaining: int) -> str:
    """An approval was recorded but the quorum is not met yet."""
    return f"Approval by {mention(user)} recorded; {remaining} more needed."


def approval_needed(description: str) -> str:
    """Fallback text of an approval message."""
    return f"Approval needed: {escape(description)}"


def no_approvers(action: str) -> str:
    """Shown with an approval request for an action nobody is configured to approve."""
    return (
        f":warning: Nobody is configured to approve {action}, so this request can only expire. "
        f"Set SCO_REMEDIATION__APPROVERS (an entry for {action} or *) and restart the bot."
    )


def already_decided(state: str, by: str | None) -> str:
    """A click on a request that is no longer pending."""
    who = f" by {mention(by)}" if by and not by.startswith("policy:") else ""
    if state in {"approved", "executing", "succeeded", "failed"}:
        outcome = "" if state == "approved" else f" ({'it ran' if state == 'succeeded' else state})"
        return f"This request was already approved{who}{outcome}."
    return f"This request is already {state}{who}."


def approval_unknown(request_id: str) -> str:
    """A click on a request the store does not have."""
    return f"I can't find request `{escape(request_id)}`; it may have been cleaned up."


def asked(user: str, question: str) -> str:
    """The header of an answer to a slash command, so the channel sees what was asked."""
    return f"{mention(user)} asked: _{escape(question[:300])}_"


def rate_limited(seconds: int) -> str:
    """A user sent too many requests."""
    return f":snail: You're sending requests faster than I can answer them; try again in {seconds} s."


def channel_not_allowed(channel: str) -> str:
    """The bot is not enabled in this channel."""
    return f"I'm not enabled in <#{channel}>. Ask me in an allowed channel or in a DM."


def bad_command(problem: str) -> str:
    """A /ops subcommand with bad arguments."""
    return f"{escape(problem)} Try `/ops help`."


def pending_approvals(count: int) -> str:
    """Heading of the approve-list."""
    return f"{count} remediation request{'s' if count != 1 else ''} waiting for approval:"


def logs_unavailable(target: str) -> str:
    """No log source for the target."""
    return f"No log lines found for `{target}` in that window."


def chart_title(host: str, metric: str, minutes: int) -> str:
    """Title of a chart attached to an answer: ``web-1 CPU, last 1h30m``."""
    return f"{host} {metric}, last {format_duration(minutes * 60)}"


def sorry(problem: str) -> str:
    """A tool or service could not answer."""
    return f"Sorry: {problem}"


def question_too_long(limit: int) -> str:
    """An API question over the size limit."""
    return f"The question is longer than {limit} characters."


def last_anomalies(count: int) -> str:
    """Heading of an anomaly list."""
    return f"Last {count} anomal{'y' if count == 1 else 'ies'}:"


def last_log_lines(count: int, target: str) -> str:
    """Heading of a list of log lines."""
    return f"Last {count} log line{'' if count == 1 else 's'} for `{target}`:"


def fleet_up(up: int, total: int) -> str:
    """Heading of the fleet status."""
    return f"*Fleet*: {up} of {total} hosts up"


def open_anomalies(count: int) -> str:
    """The open-anomaly line of a status."""
    return f"• open anomalies: {count}"


def approval_expired(at: datetime) -> str:
    """A request nobody approved in time."""
    return f"Expired at {at:%H:%M} UTC. Nothing was run."


def approval_cancelled(user: str) -> str:
    """A request its requester withdrew."""
    return f"Cancelled by {mention(user)}. Nothing was run."


def cancel_refused(reason: str) -> str:
    """A Cancel click or ``/ops cancel`` that may not cancel."""
    return f"You can't cancel that: {escape(reason)}."


def foreign_click(team: str) -> str:
    """A click from another workspace or app."""
    return f"This request belongs to another workspace; clicks from `{escape(team)}` are not accepted here."
