"""DeterministicRouter: answers the common questions with the registry's tools, no LLM involved."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agent.runner import Answer, ToolCallRecord
from agent.text import clean_question
from domain.errors import OpsError
from domain.models import MetricKind, ToolResult, ToolStatus
from tools.context import ToolContext
from tools.hosts import find_host_mentions
from tools.registry import ToolRegistry

_METRIC_WORDS: tuple[tuple[MetricKind, re.Pattern[str]], ...] = (
    (MetricKind.DISK_IO, re.compile(r"\b(disk\s*i/?o|iops|disk (read|write)s?)\b")),
    (
        MetricKind.NETWORK_IN,
        re.compile(
            r"\b(network|net|traffic|bandwidth)\b.*\b(in|inbound|ingress|rx|receive[sd]?)\b|\b(inbound|ingress|rx)\b"
        ),
    ),
    (
        MetricKind.NETWORK_OUT,
        re.compile(
            r"\b(network|net|traffic|bandwidth)\b.*\b(out|outbound|egress|tx|transmit(ted)?)\b|\b(outbound|egress|tx)\b"
        ),
    ),
    (MetricKind.NETWORK_IN, re.compile(r"\b(network|net|traffic|bandwidth)\b")),
    (MetricKind.CPU, re.compile(r"\b(cpu|processor|cpus)\b")),
    (MetricKind.MEMORY, re.compile(r"\b(memory|mem|ram)\b")),
    (MetricKind.DISK, re.compile(r"\b(disk|storage|filesystem|disk space)\b")),
    (MetricKind.LOAD, re.compile(r"\b(load|load average)\b")),
    (MetricKind.UP, re.compile(r"\b(is \S+ (up|down|alive|reachable)|up or down)\b")),
)
_HOSTLIKE = re.compile(
    r"^(?:[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+|\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?|[a-z0-9.-]+:\d{2,5}|i-[0-9a-f]{8,17})$"
)
_RESTART = re.compile(r"\brestart\s+(?P<service>[\w.@-]+)\s+on\s+(?P<host>[\w.:-]+)")
_SCALE_TO = re.compile(r"\bscale\s+(?P<group>[\w.:-]+)\s+to\s+(?P<n>\d+)")
_SCALE_UP = re.compile(r"\bscale\s+(?:up\s+(?P<g1>[\w.:-]+)|(?P<g2>[\w.:-]+)\s+up)(?:\s+by\s+(?P<n>\d+))?")
_ANOMALY = re.compile(r"\b(anomal\w*|incidents?|alerts?|alarms?)\b")
_COUNT = re.compile(r"\b(?:last|latest|recent|top)\s+(\d{1,2})\b")
_HELP = re.compile(r"^\s*(help|\?|what can you do\??)\s*$")

HELP_TEXT = (
    "I can answer: current CPU, memory, disk, network or load for a host or the fleet "
    '("what is the current CPU on web-1?"), recent anomalies ("summarize the last 3 anomalies"), '
    'and remediation requests that a person approves ("scale web-asg to 4", "restart nginx on web-1").'
)


@dataclass
class DeterministicRouter:
    """Maps a question to tool calls with fixed rules and phrases the tool data as the answer."""

    registry: ToolRegistry
    ctx: ToolContext

    def answer(self, question: str, *, user: str = "cli") -> Answer:
        """Answer one question; anything it does not understand gets the help text."""
        text = clean_question(question).lower()
        calls: list[ToolCallRecord] = []
        ctx = ToolContext(**{**self.ctx.__dict__, "user": user})

        def run(name: str, args: Mapping[str, Any]) -> ToolResult:
            result = self.registry.call(name, args, ctx)
            calls.append(
                ToolCallRecord(
                    name=name,
                    args=dict(args),
                    status=result.status.value,
                    error_type=result.error_type,
                    error=result.error,
                )
            )
            return result

        if not text or _HELP.match(text):
            return Answer(answer=HELP_TEXT, mode="router")
        remediation = self._remediation_args(text)
        if remediation is not None:
            result = run("request_remediation", remediation)
            return Answer(
                answer=_phrase_remediation(result),
                mode="router",
                tool_calls=calls,
                approval_id=(result.data or {}).get("approval_id")
                if result.status is ToolStatus.APPROVAL_REQUIRED
                else None,
            )
        if _ANOMALY.search(text):
            count = _COUNT.search(text)
            result = run("list_recent_anomalies", {"limit": int(count.group(1)) if count else 5})
            return Answer(answer=_phrase_anomalies(result), mode="router", tool_calls=calls)
        metric = next((m for m, pattern in _METRIC_WORDS if pattern.search(text)), None)
        if metric is not None:
            host = self._host_in(text)
            args: dict[str, Any] = {"metric": metric.value}
            if host:
                args["host"] = host
            result = run("get_current_metric", args)
            return Answer(answer=_phrase_metric(result, metric), mode="router", tool_calls=calls)
        return Answer(answer="I can't answer that yet. " + HELP_TEXT, mode="router", tool_calls=calls)

    def _host_in(self, text: str) -> str | None:
        words = re.split(r"[\s,;!?()]+", text)
        if self.ctx.metrics is not None:
            try:
                found = find_host_mentions(words, self.ctx.metrics.hosts())
            except OpsError:  # the tool call that follows reports the outage
                found = []
            if found:
                return found[0].name
        for word in words:
            w = word.strip(".'\"`")
            if _HOSTLIKE.match(w):
                return w
        return None

    @staticmethod
    def _remediation_args(text: str) -> dict[str, Any] | None:
        if m := _RESTART.search(text):
            return {"action": "restart_service", "service": m["service"], "host": m["host"]}
        if m := _SCALE_TO.search(text):
            return {"action": "scale_to", "group": m["group"], "desired": int(m["n"])}
        if m := _SCALE_UP.search(text):
            return {"action": "scale_up", "group": m["g1"] or m["g2"], "by": int(m["n"] or 1)}
        return None


def _phrase_metric(result: ToolResult, metric: MetricKind) -> str:
    if result.status is ToolStatus.ERROR:
        return f"Sorry: {result.error}"
    if result.status is ToolStatus.NO_DATA:
        return f"No {metric.label} data right now."
    samples = result.data["samples"]
    lines = [f"{s['host']} {s['metric']}: {s['value']} ({s['window']}, {s['at']})" for s in samples[:20]]
    if len(samples) > 20:
        lines.append(f"… and {len(samples) - 20} more hosts")
    return "\n".join(lines)


def _phrase_anomalies(result: ToolResult) -> str:
    if result.status is ToolStatus.ERROR:
        return f"Sorry: {result.error}"
    rows = result.data["anomalies"]
    if not rows:
        return "No anomalies recorded."
    lines = [
        f"[{r['severity']}] {r['host']} {r['metric']} {r['value']}, {r['status']} since {r['started']}" for r in rows
    ]
    return f"Last {len(rows)} anomalies:\n" + "\n".join(lines)


def _phrase_remediation(result: ToolResult) -> str:
    if result.status is ToolStatus.ERROR:
        return f"I can't request that: {result.error}"
    d = result.data
    need = d["approvals_needed"]
    who = "an approver" if need == 1 else f"{need} approvers"
    return (
        f"Requested: {d['action']} (request {d['approval_id']}). Dry run: {d['dry_run']}. "
        f"Nothing runs until {who} approve{'s' if need == 1 else ''}; the request expires at {d['expires']}."
    )
