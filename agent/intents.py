"""Reading a question: which tool to call with which arguments, given the conversation so far. Pure."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.conversation import Conversation
from agent.fleet_intents import fleet_call
from agent.host_intents import host_call
from domain.durations import DURATION_PATTERN, UNIT_PATTERN, find_duration, find_moment, format_duration
from domain.errors import InputError
from domain.hosts import find_host_mentions
from domain.models import HostRef, MetricKind

_METRIC_WORDS: tuple[tuple[MetricKind, re.Pattern[str]], ...] = (
    (MetricKind.DISK_IO, re.compile(r"\b(disk\s*i/?o|iops|disk (reads?|writes?)|io wait)\b")),
    (
        MetricKind.NETWORK_OUT,
        re.compile(
            r"\b(network|net|traffic|bandwidth)\b[^?.]*\b(out|outbound|egress|tx|transmit\w*|sent)\b"
            r"|\b(outbound|egress)\b"
        ),
    ),
    (
        MetricKind.NETWORK_IN,
        re.compile(r"\b(network|net|traffic|bandwidth|throughput)\b|\b(inbound|ingress)\b"),
    ),
    (MetricKind.CPU, re.compile(r"\b(cpu|cpus|processor|compute)\b")),
    (MetricKind.MEMORY, re.compile(r"\b(memory|mem|ram|memmory|memroy)\b")),
    (MetricKind.DISK, re.compile(r"\b(disk|disks|storage|filesystem|disk space|diskspace|dsik)\b")),
    (MetricKind.LOAD, re.compile(r"\b(load|load average|loadavg)\b")),
)
_HOSTLIKE = re.compile(
    r"^(?:[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+|\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?|[a-z][a-z0-9.-]*:\d{2,5}|i-[0-9a-f]{8,17})$"
)
_RESTART = re.compile(r"\brestart\s+(?:the\s+)?(?P<service>[\w.@-]+)(?:\s+service)?\s+on\s+(?P<host>[\w.:-]+)")
_HELP = re.compile(r"(help( me)?|\?|what can (you do|i ask( you)?)\??|commands|usage)[.!?]?")
_RESTART_THERE = re.compile(
    r"\b(?:restart|reboot|bounce)\s+(?:the\s+)?(?P<service>[\w.@-]+)(?:\s+service)?\s+"
    r"(?:there|on it|on that (?:host|box|server|machine)|on this (?:host|box|server))\b"
)
_SCALE_TO = re.compile(r"\bscale\s+(?:the\s+)?(?P<group>[\w.:-]+)\s+(?:group\s+)?to\s+(?P<n>\d+)")
_SCALE_UP = re.compile(
    r"\bscale\s+(?:up\s+(?:the\s+)?(?P<g1>[\w.:-]+)|(?:the\s+)?(?P<g2>[\w.:-]+)\s+up)(?:\s+by\s+(?P<n>\d+))?"
)
_ADD = re.compile(r"\badd\s+(?P<n>\d+|an?|one|two|three|four|five)\s+(?:more\s+)?instances?\s+to\s+(?P<group>[\w.:-]+)")
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_RULE = re.compile(
    r"\b(?:explain|what does|what is|meaning of)\s+(?:the\s+)?rule\s*:?\s*[`'\"]?(?P<rule>[^`'\"?]*)"
    r"|\b(?:list|show|which|what)\s+(?:are\s+)?(?:the\s+)?(?:configured\s+)?rules\b(?P<none>)"
)
_APPROVALS = re.compile(r"\b(approvals?|approve-list|waiting for (an )?approval|pending (requests?|remediations?))\b")
_LOGS = re.compile(r"\b(logs?|log lines|errors?|exceptions?|warnings?|stack ?traces?)\b")
_ERRORS = re.compile(r"\b(errors?|exceptions?|failed|failures?)\b")
_ANOMALY = re.compile(r"\b(anomal\w*|incidents?|alerts?|alarms?|anomolies|anomlies)\b")
_SUMMARY = re.compile(r"\b(summar\w*|how many|count|overview|any)\b")
_COUNT = re.compile(
    r"\b(?:last|latest|recent|top|first)\s+(\d{1,2})\b"
    rf"(?!\s*{UNIT_PATTERN}\b)"
    r"|\b(\d{1,2})\s+(?:most\s+recent|latest|last)\b"
)
_TOP = re.compile(r"\b(which|what)\s+hosts?\b|\btop\s*\d*\b|\b(highest|most|busiest|heaviest|lowest|least)\b")
_LOWEST = re.compile(r"\b(lowest|least)\b")
_STATUS = re.compile(
    r"\b(is\s+\S+\s+(up|down|alive|reachable|healthy|ok)|up or down|status|health|healthy|how is|how's)\b"
)
_RANGE = re.compile(
    r"\b(peak|max(imum)?|highest|average|avg|mean|min(imum)?|trend\w*|history|over|during|since|last|past"
    r"|rising|falling|growing|increasing|decreasing)\b"
)
_FILL = re.compile(
    r"\b(fill(s|ing)?\s+up|(be|get|become|go|until|till|before\s+it\s+is)\s+full|run(s|ning)?\s+out"
    r"|time[\s-]to[\s-]full|forecast)\b"
)
_WINDOW_ONLY = re.compile(
    r"^(and\s+|what about\s+|how about\s+)?(over|in|for|during|within|since)?\s*(the\s+)?(last|past)\b"
)
_FOLLOW_UP = re.compile(r"^(and|what about|how about|same for|also|now)\b")
_WHOLE_FLEET = re.compile(r"\b(fleet|all|every|across|everywhere|hosts|servers|overall)\b")
_REFERS_BACK = re.compile(
    r"\b(it|its|there|that (host|box|server|machine|one)|this (host|box|server|machine)|same (host|box))\b"
)
_SEVERITY = re.compile(r"\b(critical|high|medium|low)\b")
_AGO = re.compile(rf"\b{DURATION_PATTERN}\s+ago\b")


@dataclass(frozen=True)
class Plan:
    """What the router will do: one tool call (or none), and the entities to remember."""

    intent: str
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    host: str | None = None
    metric: str | None = None
    since: str | None = None


def metric_in(text: str) -> MetricKind | None:
    """The metric a question names, if any."""
    return next((m for m, pattern in _METRIC_WORDS if pattern.search(text)), None)


def host_in(text: str, known: Sequence[HostRef]) -> str | None:
    """A host named in the question: a known one first, else any token shaped like a host name."""
    words = [w.strip(".,;:!?()[]{}<>'\"`") for w in re.split(r"[\s,;!?()]+", text)]
    found = find_host_mentions(words, known)
    if found:
        return found[0].name
    if shaped := next((w for w in words if _HOSTLIKE.match(w)), None):
        return shaped
    # A near miss of a known name ("web1", "db-l") is kept, so the tool asks "did you mean web-1?"
    # instead of the question being answered for the whole fleet.
    names = [ref.name.lower() for ref in known]
    return next(
        (
            w
            for w in words
            if len(w) >= 3 and any(c.isdigit() for c in w) and difflib.get_close_matches(w, names, 1, 0.75)
        ),
        None,
    )


def refers_back(text: str) -> bool:
    """True when a question points at the host of an earlier one ("it", "there", "that box")."""
    return _REFERS_BACK.search(text) is not None


def since_in(text: str) -> str | None:
    """A look-back like ``30m`` or ``2h`` in the question (``last hour`` → ``1h``, ``today`` → ``24h``)."""
    if (length := find_duration(text)) is not None:
        return format_duration(length)
    if re.search(r"\btoday\b", text):
        return "24h"
    return None


def remediation_in(text: str) -> dict[str, Any] | None:
    """Arguments of a remediation the question asks for, if it asks for one."""
    if m := _RESTART.search(text):
        return {"action": "restart_service", "service": m["service"], "host": m["host"]}
    if m := _SCALE_TO.search(text):
        return {"action": "scale_to", "group": m["group"], "desired": int(m["n"])}
    if m := _ADD.search(text):
        return {"action": "scale_up", "group": m["group"], "by": _NUMBER_WORDS.get(m["n"]) or int(m["n"])}
    if m := _SCALE_UP.search(text):
        return {"action": "scale_up", "group": m["g1"] or m["g2"], "by": int(m["n"] or 1)}
    return None


def plan(text: str, known_hosts: Sequence[HostRef], context: Conversation) -> Plan:
    """Decide what to do with a cleaned, lower-cased question."""
    if not text or _HELP.fullmatch(text):
        return Plan("help")
    if (args := remediation_in(text)) is not None:
        return Plan("remediation", "request_remediation", args)
    if context.host and (m := _RESTART_THERE.search(text)):
        args = {"action": "restart_service", "service": m["service"], "host": context.host}
        return Plan("remediation", "request_remediation", args, host=context.host)
    if m := _RULE.search(text):
        rule = re.sub(r"\s+(mean|means|do|does)\s*$", "", (m.group("rule") or "").strip())
        return Plan("rule", "explain_rule", {"rule": rule} if rule else {})
    if _APPROVALS.search(text):
        return Plan("approvals", "list_pending_approvals", {})
    metric = metric_in(text)
    host = host_in(text, known_hosts)
    since = since_in(text)
    follow_up = bool(_FOLLOW_UP.match(text)) or len(text.split()) <= 3
    if (specific := host_call(text, host, moment=_moment_in(text))) is not None:
        tool, args = specific
        return Plan(tool, tool, args, host=host)
    if _ANOMALY.search(text):
        severity = _SEVERITY.search(text)
        count = _COUNT.search(text)
        if count or not (_SUMMARY.search(text) or since):
            n = int(count.group(1) or count.group(2)) if count else 5
            args = {"limit": max(1, min(n, 50))}
            if host:
                args["host"] = host
            if severity:
                args["severity"] = severity.group(1)
            return Plan("anomalies", "list_recent_anomalies", args, host=host)
        args = {"since": since or "24h"}
        if severity:
            args["severity"] = severity.group(1)
        return Plan("anomaly_summary", "summarize_anomalies", args, since=since)
    if _LOGS.search(text) and metric is None:
        args = {"since": _logs_since(text) or "15m", "limit": 20}
        if host:
            args["host"] = host
        if _ERRORS.search(text):
            args["contains"] = "error"
        return Plan("logs", "get_logs", args, host=host)
    if (fleet := fleet_call(text, known_hosts, metric)) is not None:
        tool, args = fleet
        return Plan("fleet" if tool == "fleet_status" else "metric", tool, args, metric=args.get("metric"))
    if metric is None and host is not None and follow_up and context.intent in ("metric", "range") and context.metric:
        metric = MetricKind(context.metric)
    if metric is not None and _TOP.search(text) and host is None:
        args = {"metric": metric.value, "n": _top_n(text), "order": "lowest" if _LOWEST.search(text) else "highest"}
        return Plan("top", "top_hosts", args, metric=metric.value)
    if _STATUS.search(text) and metric is None:
        # Only a follow-up in the same thread ("is it up?") inherits the host of an earlier question.
        target = host or (context.host if _REFERS_BACK.search(text) else None)
        if target:
            return Plan("status", "host_status", {"host": target}, host=target)
        return Plan("fleet", "fleet_status", {})
    if metric is None and host is not None and context.intent == "status" and follow_up:
        return Plan("status", "host_status", {"host": host}, host=host)
    if metric is None and since is not None and context.metric and context.host and _WINDOW_ONLY.match(text):
        # "over the last 2 hours" after a metric question: the same metric and host over that window.
        metric, host = MetricKind(context.metric), host or context.host
    if metric is None:
        return Plan("unknown")
    if host is None and follow_up and context.host and not _WHOLE_FLEET.search(text):
        host = context.host
    plain = text.replace("load average", "load")
    stat_word = re.search(r"\b(peak|average|avg|mean|max|min|trend\w*|rising|falling|growing|increasing)", plain)
    forecast = metric is MetricKind.DISK and _FILL.search(plain) is not None
    wants_range = forecast or (bool(_RANGE.search(plain)) and (since is not None or stat_word is not None))
    if wants_range and host is not None:
        window = since or (context.since if follow_up and context.since else None) or ("6h" if forecast else "1h")
        args = {"metric": metric.value, "host": host, "since": window}
        return Plan("range", "get_metric_range", args, host=host, metric=metric.value, since=window)
    args = {"metric": metric.value}
    if host is not None:
        args["host"] = host
    if (moment := _moment_in(text)) is not None:
        args["at"] = moment
    return Plan("metric", "get_current_metric", args, host=host, metric=metric.value)


def _moment_in(text: str) -> str | None:
    try:
        return find_moment(text)
    except InputError:  # "at 25:00": the question is answered for now rather than not at all
        return None


def _logs_since(text: str) -> str | None:
    if m := re.search(r"(between\s+\d{1,2}:\d{2}\s+and\s+\d{1,2}:\d{2})", text):
        return m.group(1)
    if m := _AGO.search(text):
        return m.group(0)
    return since_in(text)


def _top_n(text: str) -> int:
    m = re.search(r"\btop\s*(\d{1,2})\b|\b(\d{1,2})\s+(?:hosts|busiest|highest)\b", text)
    return max(1, min(int(m.group(1) or m.group(2)), 50)) if m else 5
