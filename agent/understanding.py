"""What to say when a question cannot be acted on as asked: the two or three closest things the
assistant can do, or how to ask for a remediation. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from agent.intent_model import Guess
from domain.models import MetricKind

#: Intents that are never offered as a suggestion ("unrelated" is the corpus' small talk).
_NOT_OFFERED = frozenset({"unrelated"})


def placed(guesses: Sequence[Guess]) -> Guess | None:
    """The top guess when the model is confident of it and it is something the assistant does, else None."""
    best = guesses[0]
    return best if best.confident and best.intent not in _NOT_OFFERED else None


def suggestion(intent: str, *, host: str | None, metric: MetricKind | None) -> str:
    """One thing the assistant can do, as the person could ask it."""
    h = host or "web-1"
    label = (metric or MetricKind.CPU).label
    return {
        "metric_now": f'{label} on {h} now ("{label} on {h}")',
        "metric_range": f'{label} on {h} over a window ("peak {label} on {h} in the last 6h")',
        "top_hosts": f'the busiest hosts ("top 5 hosts by {label}")',
        "host_status": f'the {h} status ("is {h} up?")',
        "fleet": 'the fleet status ("is anything down?")',
        "capacity": f'what {h} has ("how much memory does {h} have?")',
        "diagnosis": f'a health check of {h} ("what\'s wrong with {h}?")',
        "what_happened": f'what happened on {h} around a time ("what happened on {h} around 14:00?")',
        "anomalies": 'recent anomalies ("summarize the last 3 anomalies")',
        "logs": f'logs ("show errors for {h} in the last hour")',
        "approvals": 'pending approvals ("what is waiting for approval?")',
        "remediation": f'a restart of a service on {h} ("restart nginx on {h}"), which a person approves',
        "rule": 'what a detection rule means ("explain rule cpu > 90% for 5m")',
        "help": 'the list of what I can do ("help")',
    }[intent]


def did_you_mean(guesses: Sequence[Guess], *, host: str | None, metric: MetricKind | None, limit: int = 3) -> str:
    """``I can't answer that as asked. Did you mean: A, B or C?`` from the closest intents."""
    offered = [g for g in guesses if g.intent not in _NOT_OFFERED][:limit]
    options = [suggestion(g.intent, host=host, metric=metric) for g in offered]
    listed = ", ".join(options[:-1]) + f" or {options[-1]}" if len(options) > 1 else options[0]
    return f'I can\'t answer that as asked. Did you mean: {listed}? (Ask "help" for everything I can do.)'


def how_to_request(host: str | None) -> str:
    """How to ask for a remediation, when a question asks for one without its action, target or amount."""
    h = host or "web-1"
    return (
        "To request a remediation, name the action and its target: "
        f'"restart nginx on {h}", "scale web-asg to 4" or "add 2 instances to web-asg". '
        "Nothing runs until a person approves it."
    )


#: What the assistant says to a change it can never make ("delete all hosts", "terminate web-1").
OUT_OF_REACH = (
    "I can't do that. The only changes I can request are restarting a service on a host "
    '("restart nginx on web-1") and resizing an Auto Scaling group ("scale web-asg to 4", '
    '"add 2 instances to web-asg"), and each runs only after a person allowed to approve it clicks Approve.'
)
#: What it says to "approve ..." or "reject ...": deciding is a person's click, never the assistant's.
DECIDED_BY_PEOPLE = (
    "I can't approve, reject or cancel requests: a person allowed to decide clicks Approve or Reject on "
    "the request's message in Slack (the requester can cancel it there). What is waiting:"
)
#: What it says to "ack the incident on web-1": acknowledging is done where the incident is shown.
ACKNOWLEDGED_WHERE = (
    "I don't acknowledge incidents from a question: click Acknowledge on the incident's message in Slack, "
    "or send `/ops ack {target}` (a host or an incident id). The latest incidents{on}:"
)
#: What it says to "scale down web-asg by 1": a decrease is asked for as the size wanted.
WHOLE_SIZE = (
    "A group's size is a whole number of instances, 0 or more, and {size} is not: ask for the size you want, "
    'e.g. "scale {group} to 3". Nothing runs until a person approves it.'
)
SCALE_DOWN = (
    'To make a group smaller, ask for the size you want: "scale {group} to 2". Nothing runs until a person approves it.'
)


def not_watched(measure: str) -> str:
    """What the assistant says to a question about a measure it does not read ("swap on web-1")."""
    return (
        f"I don't read {measure}: the host metrics I read are CPU, memory, disk (each filesystem), disk I/O, "
        'network in and out, load and reachability. Ask e.g. "memory on web-1" or "disk I/O on db-1".'
    )
